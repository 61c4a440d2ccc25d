"""Errors of the markets package, placed in the project's hierarchy by what the caller does.

Both are ``StopError``: a naive datetime is a programming fault, and a question beyond a
calendar's coverage is fixed by maintaining the holiday data, not by retrying.
"""

from __future__ import annotations

import datetime as dt

from ouroboros.errors import StopError


class NaiveDatetimeError(StopError, ValueError):
    """A datetime without a time zone reached a calendar; inside Ouroboros every instant is UTC."""


class CalendarDataError(StopError):
    """A bundled holiday/adjustment file is malformed; the message names the file and line."""


class CalendarCoverageError(StopError, LookupError):
    """A calendar was asked about a day it does not know.

    Raised instead of guessing: a calendar that invented sessions past its data would let the
    engine trade (or skip trading) on days nobody has confirmed.
    """

    def __init__(
        self,
        market: str,
        calendar_id: str,
        requested: dt.date | str,
        covered_from: dt.date,
        covered_until: dt.date,
        hint: str = "",
    ) -> None:
        self.market = market
        self.calendar_id = calendar_id
        self.requested = requested
        self.covered_from = covered_from
        self.covered_until = covered_until
        message = (
            f"{market}: calendar {calendar_id} covers {covered_from.isoformat()} to "
            f"{covered_until.isoformat()} (last covered date {covered_until.isoformat()}); "
            f"asked about {requested}"
        )
        super().__init__(f"{message}; {hint}" if hint else message)
