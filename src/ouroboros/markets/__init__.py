"""Markets: the ten markets Ouroboros trades and their trading calendars.

    from datetime import UTC, datetime
    from ouroboros.markets import get_calendar

    nyse = get_calendar("US_NYSE")
    nyse.is_open(datetime(2026, 11, 27, 17, 30, tzinfo=UTC))  # True: half day, closes 18:00 UTC

Every instant in or out is an aware UTC datetime; local time appears only in ``Session.date``
and in display code. See ``docs/markets.md`` for each calendar's source and coverage.
"""

from ouroboros.markets.adjustments import RowStatus
from ouroboros.markets.calendar import MarketCalendar, SessionLike
from ouroboros.markets.codes import MarketCode
from ouroboros.markets.errors import CalendarCoverageError, CalendarDataError, NaiveDatetimeError
from ouroboros.markets.registry import (
    Market,
    all_markets,
    get_calendar,
    get_market,
    market_for_venue,
    open_markets,
)
from ouroboros.markets.session import MinuteArray, Session, session_minutes
from ouroboros.markets.sources import CalendarId
from ouroboros.markets.status import MarketStatus, Phase, market_status

__all__ = [
    "CalendarCoverageError",
    "CalendarDataError",
    "CalendarId",
    "Market",
    "MarketCalendar",
    "MarketCode",
    "MarketStatus",
    "MinuteArray",
    "NaiveDatetimeError",
    "Phase",
    "RowStatus",
    "Session",
    "SessionLike",
    "all_markets",
    "get_calendar",
    "get_market",
    "market_for_venue",
    "market_status",
    "open_markets",
    "session_minutes",
]
