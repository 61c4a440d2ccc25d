"""Where each calendar's sessions come from, built lazily once per process.

* ``XNYS``, ``XKRX``, ``XTKS``, ``XHKG``: exchange-calendars, window 2000-01-01 to the latest
  year it supports (XHKG stops at 2049; the rule-based ones are capped at 2050). ``XKRX`` gets
  the corrections in ``holidays/kr.csv`` (exam-day hours, closures exchange-calendars lacks).
* ``XSHG``: exchange-calendars up to 2026-12-31 (its holiday data ends there), then the
  weekday calendar of ``holidays/cn.csv``. Shanghai and Shenzhen share it.
* ``VN``: the weekday calendar of ``holidays/vn.csv``; HOSE and HNX share it.

Building XKRX takes seconds (it computes Korean lunar holidays), so every table is built on first
use and cached for the life of the process, behind a lock so concurrent first calls build once.
"""

from __future__ import annotations

import datetime as dt
import threading
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import numpy.typing as npt

from ouroboros.markets.adjustments import AdjustmentFile, apply_adjustments, load_adjustments
from ouroboros.markets.errors import CalendarDataError
from ouroboros.markets.schedule import ScheduleTable, table_from_frame

if TYPE_CHECKING:
    import pandas as pd

XCALS_START: Final = dt.date(2000, 1, 1)


class CalendarId(StrEnum):
    """A calendar shared by one or more markets."""

    XKRX = "XKRX"
    XNYS = "XNYS"
    XTKS = "XTKS"
    XHKG = "XHKG"
    XSHG = "XSHG"
    VN = "VN"


@dataclass(frozen=True, slots=True)
class CalendarData:
    """A built calendar: its sessions (provisional rows included) and how far they are facts."""

    calendar_id: CalendarId
    tz: str
    table: ScheduleTable
    authoritative_until: dt.date
    source: str


@dataclass(frozen=True, slots=True)
class WeekdayHours:
    """Regular local hours of a Monday-to-Friday market with an optional lunch break."""

    tz: str
    open: dt.time
    close: dt.time
    break_start: dt.time | None = None
    break_end: dt.time | None = None


VN_HOURS: Final = WeekdayHours(
    "Asia/Ho_Chi_Minh", dt.time(9), dt.time(15), dt.time(11, 30), dt.time(13)
)
CN_HOURS: Final = WeekdayHours(
    "Asia/Shanghai", dt.time(9, 30), dt.time(15), dt.time(11, 30), dt.time(13)
)


def _minutes(t: dt.time) -> int:
    return t.hour * 60 + t.minute


# --- exchange-calendars ------------------------------------------------------------------


def _xcals_calendar(name: str, end: dt.date) -> Any:
    """Construct an exchange-calendars calendar (imported lazily: the import alone costs 0.5 s).

    exchange-calendars 4.13 trips pandas 3.1's ``Pandas4Warning`` deprecations while building;
    the values are right, so those warnings (and only those) are silenced here.
    """
    import exchange_calendars as xcals
    import pandas as pd

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pd.errors.Pandas4Warning)
        return xcals.get_calendar(name, start=XCALS_START.isoformat(), end=end.isoformat())


def _regular_minutes(
    times: Sequence[tuple[Any, dt.time | None]], days: pd.DatetimeIndex
) -> npt.NDArray[np.int64]:
    """The regular local time in force on each day, from xcals' ``open_times``-style tuples."""
    import pandas as pd

    out = np.full(len(days), -1, dtype=np.int64)
    for start, t in times:
        if t is None:
            continue
        mask = np.ones(len(days), dtype=bool) if start is None else days >= pd.Timestamp(start)
        out[mask] = _minutes(t)
    return out


def xcals_frame(name: str, end: dt.date) -> tuple[pd.DataFrame, str]:
    """The schedule frame of an exchange-calendars calendar, and its time zone."""
    import pandas as pd

    cal = _xcals_calendar(name, end)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pd.errors.Pandas4Warning)
        schedule = cal.schedule
        frame = pd.DataFrame(
            {col: schedule[col] for col in ("open", "break_start", "break_end", "close")}
        )
        days = pd.DatetimeIndex(schedule.index)
        frame["regular_open"] = _regular_minutes(cal.open_times, days)
        frame["regular_close"] = _regular_minutes(cal.close_times, days)
    frame.index = days.tz_localize(None) if days.tz is not None else days
    return frame, str(cal.tz)


# --- our weekday calendars -----------------------------------------------------------------


def weekday_frame(hours: WeekdayHours, first_day: dt.date, last_day: dt.date) -> pd.DataFrame:
    """Every weekday between the two days at the regular hours (holidays not yet removed)."""
    import pandas as pd

    days = pd.bdate_range(first_day, last_day)

    def at(t: dt.time | None) -> pd.Series:
        if t is None:
            return pd.Series(pd.NaT, index=days, dtype="datetime64[ns, UTC]")
        local = (days + pd.Timedelta(minutes=_minutes(t))).tz_localize(hours.tz)
        return pd.Series(local.tz_convert("UTC"), index=days)

    frame = pd.DataFrame(
        {
            "open": at(hours.open),
            "break_start": at(hours.break_start),
            "break_end": at(hours.break_end),
            "close": at(hours.close),
        }
    )
    frame["regular_open"] = _minutes(hours.open)
    frame["regular_close"] = _minutes(hours.close)
    return frame


def holiday_file_table(hours: WeekdayHours, data: AdjustmentFile) -> tuple[ScheduleTable, dt.date]:
    """A weekday calendar minus the file's closures; returns the table and its authoritative end."""
    first, authoritative, last = (
        data.covered_from,
        data.authoritative_until,
        data.provisional_until,
    )
    if first is None or authoritative is None or last is None:
        raise CalendarDataError(f"{data.origin}: a holiday file needs its coverage header")
    frame = apply_adjustments(weekday_frame(hours, first, last), data.rows, hours.tz, data.origin)
    return table_from_frame(frame, tz=hours.tz, first_day=first, last_day=last), authoritative


# --- recipes -------------------------------------------------------------------------------


def _plain_xcals(cid: CalendarId, end: dt.date) -> CalendarData:
    frame, tz = xcals_frame(cid.value, end)
    table = table_from_frame(frame, tz=tz, first_day=XCALS_START, last_day=end)
    return CalendarData(cid, tz, table, end, f"exchange-calendars {cid.value}")


def _build_xnys() -> CalendarData:
    return _plain_xcals(CalendarId.XNYS, dt.date(2050, 12, 31))


def _build_xtks() -> CalendarData:
    return _plain_xcals(CalendarId.XTKS, dt.date(2050, 12, 31))


def _build_xhkg() -> CalendarData:
    return _plain_xcals(CalendarId.XHKG, dt.date(2049, 12, 31))


def _build_xkrx() -> CalendarData:
    end = dt.date(2050, 12, 31)
    frame, tz = xcals_frame("XKRX", end)
    fixes = load_adjustments("kr.csv")
    frame = apply_adjustments(frame, fixes.rows, tz, fixes.origin)
    table = table_from_frame(frame, tz=tz, first_day=XCALS_START, last_day=end)
    return CalendarData(CalendarId.XKRX, tz, table, end, "exchange-calendars XKRX + kr.csv")


XSHG_LAST_DAY: Final = dt.date(2026, 12, 31)


def _build_xshg() -> CalendarData:
    frame, tz = xcals_frame("XSHG", XSHG_LAST_DAY)
    head = table_from_frame(frame, tz=tz, first_day=XCALS_START, last_day=XSHG_LAST_DAY)
    tail, authoritative_until = holiday_file_table(CN_HOURS, load_adjustments("cn.csv"))
    return CalendarData(
        CalendarId.XSHG,
        tz,
        head.followed_by(tail),
        max(authoritative_until, XSHG_LAST_DAY),
        "exchange-calendars XSHG to 2026 + cn.csv",
    )


def _build_vn() -> CalendarData:
    table, authoritative_until = holiday_file_table(VN_HOURS, load_adjustments("vn.csv"))
    return CalendarData(CalendarId.VN, VN_HOURS.tz, table, authoritative_until, "vn.csv")


_RECIPES: Final[dict[CalendarId, Callable[[], CalendarData]]] = {
    CalendarId.XNYS: _build_xnys,
    CalendarId.XKRX: _build_xkrx,
    CalendarId.XTKS: _build_xtks,
    CalendarId.XHKG: _build_xhkg,
    CalendarId.XSHG: _build_xshg,
    CalendarId.VN: _build_vn,
}
_BUILT: dict[CalendarId, CalendarData] = {}
_LOCK = threading.Lock()


def calendar_data(cid: CalendarId) -> CalendarData:
    """The built calendar ``cid``; the first call in a process loads it from the disk cache
    (``markets/cache.py``) or builds it, later calls reuse it."""
    built = _BUILT.get(cid)
    if built is not None:
        return built
    with _LOCK:
        if cid not in _BUILT:
            from ouroboros.markets.cache import cached

            _BUILT[cid] = cached(cid, _RECIPES[cid])
        return _BUILT[cid]
