"""Calendar sessions fetched once per validation run and sliced per symbol.

Asking a calendar for ten years of sessions builds thousands of session objects; doing that
for each of 500 symbols made validation of a large universe take a minute. The cache keeps
one window per calendar (widened when a symbol reaches outside it) and answers each symbol
with a slice found by binary search on the session dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from ouroboros.data.calendars import CalendarLike, Coverage, SessionLike, covered_sessions


@dataclass(frozen=True, slots=True)
class CachedSessions:
    """``coverage`` plus each session's local date as days since 1970-01-01."""

    coverage: Coverage
    days: npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class _Window:
    calendar: CalendarLike  # held so the id() key cannot be reused while cached
    start: date
    end: date
    coverage: Coverage
    days: npt.NDArray[np.int64]


class SessionCache:
    def __init__(self) -> None:
        self._windows: dict[int, _Window] = {}

    def sessions(self, calendar: CalendarLike, start: date, end: date) -> CachedSessions:
        """Like ``covered_sessions`` for ``start..end``, served from the cached window."""
        window = self._windows.get(id(calendar))
        if window is None or start < window.start or end > window.end:
            lo = min(start, window.start) if window else start
            hi = max(end, window.end) if window else end
            cover = covered_sessions(calendar, lo, hi)
            days = np.array([s.date for s in cover.sessions], dtype="datetime64[D]")
            window = _Window(calendar, lo, hi, cover, days.astype(np.int64))
            self._windows[id(calendar)] = window
        first = np.datetime64(start, "D").astype(np.int64)
        last = np.datetime64(end, "D").astype(np.int64)
        i = int(np.searchsorted(window.days, first, side="left"))
        j = int(np.searchsorted(window.days, last, side="right"))
        part: list[SessionLike] = window.coverage.sessions[i:j]
        days = window.days[i:j]
        answered = window.coverage.answered
        if answered is None:
            return CachedSessions(Coverage(part, None, window.coverage.note), days)
        a, b = max(start, answered[0]), min(end, answered[1])
        if (a, b) == (start, end):
            return CachedSessions(Coverage(part, (a, b), None), days)
        note = window.coverage.note
        return CachedSessions(Coverage(part, (a, b) if a <= b else None, note), days)
