"""``market_status``: one market's state at an instant, as shown by the CLI and dashboards.

Unlike the calendar queries it never raises for coverage: a status board must still show the
other nine markets when one calendar has run out of data, so each unknown answer becomes
``None`` and ``note`` says which answers are unknown and up to when the calendar is covered.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import TypeVar

from ouroboros.markets.calendar import MarketCalendar
from ouroboros.markets.errors import CalendarCoverageError
from ouroboros.markets.registry import Market, get_calendar
from ouroboros.markets.session import Session
from ouroboros.markets.timeutil import require_aware

_T = TypeVar("_T")


class Phase(Enum):
    OPEN = "open"
    BREAK = "break"
    CLOSED = "closed"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class MarketStatus:
    """``session`` is the session in progress at ``at`` (lunch break included) or the next one."""

    market: Market
    at: dt.datetime
    phase: Phase
    next_open: dt.datetime | None
    next_close: dt.datetime | None
    session: Session | None
    note: str | None = None

    @property
    def is_open(self) -> bool | None:
        """True/False, or None when the calendar does not cover ``at``."""
        return None if self.phase is Phase.UNKNOWN else self.phase is Phase.OPEN


class _Unknowns:
    """Runs calendar queries, turning coverage errors into ``None`` and remembering which."""

    def __init__(self) -> None:
        self.labels: list[str] = []

    def ask(self, label: str, query: Callable[[], _T]) -> _T | None:
        try:
            return query()
        except CalendarCoverageError:
            self.labels.append(label)
            return None

    def note(self, cal: MarketCalendar) -> str | None:
        if not self.labels:
            return None
        note = (
            f"{', '.join(self.labels)} unknown: calendar {cal.calendar_id.value} covers "
            f"{cal.covered_from.isoformat()} to {cal.covered_until.isoformat()}"
        )
        if cal.provisional_until > cal.covered_until:
            note += f" (provisional estimates until {cal.provisional_until.isoformat()} unused)"
        return note


def market_status(market: Market, at: dt.datetime) -> MarketStatus:
    """The phase of ``market`` at ``at`` and its next open and close, coverage gaps as notes."""
    at = require_aware(at)
    cal = get_calendar(market.code)
    unknowns = _Unknowns()
    is_open = unknowns.ask("status", lambda: cal.is_open(at))
    current = None if is_open is None else cal.session_at(at)
    if is_open is None:
        phase = Phase.UNKNOWN
    elif is_open:
        phase = Phase.OPEN
    else:
        phase = Phase.BREAK if current is not None else Phase.CLOSED
    session = current or unknowns.ask("next session", lambda: cal.next_session(at))
    return MarketStatus(
        market=market,
        at=at,
        phase=phase,
        next_open=unknowns.ask("next open", lambda: cal.next_open(at)),
        next_close=unknowns.ask("next close", lambda: cal.next_close(at)),
        session=session,
        note=unknowns.note(cal),
    )
