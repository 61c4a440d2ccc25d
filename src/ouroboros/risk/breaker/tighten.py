"""Thresholds get stricter at run time, never looser.

Each field has a direction. ``None`` means "trigger off" for trip thresholds (the loosest
value) and "never auto-resume this way" for resume rules (the strictest). Fields that are not
thresholds (loss basis, day rollover) cannot change at run time at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from ouroboros.errors import ConfigError
from ouroboros.risk.breaker.config import BreakerConfig
from ouroboros.risk.breaker.events import ThresholdTightened
from ouroboros.risk.breaker.state import BreakerState
from ouroboros.risk.errors import LooseningRefused

Rule = Callable[[Any, Any], bool]


def _lower_is_stricter(old: Decimal | int | None, new: Decimal | int | None) -> bool:
    """Trip thresholds: smaller trips sooner; None (off) is the loosest."""
    if new is None:
        return old is None
    return old is None or new <= old


def _none_or_lower_is_stricter(old: Decimal | None, new: Decimal | None) -> bool:
    """Drawdown resume level: must recover further; None (never auto) is the strictest."""
    if new is None:
        return True
    return old is not None and new <= old


def _none_or_higher_is_stricter(old: int | None, new: int | None) -> bool:
    """Win streak to resume: more wins needed; None (never by streak) is the strictest."""
    if new is None:
        return True
    return old is not None and new >= old


def _longer_is_stricter(old: timedelta, new: timedelta) -> bool:
    return new >= old


def _subset_is_stricter(old: frozenset[Any], new: frozenset[Any]) -> bool:
    return new <= old


def _fixed(old: object, new: object) -> bool:
    return old == new


RULES: dict[str, Rule] = {
    "max_daily_loss_pct": _lower_is_stricter,
    "max_daily_loss_amount": _lower_is_stricter,
    "loss_basis": _fixed,
    "max_consecutive_losses": _lower_is_stricter,
    "max_drawdown_pct": _lower_is_stricter,
    "drawdown_resume_pct": _none_or_lower_is_stricter,
    "win_streak_resume": _none_or_higher_is_stricter,
    "max_api_errors": _lower_is_stricter,
    "api_error_window": _longer_is_stricter,
    "cooldown": _longer_is_stricter,
    "auto_resume": _subset_is_stricter,
    "day_timezone": _fixed,
    "day_rollover": _fixed,
}
assert set(RULES) == {f.name for f in fields(BreakerConfig)}, "a BreakerConfig field has no rule"


def show(value: object) -> str:
    """A threshold as text (also the persisted form's spirit): ``None`` -> ``off``."""
    if value is None:
        return "off"
    if isinstance(value, frozenset):
        return ",".join(sorted(str(v) for v in value)) or "none"
    return str(value)


def loosened_fields(old: BreakerConfig, new: BreakerConfig) -> list[str]:
    """Names of fields whose new value is looser (or, for fixed fields, different)."""
    return [
        name for name, rule in RULES.items() if not rule(getattr(old, name), getattr(new, name))
    ]


def tighten(
    state: BreakerState, new: BreakerConfig, by: str, now: datetime
) -> tuple[BreakerState, list[ThresholdTightened]]:
    """Adopt ``new`` if no field is looser; one event per changed field. All or nothing."""
    old = state.config
    loose = loosened_fields(old, new)
    if loose:
        detail = ", ".join(
            f"{name} {show(getattr(old, name))} -> {show(getattr(new, name))}" for name in loose
        )
        raise LooseningRefused(f"breaker thresholds can only be tightened at run time: {detail}")
    events = [
        ThresholdTightened(
            at=now,
            reason=f"{name} tightened by {by}",
            by=by,
            field=name,
            old=show(getattr(old, name)),
            new=show(getattr(new, name)),
        )
        for name in RULES
        if getattr(old, name) != getattr(new, name)
    ]
    return replace(state, config=new), events


def strictest(a: BreakerConfig, b: BreakerConfig) -> BreakerConfig:
    """Field by field the stricter of two configs (restored state vs. settings at start-up).

    Fixed fields must agree: a different loss basis or day rollover is a configuration change the
    operator makes by clearing the persisted breaker state, not something to merge silently.
    """
    changes: dict[str, Any] = {}
    for name, rule in RULES.items():
        va, vb = getattr(a, name), getattr(b, name)
        if rule is _fixed:
            if va != vb:
                raise ConfigError(
                    f"invalid {name}, was {show(vb)}: the persisted breaker uses {show(va)}"
                )
            continue
        changes[name] = vb if rule(va, vb) else va
    try:
        return replace(a, **changes)
    except ConfigError:
        # Field-wise merging can pair a drawdown limit with a resume level from the other
        # config that is not below it; fall back to the stricter resume rule: no auto resume.
        changes["drawdown_resume_pct"] = None
        return replace(a, **changes)
