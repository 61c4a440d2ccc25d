"""A breaker that outlives the session that tripped it: restored, tightened, moved onto new books.

Two pure steps a new session (or a resumed run) takes with a stored breaker:

* :func:`restore` - the stored state with the configured thresholds adopted only where they are
  stricter. A stored breaker is kept even when the settings ask for none: switching the breaker
  off is the loosest setting of all, and a stored trip must not be dropped by a restart.
* :func:`carry_over` - the stored equity marks (peak, day start, last equity, today's loss) were
  measured on the books of the session that wrote them. A new session's books value only what
  it trades (holdings the account already had are its baseline), so the marks are scaled to the
  new session's first mark: every percentage trigger (drawdown from the peak, today's loss) stands
  exactly where the last session left it. Status, causes, cooldown, streaks and error times carry
  unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ouroboros.risk.breaker.config import BreakerConfig, LossBasis
from ouroboros.risk.breaker.events import ThresholdTightened
from ouroboros.risk.breaker.machine import CircuitBreaker
from ouroboros.risk.breaker.state import BreakerState
from ouroboros.risk.breaker.tighten import strictest
from ouroboros.risk.breaker.triggers import trading_day


def restore(
    stored: Mapping[str, Any] | None,
    configured: BreakerConfig | None,
    *,
    by: str,
    now: datetime,
) -> tuple[CircuitBreaker | None, tuple[ThresholdTightened, ...]]:
    """The breaker to continue with: the stored one (tightened to ``configured`` where that is
    stricter), else a fresh one from ``configured`` (None: no breaker). A corrupt record raises
    ``BreakerStateError``; a configured loss basis or trading day that differs raises
    ``ConfigError`` (clear the stored state to change them)."""
    if stored is None:
        return (CircuitBreaker(configured) if configured is not None else None), ()
    breaker = CircuitBreaker.from_dict(stored)
    if configured is None:
        return breaker, ()
    strict = strictest(breaker.config, configured)
    if strict == breaker.config:
        return breaker, ()
    return breaker, breaker.tighten(strict, by=by, now=now)


@dataclass(frozen=True, slots=True)
class CarriedDay:
    """Today's P&L baseline for the new session's books (None: a new trading day starts)."""

    day: date
    day_start_equity: Decimal
    realized_today: Decimal


def carry_over(
    state: BreakerState, equity: Decimal, now: datetime
) -> tuple[BreakerState, CarriedDay | None]:
    """``state`` scaled onto books whose equity is ``equity`` now, and today's baseline if
    ``state`` is of today's trading day."""
    last = state.last_equity
    factor = equity / last if last is not None and last > 0 and equity > 0 else Decimal(1)

    def scaled(value: Decimal | None) -> Decimal | None:
        return None if value is None else value * factor

    moved = replace(
        state,
        peak_equity=scaled(state.peak_equity),
        day_start_equity=scaled(state.day_start_equity),
        last_equity=scaled(state.last_equity),
        loss_today=scaled(state.loss_today),
        acknowledged_loss=state.acknowledged_loss * factor,
    )
    day = trading_day(now, state.config)
    start = moved.day_start_equity
    if moved.trading_day != day or start is None:
        return moved, None
    return moved, CarriedDay(day, start, _realized(moved, equity, start))


def _realized(state: BreakerState, equity: Decimal, start: Decimal) -> Decimal:
    """Today's realized P&L as far as the state knows it: exact on the realized basis, derived
    on the unrealized one; on ``both`` only the sum counts, so it is all taken as unrealized."""
    loss = state.loss_today
    if loss is None:
        return Decimal(0)
    basis = state.config.loss_basis
    if basis is LossBasis.REALIZED:
        return -loss
    if basis is LossBasis.UNREALIZED:
        return (equity - start) + loss
    return Decimal(0)


__all__ = ["CarriedDay", "carry_over", "restore"]
