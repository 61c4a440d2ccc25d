"""Rules that need the market calendar: bars on closed days or outside session hours, sessions
with no bar, and a feed that stopped before the as-of date.

Dates are handled as int64 day numbers (days since 1970-01-01) so a symbol's whole history is
checked with a few array operations.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import numpy.typing as npt
import pandas as pd

from ouroboros.data.calendars import CalendarLike, SessionLike
from ouroboros.data.validation.report import Issue, Severity, ValidationConfig
from ouroboros.data.validation.rules import SymbolBars
from ouroboros.data.validation.session_cache import SessionCache

IntArray = npt.NDArray[np.int64]
_MAX_MISSING_LISTED = 50
_NS_PER_DAY = 86_400_000_000_000


def _day(d: date) -> int:
    return int(np.datetime64(d, "D").astype(np.int64))


def check_calendar(
    bars: SymbolBars,
    calendar: CalendarLike,
    config: ValidationConfig,
    interval: str,
    cache: SessionCache | None = None,
) -> list[Issue]:
    """Calendar alignment of one symbol's bars (rows with no timestamp are skipped)."""
    order = bars.time_order()
    if len(order) == 0:
        return []
    stamps = bars.ts[order]
    first, last = stamps[0].date(), stamps[-1].date()
    end = max(last, config.as_of) if config.as_of else last
    cached = (cache or SessionCache()).sessions(
        calendar, first - timedelta(days=1), end + timedelta(days=1)
    )
    cover, days = cached.coverage, cached.days
    issues: list[Issue] = []
    if cover.note is not None:
        issues.append(
            Issue(
                "calendar_unavailable",
                Severity.WARNING,
                bars.source,
                None,
                bars.symbol,
                f"{first}..{end}",
                f"calendar checks limited: {cover.note}",
            )
        )
        if cover.answered is None:
            return issues
        bar_days = stamps.asi8 // _NS_PER_DAY
        lo, hi = (_day(d) for d in cover.answered)
        order = order[(bar_days >= lo) & (bar_days <= hi)]
        if len(order) == 0:
            return issues
    if bars.daily:
        seen = _daily_alignment(bars, order, days, issues)
    else:
        seen = _intraday_alignment(bars, order, cover.sessions, days, calendar, interval, issues)
    issues += _missing_sessions(bars, cover.sessions, days, seen)
    if config.as_of is not None and len(seen):
        issues += _stale_as_of(bars, int(order[-1]), days, int(seen.max()), config)
    return issues


def _daily_alignment(
    bars: SymbolBars, order: IntArray, days: IntArray, issues: list[Issue]
) -> IntArray:
    """Flag bars on days without a session; return the session days that have a bar."""
    bar_days = bars.ts[order].asi8 // _NS_PER_DAY
    open_day = np.isin(bar_days, days)
    for j in np.flatnonzero(~open_day):
        day = bars.ts[int(order[j])].date()
        issues.append(
            bars.issue(
                "closed_day",
                Severity.ERROR,
                int(order[j]),
                f"bar on {day} ({day:%A}), a day the market was closed",
            )
        )
    return np.unique(bar_days[open_day])


def _intraday_alignment(
    bars: SymbolBars,
    order: IntArray,
    sessions: list[SessionLike],
    days: IntArray,
    calendar: CalendarLike,
    interval: str,
    issues: list[Issue],
) -> IntArray:
    """Each bar must open inside a session (on a 1-minute grid: on one of its minutes)."""
    stamps = bars.ts[order]
    if sessions:
        opens = pd.DatetimeIndex([pd.Timestamp(s.open) for s in sessions]).as_unit("ns")
        closes = pd.DatetimeIndex([pd.Timestamp(s.close) for s in sessions]).as_unit("ns")
        idx = np.searchsorted(opens.asi8, stamps.asi8, side="right") - 1
        inside = (idx >= 0) & (stamps.asi8 < closes.asi8[np.clip(idx, 0, None)])
    else:
        idx = np.full(len(order), -1)
        inside = np.zeros(len(order), dtype=bool)
    if interval == "1m" and sessions:
        inside &= _on_session_minutes(calendar, sessions, idx, stamps)
    issues += [
        bars.issue(
            "outside_session",
            Severity.ERROR,
            int(order[j]),
            "bar opens outside the market's trading hours (closed day, before the open, "
            "after the close or in the lunch break)",
        )
        for j in np.flatnonzero(~inside)
    ]
    return np.asarray(days[np.unique(idx[inside])], dtype=np.int64)


def _on_session_minutes(
    calendar: CalendarLike,
    sessions: list[SessionLike],
    idx: npt.NDArray[np.intp],
    stamps: pd.DatetimeIndex,
) -> npt.NDArray[np.bool_]:
    result = np.zeros(len(stamps), dtype=bool)
    for k in np.unique(idx[idx >= 0]):
        mask = idx == k
        minutes = np.asarray(calendar.session_minutes(sessions[int(k)]), dtype="datetime64[ns]")
        result[mask] = np.isin(stamps.asi8[mask], minutes.astype(np.int64))
    return result


def _missing_sessions(
    bars: SymbolBars, sessions: list[SessionLike], days: IntArray, seen: IntArray
) -> list[Issue]:
    """Sessions between the symbol's first and last bar with no bar at all (warnings)."""
    if len(seen) == 0:
        return []
    gap = (days >= seen.min()) & (days <= seen.max()) & ~np.isin(days, seen)
    missing = [sessions[int(k)].date for k in np.flatnonzero(gap)]
    issues = [
        Issue(
            "missing_session",
            Severity.WARNING,
            bars.source,
            None,
            bars.symbol,
            day.isoformat(),
            f"the market was open on {day} ({day:%A}) but there is no bar",
        )
        for day in missing[:_MAX_MISSING_LISTED]
    ]
    if len(missing) > _MAX_MISSING_LISTED:
        issues.append(
            Issue(
                "missing_session",
                Severity.WARNING,
                bars.source,
                None,
                bars.symbol,
                f"{missing[_MAX_MISSING_LISTED]}..{missing[-1]}",
                f"... and {len(missing) - _MAX_MISSING_LISTED} more sessions with no bar",
            )
        )
    return issues


def _stale_as_of(
    bars: SymbolBars, last_row: int, days: IntArray, last_day: int, config: ValidationConfig
) -> list[Issue]:
    if config.as_of is None:
        return []
    behind = int(((days > last_day) & (days <= _day(config.as_of))).sum())
    if behind <= config.max_age_sessions:
        return []
    return [
        bars.issue(
            "stale_as_of",
            Severity.ERROR,
            last_row,
            f"last bar is {behind} sessions before the as-of date {config.as_of} "
            f"(allowed {config.max_age_sessions})",
        )
    ]
