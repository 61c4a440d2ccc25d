"""The breaker's whole memory as one immutable value, so it persists and restores exactly."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from ouroboros.domain import Currency
from ouroboros.risk.breaker.config import BreakerConfig, TriggerKind


class BreakerStatus(StrEnum):
    """``ARMED`` trades normally; ``TRIPPED`` and ``COOLING_DOWN`` both block new risk.

    ``TRIPPED``: halted; waiting out the cooldown, or for a person when a cause is not
    auto-resumable. ``COOLING_DOWN``: halted, the cooldown is served, and the breaker re-arms by
    itself as soon as every cause has cleared.
    """

    ARMED = "ARMED"
    TRIPPED = "TRIPPED"
    COOLING_DOWN = "COOLING_DOWN"

    @property
    def blocks_new_risk(self) -> bool:
        return self is not BreakerStatus.ARMED


@dataclass(frozen=True, slots=True)
class BreakerState:
    """Status, counters, thresholds and the equity marks the triggers measure against.

    Amounts are in ``base_currency`` (learned from the first account seen). ``loss_today`` is the
    last measured loss on the configured basis (positive = losing); ``acknowledged_loss`` is the
    part of it a manual resume accepted today. All datetimes are UTC.
    """

    config: BreakerConfig = field(default_factory=BreakerConfig)
    status: BreakerStatus = BreakerStatus.ARMED
    causes: frozenset[TriggerKind] = frozenset()
    reason: str = ""
    tripped_at: datetime | None = None
    cooling_since: datetime | None = None
    consecutive_losses: int = 0
    win_streak: int = 0
    error_times: tuple[datetime, ...] = ()
    base_currency: Currency | None = None
    peak_equity: Decimal | None = None
    day_start_equity: Decimal | None = None
    trading_day: date | None = None
    loss_today: Decimal | None = None
    acknowledged_loss: Decimal = Decimal(0)
    last_equity: Decimal | None = None
    updated_at: datetime | None = None
