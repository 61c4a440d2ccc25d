"""The data layer's bridge to ``ouroboros.markets``: market codes, venues, time zones and
calendars, looked up by market code or by a frame symbol (``AAPL.NASDAQ`` -> ``US_NASDAQ``).

Kept in one module so the rest of the data layer takes plain calendar objects and never
imports the markets package itself.
"""

from __future__ import annotations

from ouroboros.data.calendars import CalendarLike
from ouroboros.data.frame import instrument_id_of
from ouroboros.domain import Venue
from ouroboros.markets import MarketCode, get_market, market_for_venue


def parse_market(code: str) -> str:
    """The canonical market code (``us_nyse`` -> ``US_NYSE``); ValueError names the bad code."""
    return MarketCode.parse(code).value


def market_calendar(code: str) -> CalendarLike:
    calendar: CalendarLike = get_market(MarketCode.parse(code)).calendar
    return calendar


def market_venue(code: str) -> Venue:
    venue: Venue = get_market(MarketCode.parse(code)).venue
    return venue


def market_tz(code: str) -> str:
    return get_market(MarketCode.parse(code)).timezone


def market_of_venue(venue: Venue) -> str:
    return str(market_for_venue(venue).code.value)


def market_of_symbol(symbol: str) -> str | None:
    """The market of a qualified frame symbol, or None for a bare symbol."""
    iid = instrument_id_of(symbol)
    return market_of_venue(iid.venue) if iid is not None else None


def calendar_for_symbol(symbol: str) -> CalendarLike | None:
    market = market_of_symbol(symbol)
    return market_calendar(market) if market is not None else None
