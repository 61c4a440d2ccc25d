"""``Session``: one trading day of one market, and the 1-minute grid inside it.

Times are UTC instants; only ``date`` is local (the exchange's own trading date, which for
Asian markets is one day ahead of the UTC date of a US evening).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ouroboros.markets.timeutil import NS_PER_MINUTE, require_aware, to_ns

MinuteArray = npt.NDArray[np.datetime64]


@dataclass(frozen=True, slots=True)
class Session:
    """A trading session.

    ``break_start``/``break_end`` bound the lunch break (both or neither). ``early_close`` and
    ``late_open`` compare against the market's regular hours *in force on that date* (so Tokyo's
    15:00 close before the 2024-11-05 extension is not an early close).
    """

    date: dt.date
    open: dt.datetime
    close: dt.datetime
    break_start: dt.datetime | None = None
    break_end: dt.datetime | None = None
    early_close: bool = False
    late_open: bool = False

    def __post_init__(self) -> None:
        for name in ("open", "close", "break_start", "break_end"):
            value = getattr(self, name)
            if value is not None and (value.tzinfo is None or value.utcoffset() != dt.timedelta(0)):
                raise ValueError(f"session {name} must be a UTC datetime, was {value!r}")
        if not self.open < self.close:
            raise ValueError(f"session open must precede close, was {self.open} >= {self.close}")
        if (self.break_start is None) != (self.break_end is None):
            raise ValueError("session break needs both break_start and break_end, or neither")
        if (
            self.break_start is not None
            and self.break_end is not None
            and not self.open < self.break_start < self.break_end < self.close
        ):
            raise ValueError(
                "session break must lie inside the session, was "
                f"{self.open}..[{self.break_start}..{self.break_end}]..{self.close}"
            )

    @property
    def has_break(self) -> bool:
        return self.break_start is not None

    @property
    def trading_time(self) -> dt.timedelta:
        """Time the market is open, lunch break excluded."""
        total = self.close - self.open
        if self.break_start is not None and self.break_end is not None:
            total -= self.break_end - self.break_start
        return total

    def contains(self, t: dt.datetime) -> bool:
        """Whether the market is open at ``t`` in this session (open inclusive, close exclusive)."""
        t = require_aware(t)
        if not self.open <= t < self.close:
            return False
        return not (
            self.break_start is not None
            and self.break_end is not None
            and self.break_start <= t < self.break_end
        )


def session_minutes(session: Session) -> MinuteArray:
    """Open times of the session's 1-minute bars as ``datetime64[ns]`` (UTC, tz-naive numpy).

    The bar opening at the lunch-break start or at the close does not exist; a session that
    ends on a partial minute keeps its last partial bar.
    """
    spans = [(session.open, session.close)]
    if session.break_start is not None and session.break_end is not None:
        spans = [(session.open, session.break_start), (session.break_end, session.close)]
    parts = [np.arange(to_ns(a), to_ns(b), NS_PER_MINUTE, dtype=np.int64) for a, b in spans]
    return np.concatenate(parts).astype("datetime64[ns]")
