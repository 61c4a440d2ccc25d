"""``ScheduleTable``: every session of one calendar as aligned int64 arrays.

All calendars, whatever their source (exchange-calendars or our holiday files), are reduced to
this one shape, so the query logic (open? next open? sessions between?) is written and tested
once. Instants are int64 nanoseconds since the epoch (UTC); ``NAT_NS`` marks "no break".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import numpy as np
import numpy.typing as npt

from ouroboros.markets.session import Session
from ouroboros.markets.timeutil import from_ns

if TYPE_CHECKING:
    import pandas as pd

NAT_NS: Final = int(np.iinfo(np.int64).min)
FRAME_COLUMNS: Final = (
    "open",
    "break_start",
    "break_end",
    "close",
    "regular_open",
    "regular_close",
)

Int64Array = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
DayArray = npt.NDArray[np.datetime64]


@dataclass(frozen=True, slots=True, eq=False)
class ScheduleTable:
    """Sessions between ``first_day`` and ``last_day`` (local dates, both inclusive).

    The range is what the table *knows*: a weekday inside it without a row is a holiday, a day
    outside it is unknown. ``open_events``/``close_events`` are the sorted instants at which the
    market starts/stops trading, lunch breaks included.
    """

    first_day: dt.date
    last_day: dt.date
    days: DayArray
    opens: Int64Array
    break_starts: Int64Array
    break_ends: Int64Array
    closes: Int64Array
    early_closes: BoolArray
    late_opens: BoolArray
    open_events: Int64Array
    close_events: Int64Array

    def __post_init__(self) -> None:
        n = len(self.days)
        arrays = (self.opens, self.break_starts, self.break_ends, self.closes)
        if any(len(a) != n for a in (*arrays, self.early_closes, self.late_opens)):
            raise ValueError("schedule arrays must have one entry per session")
        if self.first_day > self.last_day:
            raise ValueError(f"schedule range is empty: {self.first_day} > {self.last_day}")
        if n == 0:
            return
        if self.days[0] < np.datetime64(self.first_day, "D") or self.days[-1] > np.datetime64(
            self.last_day, "D"
        ):
            raise ValueError("schedule sessions must lie inside first_day..last_day")
        if np.any(np.diff(self.days.astype(np.int64)) <= 0):
            raise ValueError("schedule days must be strictly increasing")
        if np.any(self.opens >= self.closes) or np.any(self.closes[:-1] > self.opens[1:]):
            raise ValueError("schedule sessions must be non-empty and must not overlap")
        has_break = self.break_starts != NAT_NS
        if np.any(has_break != (self.break_ends != NAT_NS)):
            raise ValueError("schedule breaks need both ends")
        inside = (self.opens < self.break_starts) & (self.break_starts < self.break_ends)
        inside &= self.break_ends < self.closes
        if np.any(has_break & ~inside):
            raise ValueError("schedule breaks must lie strictly inside their session")

    def __len__(self) -> int:
        return len(self.days)

    def session(self, i: int) -> Session:
        """The ``i``-th session as a value object."""
        has_break = int(self.break_starts[i]) != NAT_NS
        return Session(
            date=self.days[i].astype(dt.date),
            open=from_ns(int(self.opens[i])),
            close=from_ns(int(self.closes[i])),
            break_start=from_ns(int(self.break_starts[i])) if has_break else None,
            break_end=from_ns(int(self.break_ends[i])) if has_break else None,
            early_close=bool(self.early_closes[i]),
            late_open=bool(self.late_opens[i]),
        )

    def index_of(self, day: dt.date) -> int | None:
        """Row of the session on ``day``, or None if ``day`` is not a session."""
        target = np.datetime64(day, "D")
        i = int(np.searchsorted(self.days, target))
        return i if i < len(self.days) and self.days[i] == target else None

    def day_range(self, start: dt.date, end: dt.date) -> range:
        """Rows of the sessions whose date is in ``start..end`` (inclusive)."""
        lo = int(np.searchsorted(self.days, np.datetime64(start, "D"), side="left"))
        hi = int(np.searchsorted(self.days, np.datetime64(end, "D"), side="right"))
        return range(lo, hi)

    def truncated(self, last_day: dt.date) -> ScheduleTable:
        """The same table forgetting every day after ``last_day``."""
        if last_day >= self.last_day:
            return self
        keep = self.days <= np.datetime64(last_day, "D")
        return assemble(self.first_day, last_day, self.days[keep], *self._columns(keep))

    def followed_by(self, later: ScheduleTable) -> ScheduleTable:
        """This table continued by ``later``, which must start the day after this one ends."""
        if later.first_day != self.last_day + dt.timedelta(days=1):
            raise ValueError(
                f"tables do not join: one ends {self.last_day}, the next starts {later.first_day}"
            )
        every = slice(None)
        cols = [
            np.concatenate(pair)
            for pair in zip(self._columns(every), later._columns(every), strict=True)
        ]
        return assemble(
            self.first_day, later.last_day, np.concatenate([self.days, later.days]), *cols
        )

    def _columns(
        self, keep: BoolArray | slice
    ) -> tuple[Int64Array, Int64Array, Int64Array, Int64Array, BoolArray, BoolArray]:
        return (
            self.opens[keep],
            self.break_starts[keep],
            self.break_ends[keep],
            self.closes[keep],
            self.early_closes[keep],
            self.late_opens[keep],
        )


def assemble(
    first_day: dt.date,
    last_day: dt.date,
    days: DayArray,
    opens: Int64Array,
    break_starts: Int64Array,
    break_ends: Int64Array,
    closes: Int64Array,
    early_closes: BoolArray,
    late_opens: BoolArray,
) -> ScheduleTable:
    has_break = break_starts != NAT_NS
    open_events = np.sort(np.concatenate([opens, break_ends[has_break]]))
    close_events = np.sort(np.concatenate([closes, break_starts[has_break]]))
    return ScheduleTable(
        first_day=first_day,
        last_day=last_day,
        days=days.astype("datetime64[D]"),
        opens=opens.astype(np.int64),
        break_starts=break_starts.astype(np.int64),
        break_ends=break_ends.astype(np.int64),
        closes=closes.astype(np.int64),
        early_closes=early_closes.astype(bool),
        late_opens=late_opens.astype(bool),
        open_events=open_events,
        close_events=close_events,
    )


def _utc_ns(column: pd.Series) -> Int64Array:
    """A ``datetime64[ns, UTC]`` column as int64 ns with ``NAT_NS`` for missing values."""
    import pandas as pd

    values = pd.to_datetime(column, utc=True).dt.tz_convert(None).astype("datetime64[ns]")
    return values.to_numpy().astype(np.int64)


def _local_minutes(ns: Int64Array, tz: str) -> Int64Array:
    import pandas as pd

    local = pd.DatetimeIndex(ns.astype("datetime64[ns]")).tz_localize("UTC").tz_convert(tz)
    return np.asarray(local.hour * 60 + local.minute, dtype=np.int64)


def table_from_frame(
    frame: pd.DataFrame, *, tz: str, first_day: dt.date, last_day: dt.date
) -> ScheduleTable:
    """Build a table from a per-session frame.

    ``frame`` is indexed by the (naive) session date and has UTC ``open``, ``break_start``,
    ``break_end``, ``close`` columns (NaT for no break) plus ``regular_open``/``regular_close``:
    the market's normal local hours that day in minutes after midnight, against which early
    closes and late opens are judged. A break that no longer fits inside a shortened session
    (a half day ending at the lunch break) is dropped.
    """
    import pandas as pd

    missing = set(FRAME_COLUMNS) - set(frame.columns)
    if missing:
        raise ValueError(f"schedule frame lacks columns {sorted(missing)}")
    frame = frame.sort_index()
    opens = _utc_ns(frame["open"])
    closes = _utc_ns(frame["close"])
    break_starts = _utc_ns(frame["break_start"])
    break_ends = _utc_ns(frame["break_end"])
    fits = (opens < break_starts) & (break_starts < break_ends) & (break_ends < closes)
    fits &= (break_starts != NAT_NS) & (break_ends != NAT_NS)
    break_starts = np.where(fits, break_starts, NAT_NS)
    break_ends = np.where(fits, break_ends, NAT_NS)
    regular_open = frame["regular_open"].to_numpy(dtype=np.int64)
    regular_close = frame["regular_close"].to_numpy(dtype=np.int64)
    early = _local_minutes(closes, tz) < regular_close
    late = _local_minutes(opens, tz) > regular_open
    days = pd.DatetimeIndex(frame.index).to_numpy().astype("datetime64[D]")
    return assemble(first_day, last_day, days, opens, break_starts, break_ends, closes, early, late)
