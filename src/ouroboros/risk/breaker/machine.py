"""``CircuitBreaker``: the mutable holder of one :class:`BreakerState`.

All logic lives in pure functions (``transitions``, ``triggers``, ``tighten``); this class only
keeps the current state and hands back the events each call produced, for the caller to log,
notify and persist (``to_dict``) in the same step.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from ouroboros.risk.account import AccountView
from ouroboros.risk.breaker import codec, tighten, transitions
from ouroboros.risk.breaker.config import BreakerConfig, LossBasis
from ouroboros.risk.breaker.events import BreakerEvent, ThresholdTightened
from ouroboros.risk.breaker.state import BreakerState, BreakerStatus


@dataclass(frozen=True, slots=True)
class BreakerAdmission:
    """Whether the breaker lets new risk through for this account snapshot, and why not.

    ``missing`` names P&L inputs a daily-loss trigger needs but the account lacks: the risk
    manager denies new risk on it (fail closed) without tripping the breaker.
    """

    allowed: bool
    reason: str
    missing: str | None = None


class CircuitBreaker:
    """Halts new risk on losses, drawdown, losing streaks or API error bursts.

    Feed it with :meth:`update` (account snapshots), :meth:`record_trade` (closed trades) and
    :meth:`record_error` (broker/API failures). Each returns the transition events. Exits and
    stops are the risk manager's business: the breaker only answers "may new risk open?".
    """

    def __init__(
        self, config: BreakerConfig | None = None, *, state: BreakerState | None = None
    ) -> None:
        if state is not None and config is not None and state.config != config:
            raise ValueError("give a config or a restored state, not two different configs")
        self._state = state if state is not None else BreakerState(config or BreakerConfig())

    @property
    def state(self) -> BreakerState:
        return self._state

    @property
    def config(self) -> BreakerConfig:
        return self._state.config

    @property
    def status(self) -> BreakerStatus:
        return self._state.status

    @property
    def is_tripped(self) -> bool:
        """True while new risk is blocked (TRIPPED or COOLING_DOWN)."""
        return self._state.status.blocks_new_risk

    def update(self, account: AccountView, now: datetime) -> tuple[BreakerEvent, ...]:
        """Observe the account (equity, P&L, day rollover) and apply due transitions."""
        self._state, events = transitions.observe(self._state, account, now)
        return tuple(events)

    def tick(self, now: datetime) -> tuple[BreakerEvent, ...]:
        """Apply time-based transitions (cooldown served, error window expired) only."""
        self._state, events = transitions.step(self._state, now)
        return tuple(events)

    def record_trade(self, pnl: Decimal, now: datetime) -> tuple[BreakerEvent, ...]:
        """A closed trade's realized P&L in the base currency (zero counts as neither)."""
        self._state, events = transitions.record_trade(self._state, pnl, now)
        return tuple(events)

    def record_error(self, now: datetime) -> tuple[BreakerEvent, ...]:
        """One broker/API error (timeout, 5xx, rejected auth) at ``now``."""
        self._state, events = transitions.record_error(self._state, now)
        return tuple(events)

    def resume(self, *, by: str, now: datetime) -> tuple[BreakerEvent, ...]:
        """Manual resume by a named person; see :func:`transitions.resume` for what it re-bases."""
        self._state, events = transitions.resume(self._state, by, now)
        return tuple(events)

    def tighten(
        self, config: BreakerConfig, *, by: str, now: datetime
    ) -> tuple[ThresholdTightened, ...]:
        """Adopt stricter thresholds; raises :class:`LooseningRefused` if any would loosen."""
        self._state, events = tighten.tighten(self._state, config, by, transitions.utc(now))
        return tuple(events)

    def admits_new_risk(self, account: AccountView, now: datetime) -> BreakerAdmission:
        """Would new risk be allowed now? Pure: the breaker's state is not changed.

        Blocked when the breaker is halted *or* when this snapshot would trip it, so an order is
        never approved in the gap between a loss and the next :meth:`update`.
        """
        state = self._state
        if state.status.blocks_new_risk:
            return BreakerAdmission(False, f"circuit breaker {state.status}: {state.reason}")
        preview, _ = transitions.observe(state, account, now)
        if preview.status.blocks_new_risk:
            return BreakerAdmission(False, f"circuit breaker would trip: {preview.reason}")
        missing = _missing_pnl(state.config, account)
        if missing is not None:
            return BreakerAdmission(False, missing, missing=missing)
        return BreakerAdmission(True, "circuit breaker armed")

    def replace_state(self, state: BreakerState) -> None:
        """Continue from ``state`` (a carried-over copy of this breaker's own state)."""
        if state.config != self._state.config:
            raise ValueError("a replacement state must keep the breaker's thresholds")
        self._state = state

    def to_dict(self) -> dict[str, Any]:
        """The whole state, JSON-able; :meth:`from_dict` restores it exactly."""
        return codec.state_to_dict(self._state)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CircuitBreaker:
        return cls(state=codec.state_from_dict(data))


def _missing_pnl(config: BreakerConfig, account: AccountView) -> str | None:
    if config.max_daily_loss_pct is None and config.max_daily_loss_amount is None:
        return None
    if transitions.loss_on_basis(account, config.loss_basis) is not None:
        return None
    needs = {
        LossBasis.REALIZED: "realized P&L",
        LossBasis.UNREALIZED: "unrealized P&L",
        LossBasis.BOTH: "realized and unrealized P&L",
    }[config.loss_basis]
    return f"today's {needs} unknown: cannot verify the daily loss limit"
