"""Assets, clock and calendar from Alpaca, and the calendar cross-check (reference §4.7-§4.8).

Alpaca's calendar gives zone-less ``HH:MM`` in New York time; we read it as aware UTC. It is
compared with our exchange calendar (``ouroboros.markets``, built on exchange-calendars): a
disagreement is reported (returned and logged) and the broker's calendar wins for trading.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from ouroboros.brokers.alpaca.client import AlpacaClient
from ouroboros.brokers.alpaca.errors import AlpacaNotFound
from ouroboros.brokers.alpaca.wire import (
    WireAsset,
    WireClock,
    parse_asset,
    parse_calendar,
    parse_clock,
)
from ouroboros.errors import DataError
from ouroboros.markets.calendar import MarketCalendar

log = logging.getLogger("ouroboros.brokers.alpaca.calendar")
ET = ZoneInfo("America/New_York")


@dataclass(frozen=True, slots=True)
class TradingDay:
    date: dt.date
    open: dt.datetime
    close: dt.datetime


@dataclass(frozen=True, slots=True)
class CalendarDisagreement:
    date: dt.date
    broker: TradingDay | None
    exchange: TradingDay | None

    def __str__(self) -> str:
        def show(day: TradingDay | None) -> str:
            if day is None:
                return "closed"
            return f"{day.open:%H:%M}-{day.close:%H:%M} UTC"

        return f"{self.date}: Alpaca {show(self.broker)}, exchange calendar {show(self.exchange)}"


async def asset(client: AlpacaClient, symbol: str) -> WireAsset | None:
    try:
        return parse_asset(await client.get(f"/v2/assets/{symbol}"))
    except AlpacaNotFound:
        return None


async def clock(client: AlpacaClient) -> WireClock:
    return parse_clock(await client.get("/v2/clock"))


def _at(day: dt.date, hhmm: str) -> dt.datetime:
    try:
        t = dt.time.fromisoformat(hhmm if len(hhmm) > 4 else f"{hhmm[:2]}:{hhmm[2:]}")
    except ValueError:
        raise DataError(f"alpaca calendar {day}: bad time {hhmm!r}") from None
    return dt.datetime.combine(day, t, ET).astimezone(dt.UTC)


async def calendar(client: AlpacaClient, start: dt.date, end: dt.date) -> list[TradingDay]:
    rows = parse_calendar(
        await client.get("/v2/calendar", {"start": start.isoformat(), "end": end.isoformat()})
    )
    return [TradingDay(r.date, _at(r.date, r.open), _at(r.date, r.close)) for r in rows]


def disagreements(
    broker_days: list[TradingDay], exchange: MarketCalendar, start: dt.date, end: dt.date
) -> list[CalendarDisagreement]:
    """Days on which Alpaca and the exchange calendar differ (open, close or whether open)."""
    ours = {s.date: TradingDay(s.date, s.open, s.close) for s in exchange.sessions(start, end)}
    theirs = {d.date: d for d in broker_days if start <= d.date <= end}
    out = [
        CalendarDisagreement(day, theirs.get(day), ours.get(day))
        for day in sorted(set(ours) | set(theirs))
        if theirs.get(day) != ours.get(day)
    ]
    for item in out:
        log.warning("calendar disagreement (Alpaca wins for trading): %s", item)
    return out
