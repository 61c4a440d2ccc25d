"""Live-tick validation (seed 001's data validation): is a live price fit to act on?

A tick is refused when it is older than ``MAX_DATA_AGE_MINUTES`` (15), stamped further in the
future than the clock skew allows, not a positive finite price, or more than
``MAX_DAILY_CHANGE_PCT`` (50 %) away from the previous close - no exchange the agent trades
lets a price move that far in a day (KRX's band is 30 %), so such a tick is bad data. The feed
drops refused ticks before they reach the streaming features; the risk manager keeps its own,
stricter order-time price age (``MAX_PRICE_AGE_SECONDS``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from ouroboros.agent.settings import AgentSettings
from ouroboros.markets.timeutil import require_aware


class TickProblem(StrEnum):
    STALE = "stale"
    FUTURE = "future"
    BAD_PRICE = "bad_price"
    DAILY_CHANGE = "daily_change"


@dataclass(frozen=True, slots=True)
class TickRules:
    max_age: dt.timedelta = dt.timedelta(minutes=15)
    max_daily_change_pct: Decimal = Decimal(50)
    max_clock_skew: dt.timedelta = dt.timedelta(seconds=5)

    def __post_init__(self) -> None:
        if self.max_age <= dt.timedelta(0):
            raise ValueError(f"invalid max data age, was {self.max_age}")
        if self.max_daily_change_pct <= 0:
            raise ValueError(f"invalid max daily change, was {self.max_daily_change_pct}")

    @classmethod
    def from_settings(cls, settings: AgentSettings) -> TickRules:
        return cls(
            max_age=dt.timedelta(minutes=settings.max_data_age_minutes),
            max_daily_change_pct=settings.max_daily_change_pct,
        )


@dataclass(frozen=True, slots=True)
class TickVerdict:
    problem: TickProblem | None
    reason: str

    @property
    def ok(self) -> bool:
        return self.problem is None


_OK = TickVerdict(None, "ok")


def validate_tick(
    price: Decimal,
    at: dt.datetime,
    now: dt.datetime,
    rules: TickRules,
    *,
    previous_close: Decimal | None = None,
) -> TickVerdict:
    """Judge one live price stamped ``at`` (the quote's own time) against the rules at ``now``.

    Without a previous close the daily-change rule cannot be applied and is passed over.
    """
    at, now = require_aware(at, "tick time"), require_aware(now, "now")
    if not price.is_finite() or price <= 0:
        return TickVerdict(TickProblem.BAD_PRICE, f"price {price} is not a positive number")
    age = now - at
    if age > rules.max_age:
        return TickVerdict(
            TickProblem.STALE, f"tick from {at.isoformat()} is {age} old (max {rules.max_age})"
        )
    if -age > rules.max_clock_skew:
        return TickVerdict(
            TickProblem.FUTURE, f"tick from {at.isoformat()} is {-age} ahead of the clock"
        )
    if previous_close is not None and previous_close > 0:
        change = (price / previous_close - 1) * 100
        if abs(change) > rules.max_daily_change_pct:
            return TickVerdict(
                TickProblem.DAILY_CHANGE,
                f"price {price} is {change:+.1f} % from the previous close {previous_close} "
                f"(max {rules.max_daily_change_pct} %)",
            )
    return _OK
