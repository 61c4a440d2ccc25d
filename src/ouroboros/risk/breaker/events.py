"""Immutable events, one per breaker transition, returned to the caller to log and persist."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from ouroboros.risk.breaker.config import TriggerKind
from ouroboros.risk.breaker.state import BreakerStatus


@dataclass(frozen=True, slots=True)
class BreakerTripped:
    """New risk is halted (or an existing halt gained a cause and restarted its cooldown)."""

    at: datetime
    reason: str
    causes: tuple[TriggerKind, ...]
    previous: BreakerStatus


@dataclass(frozen=True, slots=True)
class BreakerCoolingDown:
    """The cooldown is served; the breaker re-arms once every cause has cleared."""

    at: datetime
    reason: str


@dataclass(frozen=True, slots=True)
class BreakerResumed:
    """Trading may take new risk again. ``by`` is a person for manual resumes, else ``auto``."""

    at: datetime
    reason: str
    by: str
    manual: bool


@dataclass(frozen=True, slots=True)
class ThresholdTightened:
    """One threshold became stricter at run time (values as text, exactly as persisted)."""

    at: datetime
    reason: str
    by: str
    field: str
    old: str
    new: str


@dataclass(frozen=True, slots=True)
class TradingDayStarted:
    """Daily counters reset (a trip is *not* reset by a new day)."""

    at: datetime
    reason: str
    day: date
    day_start_equity: Decimal | None


BreakerEvent = (
    BreakerTripped | BreakerCoolingDown | BreakerResumed | ThresholdTightened | TradingDayStarted
)
