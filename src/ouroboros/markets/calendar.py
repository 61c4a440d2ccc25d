"""``MarketCalendar``: one query API over every market's sessions.

All answers come from a ``ScheduleTable`` by binary search, so a query costs microseconds
whatever the source. Instants go in and come out as aware UTC datetimes (other offsets are
accepted and converted; naive datetimes are refused). "Open" means open for continuous trading:
``[open, close)`` minus ``[break_start, break_end)``; ``next_open``/``next_close`` are the next
*transitions*, so during the morning session of Hong Kong ``next_close`` is the 12:00 lunch
break and during the break ``next_open`` is 13:00.

A calendar knows the days ``covered_from..covered_until``; any question whose answer needs a
day outside that range raises ``CalendarCoverageError`` naming the market and the last covered
date, rather than inventing sessions.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol
from zoneinfo import ZoneInfo

import numpy as np

from ouroboros.markets.codes import MarketCode
from ouroboros.markets.errors import CalendarCoverageError
from ouroboros.markets.schedule import NAT_NS
from ouroboros.markets.session import MinuteArray, Session, session_minutes
from ouroboros.markets.sources import CalendarData, CalendarId
from ouroboros.markets.timeutil import from_ns, require_aware, require_date, to_ns


class SessionLike(Protocol):
    """Anything naming a session by its local date and UTC open/close (see ``session_minutes``)."""

    @property
    def date(self) -> dt.date: ...

    @property
    def open(self) -> dt.datetime: ...

    @property
    def close(self) -> dt.datetime: ...


class MarketCalendar:
    """The trading calendar of one market (markets sharing an exchange share the table)."""

    __slots__ = ("_authoritative_until", "_data", "_market", "_provisional", "_table", "_zone")

    def __init__(self, market: MarketCode, data: CalendarData, *, provisional: bool = False):
        self._market = market
        self._data = data
        self._provisional = provisional
        self._authoritative_until = min(data.authoritative_until, data.table.last_day)
        self._table = data.table if provisional else data.table.truncated(data.authoritative_until)
        self._zone = ZoneInfo(data.tz)

    def __repr__(self) -> str:
        flag = ", provisional" if self._provisional else ""
        return (
            f"MarketCalendar({self._market.value}, {self.calendar_id.value}, "
            f"{self.covered_from}..{self.covered_until}{flag})"
        )

    # --- identity and coverage ----------------------------------------------------------

    @property
    def market(self) -> MarketCode:
        return self._market

    @property
    def calendar_id(self) -> CalendarId:
        return self._data.calendar_id

    @property
    def timezone(self) -> str:
        """IANA zone of the exchange; local dates and hours are in it."""
        return self._data.tz

    @property
    def source(self) -> str:
        return self._data.source

    @property
    def covered_from(self) -> dt.date:
        return self._table.first_day

    @property
    def covered_until(self) -> dt.date:
        """Last local date this calendar answers for (provisional estimates only if opted in)."""
        return self._table.last_day

    @property
    def authoritative_until(self) -> dt.date:
        """Last local date backed by announcements or law rather than estimates."""
        return self._authoritative_until

    @property
    def provisional_until(self) -> dt.date:
        """Last local date with at least estimated data (equals ``covered_until`` if none)."""
        return self._data.table.last_day

    @property
    def provisional(self) -> bool:
        """Whether this calendar also answers from provisional (estimated) rows."""
        return self._provisional

    # --- instants -----------------------------------------------------------------------

    def is_open(self, t: dt.datetime) -> bool:
        """Whether continuous trading is on at ``t`` (false during the lunch break)."""
        ns = self._instant(t)
        i = self._row_at(ns)
        if i is None:
            return False
        bs, be = int(self._table.break_starts[i]), int(self._table.break_ends[i])
        return not (bs != NAT_NS and bs <= ns < be)

    def next_open(self, t: dt.datetime) -> dt.datetime:
        """The first instant strictly after ``t`` at which trading starts or resumes."""
        return self._next_event(self._table.open_events, t, "open")

    def next_close(self, t: dt.datetime) -> dt.datetime:
        """The first instant strictly after ``t`` at which trading stops (lunch or close)."""
        return self._next_event(self._table.close_events, t, "close")

    def session_at(self, t: dt.datetime) -> Session | None:
        """The session whose ``[open, close)`` contains ``t`` (also during its lunch break)."""
        i = self._row_at(self._instant(t))
        return None if i is None else self._table.session(i)

    def next_session(self, t: dt.datetime) -> Session:
        """The first session opening strictly after ``t`` (e.g. to schedule pre-open work)."""
        ns = self._instant(t)
        i = int(np.searchsorted(self._table.opens, ns, side="right"))
        if i >= len(self._table):
            raise self._coverage_error(f"the session after {_iso(t)}")
        return self._table.session(i)

    # --- days ---------------------------------------------------------------------------

    def sessions(self, start: dt.date, end: dt.date) -> list[Session]:
        """Sessions whose local date is in ``start..end`` (both inclusive)."""
        self._day(start, "start")
        self._day(end, "end")
        if start > end:
            raise ValueError(f"start must not be after end, was {start} > {end}")
        return [self._table.session(i) for i in self._table.day_range(start, end)]

    def session_on(self, day: dt.date) -> Session | None:
        """The session on local date ``day``, or None if the market is closed that day."""
        i = self._table.index_of(self._day(day, "day"))
        return None if i is None else self._table.session(i)

    def is_session(self, day: dt.date) -> bool:
        return self.session_on(day) is not None

    def session_minutes(self, session: SessionLike) -> MinuteArray:
        """1-minute bar open times of ``session`` (lunch break excluded), ``datetime64[ns]`` UTC.

        The session is looked up by its date in this calendar, so the break always comes from
        the calendar; passing a session of another market (other open/close) is an error.
        """
        own = self.session_on(session.date)
        if own is None or own.open != session.open or own.close != session.close:
            raise ValueError(
                f"{self._market.value}: {session.date} {session.open}..{session.close} "
                "is not a session of this calendar"
            )
        return session_minutes(own)

    # --- internals ----------------------------------------------------------------------

    def _instant(self, t: dt.datetime) -> int:
        t = require_aware(t)
        self._day(t.astimezone(self._zone).date(), f"{_iso(t)} (local date)")
        return to_ns(t)

    def _day(self, day: dt.date, what: str) -> dt.date:
        require_date(day, what)
        if not self.covered_from <= day <= self.covered_until:
            raise self._coverage_error(f"{what} {day.isoformat()}")
        return day

    def _row_at(self, ns: int) -> int | None:
        i = int(np.searchsorted(self._table.opens, ns, side="right")) - 1
        if i < 0 or ns >= int(self._table.closes[i]):
            return None
        return i

    def _next_event(self, events: np.ndarray, t: dt.datetime, kind: str) -> dt.datetime:
        ns = self._instant(t)
        j = int(np.searchsorted(events, ns, side="right"))
        if j >= len(events):
            raise self._coverage_error(f"the next {kind} after {_iso(t)}")
        return from_ns(int(events[j]))

    def _coverage_error(self, requested: str) -> CalendarCoverageError:
        hint = ""
        if self.provisional_until > self.covered_until:
            hint = (
                f"provisional estimates exist until {self.provisional_until.isoformat()}; "
                "get_calendar(..., provisional=True) accepts them"
            )
        return CalendarCoverageError(
            self._market.value,
            self.calendar_id.value,
            requested,
            self.covered_from,
            self.covered_until,
            hint,
        )


def _iso(t: dt.datetime) -> str:
    return t.isoformat()
