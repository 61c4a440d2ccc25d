"""Thresholds only tighten at run time; loosening raises and changes nothing."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest

from ouroboros.errors import ConfigError
from ouroboros.risk import (
    BreakerConfig,
    CircuitBreaker,
    LooseningRefused,
    LossBasis,
    ThresholdTightened,
    TriggerKind,
    strictest,
)
from tests.risk.kit import NOW

DEFAULT = BreakerConfig()


def test_tightening_one_threshold_emits_one_event() -> None:
    breaker = CircuitBreaker()
    events = breaker.tighten(
        replace(DEFAULT, max_daily_loss_pct=Decimal(2)), by="risk-officer", now=NOW
    )
    assert events == (
        ThresholdTightened(
            at=NOW,
            reason="max_daily_loss_pct tightened by risk-officer",
            by="risk-officer",
            field="max_daily_loss_pct",
            old="3",
            new="2",
        ),
    )
    assert breaker.config.max_daily_loss_pct == Decimal(2)
    restored = CircuitBreaker.from_dict(breaker.to_dict())
    assert restored.config.max_daily_loss_pct == Decimal(2)


@pytest.mark.parametrize(
    "changes",
    [
        {"max_consecutive_losses": 2},
        {"max_consecutive_losses": 2, "max_api_errors": 3},
        {"max_daily_loss_amount": Decimal(1_000_000)},  # enabling a trigger tightens
        {"drawdown_resume_pct": None},  # no auto resume by recovery is the strictest
        {"win_streak_resume": 5},
        {"win_streak_resume": None},
        {"cooldown": timedelta(hours=1)},
        {"api_error_window": timedelta(minutes=10)},
        {"auto_resume": frozenset({TriggerKind.API_ERRORS})},
    ],
)
def test_stricter_values_are_accepted(changes: dict[str, object]) -> None:
    breaker = CircuitBreaker()
    events = breaker.tighten(replace(DEFAULT, **changes), by="ops", now=NOW)  # type: ignore[arg-type]
    assert {e.field for e in events} == set(changes)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"max_daily_loss_pct": Decimal(4)}, "max_daily_loss_pct 3 -> 4"),
        ({"max_daily_loss_pct": None}, "max_daily_loss_pct 3 -> off"),
        ({"max_drawdown_pct": Decimal(20)}, "max_drawdown_pct 15 -> 20"),
        ({"drawdown_resume_pct": Decimal(12)}, "drawdown_resume_pct 10 -> 12"),
        ({"win_streak_resume": 2}, "win_streak_resume 3 -> 2"),
        ({"cooldown": timedelta(minutes=5)}, "cooldown 0:30:00 -> 0:05:00"),
        (
            {"auto_resume": frozenset(TriggerKind)},
            "auto_resume API_ERRORS,CONSECUTIVE_LOSSES,DRAWDOWN -> API_ERRORS,CONSECUTIVE_LOSSES,"
            "DAILY_LOSS_AMOUNT,DAILY_LOSS_PCT,DRAWDOWN",
        ),
        ({"loss_basis": LossBasis.REALIZED}, "loss_basis both -> realized"),
    ],
)
def test_looser_values_raise_and_change_nothing(changes: dict[str, object], message: str) -> None:
    breaker = CircuitBreaker()
    before = breaker.state
    with pytest.raises(LooseningRefused, match=re.escape(message)):
        breaker.tighten(
            replace(DEFAULT, max_consecutive_losses=1, **changes),  # type: ignore[arg-type]
            by="ops",
            now=NOW,
        )
    assert breaker.state == before


def test_loosening_is_a_config_error() -> None:
    assert issubclass(LooseningRefused, ConfigError)


def test_strictest_merges_field_by_field() -> None:
    persisted = replace(DEFAULT, max_daily_loss_pct=Decimal(2), cooldown=timedelta(minutes=10))
    settings = replace(DEFAULT, max_consecutive_losses=2)
    merged = strictest(persisted, settings)
    assert merged.max_daily_loss_pct == Decimal(2)
    assert merged.max_consecutive_losses == 2
    assert merged.cooldown == timedelta(minutes=30)


def test_strictest_refuses_to_merge_fixed_fields() -> None:
    with pytest.raises(ConfigError, match="invalid loss_basis, was realized"):
        strictest(DEFAULT, replace(DEFAULT, loss_basis=LossBasis.REALIZED))
