"""Which sessions and minutes a synthetic series covers, and how a day's variance is spread
over its minutes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt
import pandas as pd

from ouroboros.data.calendars import (
    CalendarLike,
    SessionLike,
    covered_sessions,
    minute_labels,
    session_labels,
)
from ouroboros.errors import DataError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
GAP_VARIANCE_SHARE = 0.15  # of a day's variance that arrives overnight (the open gap)


@dataclass(frozen=True, slots=True)
class TimeGrid:
    """Bar labels, each bar's session index, session date and share of daily variance."""

    labels: pd.DatetimeIndex
    segment: IntArray
    bar_dates: list[date]
    scale: FloatArray


def pick_sessions(
    calendar: CalendarLike, market: str, days: int, start: date | None, end: date
) -> list[SessionLike]:
    """The first ``days`` sessions from ``start``, or (no start) the last ``days`` up to ``end``."""
    if days < 1:
        raise ValueError(f"days must be >= 1, was {days}")
    span = timedelta(days=int(days * 1.6) + 30)
    if start is not None:
        cover = covered_sessions(calendar, start, start + span)
        found = cover.sessions[:days]
    else:
        cover = covered_sessions(calendar, end - span, end)
        found = cover.sessions[-days:]
    note = cover.note
    if len(found) < days:
        where = f"from {start}" if start else f"up to {end}"
        raise DataError(
            f"{market}: the calendar has only {len(found)} sessions {where}, {days} were asked "
            f"for{f' ({note})' if note else ''}; ask for fewer days or another start"
        )
    return found


def daily_grid(sessions: list[SessionLike]) -> TimeGrid:
    n = len(sessions)
    return TimeGrid(
        labels=session_labels(sessions),
        segment=np.zeros(n, dtype=np.int64),
        bar_dates=[s.date for s in sessions],
        scale=np.ones(n),
    )


def minute_grid(calendar: CalendarLike, sessions: list[SessionLike]) -> TimeGrid:
    """1-minute labels from the calendar, with a U-shaped intraday variance profile (busy open
    and close, quiet midday) that sums to one per session, the open gap included."""
    counts = [len(calendar.session_minutes(s)) for s in sessions]
    labels = minute_labels(calendar, sessions)
    segment = np.repeat(np.arange(len(sessions), dtype=np.int64), counts)
    scale_parts = []
    for m in counts:
        x = (np.arange(m) + 0.5) / m
        w = 1.0 + 2.0 * (2.0 * x - 1.0) ** 2
        w = w / w.sum() * (1.0 - GAP_VARIANCE_SHARE)
        w[0] += GAP_VARIANCE_SHARE
        scale_parts.append(w)
    scale = np.concatenate(scale_parts) if scale_parts else np.array([])
    bar_dates = [s.date for s, m in zip(sessions, counts, strict=True) for _ in range(m)]
    return TimeGrid(labels=labels, segment=segment, bar_dates=bar_dates, scale=scale)
