"""Rules that need the market calendar: bars on closed days or outside session hours, sessions
with no bar, and a feed that stopped before the as-of date."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from ouroboros.data.calendars import CalendarLike, SessionLike, covered_sessions
from ouroboros.data.validation.report import Issue, Severity, ValidationConfig
from ouroboros.data.validation.rules import SymbolBars

_MAX_MISSING_LISTED = 50
_NS_PER_DAY = 86_400_000_000_000


def check_calendar(
    bars: SymbolBars, calendar: CalendarLike, config: ValidationConfig, interval: str
) -> list[Issue]:
    """Calendar alignment of one symbol's bars (rows with no timestamp are skipped)."""
    order = bars.time_order()
    if len(order) == 0:
        return []
    stamps = bars.ts[order]
    first, last = stamps[0].date(), stamps[-1].date()
    end = max(last, config.as_of) if config.as_of else last
    sessions, note = covered_sessions(calendar, first - timedelta(days=1), end + timedelta(days=1))
    coverage: list[Issue] = []
    if note is not None:
        coverage.append(
            Issue(
                "calendar_unavailable",
                Severity.WARNING,
                bars.source,
                None,
                bars.symbol,
                f"{first}..{end}",
                f"calendar checks limited: {note}",
            )
        )
        if not sessions:
            return coverage
        lo, hi = sessions[0].date, sessions[-1].date
        keep = np.array([lo <= bars.ts[int(i)].date() <= hi for i in order], dtype=bool)
        order = order[keep]
        if len(order) == 0:
            return coverage
    if bars.daily:
        bar_dates, issues = _daily_alignment(bars, order, sessions)
    else:
        bar_dates, issues = _intraday_alignment(bars, order, sessions, calendar, interval)
    issues += _missing_sessions(bars, sessions, bar_dates)
    if config.as_of is not None and bar_dates:
        issues += _stale_as_of(bars, int(order[-1]), sessions, max(bar_dates), config)
    return coverage + issues


def _day_numbers(sessions: list[SessionLike]) -> np.ndarray:
    """Session dates as days since 1970-01-01 (int64), for vectorised membership tests."""
    return np.array([s.date for s in sessions], dtype="datetime64[D]").astype(np.int64)


def _daily_alignment(
    bars: SymbolBars, order: np.ndarray, sessions: list[SessionLike]
) -> tuple[set[date], list[Issue]]:
    bar_days = bars.ts[order].asi8 // _NS_PER_DAY
    session_days = _day_numbers(sessions)
    open_day = np.isin(bar_days, session_days)
    issues: list[Issue] = []
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
    seen = np.isin(session_days, bar_days[open_day])
    return {sessions[int(k)].date for k in np.flatnonzero(seen)}, issues


def _intraday_alignment(
    bars: SymbolBars,
    order: np.ndarray,
    sessions: list[SessionLike],
    calendar: CalendarLike,
    interval: str,
) -> tuple[set[date], list[Issue]]:
    """Each bar must open inside a session (on a 1-minute grid: on one of its minutes)."""
    if not sessions:
        return set(), [
            bars.issue("outside_session", Severity.ERROR, int(i), "no session that day")
            for i in order
        ]
    opens = pd.DatetimeIndex([pd.Timestamp(s.open) for s in sessions]).as_unit("ns")
    closes = pd.DatetimeIndex([pd.Timestamp(s.close) for s in sessions]).as_unit("ns")
    stamps = bars.ts[order]
    idx = np.searchsorted(opens.asi8, stamps.asi8, side="right") - 1
    inside = (idx >= 0) & (stamps.asi8 < closes.asi8[np.clip(idx, 0, None)])
    if interval == "1m":
        inside &= _on_session_minutes(calendar, sessions, idx, stamps)
    issues = [
        bars.issue(
            "outside_session",
            Severity.ERROR,
            int(order[j]),
            "bar opens outside the market's trading hours (closed day, before the open, "
            "after the close or in the lunch break)",
        )
        for j in np.flatnonzero(~inside)
    ]
    dates = {sessions[int(k)].date for k in np.unique(idx[inside])}
    return dates, issues


def _on_session_minutes(
    calendar: CalendarLike,
    sessions: list[SessionLike],
    idx: np.ndarray,
    stamps: pd.DatetimeIndex,
) -> np.ndarray:
    result = np.zeros(len(stamps), dtype=bool)
    for k in np.unique(idx[idx >= 0]):
        mask = idx == k
        minutes = np.asarray(calendar.session_minutes(sessions[int(k)]), dtype="datetime64[ns]")
        result[mask] = np.isin(stamps.asi8[mask], minutes.astype(np.int64))
    return result


def _missing_sessions(
    bars: SymbolBars, sessions: list[SessionLike], bar_dates: set[date]
) -> list[Issue]:
    """Sessions between the symbol's first and last bar with no bar at all (warnings)."""
    if not bar_dates:
        return []
    lo, hi = min(bar_dates), max(bar_dates)
    missing = [s.date for s in sessions if lo <= s.date <= hi and s.date not in bar_dates]
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
    bars: SymbolBars,
    last_row: int,
    sessions: list[SessionLike],
    last_date: date,
    config: ValidationConfig,
) -> list[Issue]:
    assert config.as_of is not None
    behind = sum(1 for s in sessions if last_date < s.date <= config.as_of)
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
