"""The slice of a market calendar the data layer needs, and the bridge to ``ouroboros.markets``.

Validation and the generator take a calendar *object* (anything with ``sessions`` and
``session_minutes``) rather than a market code, so they can be tested against a tiny
hand-written calendar and never build their own collaborators.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd


class SessionLike(Protocol):
    """One trading session: local ``date``; UTC ``open`` and ``close``."""

    @property
    def date(self) -> date: ...

    @property
    def open(self) -> datetime: ...

    @property
    def close(self) -> datetime: ...


class CalendarLike(Protocol):
    """What the data layer asks of a market calendar."""

    def sessions(self, start: date, end: date) -> Sequence[SessionLike]: ...

    def session_minutes(self, session: SessionLike) -> npt.NDArray[np.datetime64]: ...


def session_labels(sessions: list[SessionLike]) -> pd.DatetimeIndex:
    """Daily bar labels (session date at 00:00 UTC) for a list of sessions."""
    days = np.array([s.date for s in sessions], dtype="datetime64[D]").astype("datetime64[ns]")
    return pd.DatetimeIndex(days).tz_localize("UTC")


def minute_labels(calendar: CalendarLike, sessions: list[SessionLike]) -> pd.DatetimeIndex:
    """Every 1-minute bar open time (UTC) of the sessions, lunch breaks excluded."""
    parts = [np.asarray(calendar.session_minutes(s), dtype="datetime64[ns]") for s in sessions]
    stamps = np.concatenate(parts) if parts else np.array([], dtype="datetime64[ns]")
    return pd.DatetimeIndex(stamps).tz_localize("UTC")


@dataclass(frozen=True, slots=True)
class Coverage:
    """Sessions of a requested range, the part of it the calendar could answer (None: no
    part) and, when that is not all of it, a note saying why."""

    sessions: list[SessionLike]
    answered: tuple[date, date] | None
    note: str | None


def covered_sessions(calendar: CalendarLike, start: date, end: date) -> Coverage:
    """Sessions in ``start..end``, clipped to what the calendar covers.

    Calendars refuse (``LookupError``/``ValueError``) to answer about days beyond their data;
    when the error says what is covered (``covered_from``/``covered_until``), ask again inside
    that range and say what was cut, instead of failing the whole request.
    """
    try:
        return Coverage(list(calendar.sessions(start, end)), (start, end), None)
    except (LookupError, ValueError) as exc:
        lo = getattr(exc, "covered_from", None)
        hi = getattr(exc, "covered_until", None)
        if not isinstance(lo, date) or not isinstance(hi, date):
            return Coverage([], None, f"the calendar cannot answer for {start}..{end} ({exc})")
        a, b = max(start, lo), min(end, hi)
        note = f"the calendar covers only {lo}..{hi}; asked for {start}..{end}"
        if a > b:
            return Coverage([], None, note)
        return Coverage(list(calendar.sessions(a, b)), (a, b), note)
