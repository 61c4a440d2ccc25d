"""A tiny hand-written calendar (weekdays, fixed hours, optional lunch and holidays) so data
tests do not depend on the real market calendars; tests of the real ones live beside them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import numpy as np
import numpy.typing as npt

from ouroboros.data import SessionLike


@dataclass(frozen=True, slots=True)
class StubSession:
    date: date
    open: datetime
    close: datetime
    break_start: datetime | None = None
    break_end: datetime | None = None
    early_close: bool = False


@dataclass(frozen=True, slots=True)
class StubCalendar:
    """Monday-Friday sessions, ``open``-``close`` UTC, minus ``holidays``; optional lunch."""

    open_utc: time = time(14, 30)
    close_utc: time = time(21, 0)
    holidays: frozenset[date] = frozenset()
    lunch: tuple[time, time] | None = None

    def sessions(self, start: date, end: date) -> list[StubSession]:
        out = []
        day = start
        while day <= end:
            if day.weekday() < 5 and day not in self.holidays:
                out.append(self._session(day))
            day += timedelta(days=1)
        return out

    def _session(self, day: date) -> StubSession:
        def at(t: time) -> datetime:
            return datetime.combine(day, t, tzinfo=UTC)

        if self.lunch:
            return StubSession(
                day, at(self.open_utc), at(self.close_utc), at(self.lunch[0]), at(self.lunch[1])
            )
        return StubSession(day, at(self.open_utc), at(self.close_utc))

    def session_minutes(self, session: SessionLike) -> npt.NDArray[np.datetime64]:
        own = self._session(session.date)

        def rng(a: datetime, b: datetime) -> npt.NDArray[np.datetime64]:
            return np.arange(
                np.datetime64(a.replace(tzinfo=None), "ns"),
                np.datetime64(b.replace(tzinfo=None), "ns"),
                np.timedelta64(1, "m"),
            )

        if own.break_start and own.break_end:
            return np.concatenate([rng(own.open, own.break_start), rng(own.break_end, own.close)])
        return rng(own.open, own.close)
