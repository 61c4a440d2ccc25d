"""Our own calendar data: closure and special-hours files, their provenance, and applying them.

exchange-calendars does not cover Vietnam or China after 2026, and it lags behind one-off
decisions (a Korean election day, the Korean exam-day late open). Those facts live in small CSV
files under ``ouroboros/markets/holidays`` so that a maintainer can update a year from an
exchange notice without touching code. Each row carries its ``status`` and ``source``:

* ``official``    - taken from an exchange (or government) notice for that day;
* ``derived``     - follows from a law, a published government schedule or a fixed exchange
  practice, but no exchange notice for the day itself was checked;
* ``provisional`` - an estimate for a year whose schedule is not announced yet.

A file's ``# key: value`` header gives its coverage (``covered_from``, ``authoritative_until``,
``provisional_until``); rows after ``authoritative_until`` must be provisional, so a calendar
can refuse to treat estimates as facts unless the caller opts in.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from enum import Enum
from importlib import resources
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from ouroboros.markets.errors import CalendarDataError

if TYPE_CHECKING:
    import pandas as pd

COLUMNS = ("date", "kind", "open", "close", "name", "status", "source")
_HEADER_KEYS = ("covered_from", "authoritative_until", "provisional_until")


class AdjustmentKind(Enum):
    CLOSED = "closed"
    HOURS = "hours"


class RowStatus(Enum):
    OFFICIAL = "official"
    DERIVED = "derived"
    PROVISIONAL = "provisional"


@dataclass(frozen=True, slots=True)
class Adjustment:
    """One row: a closed weekday, or a day with special local hours (``open``..``close``)."""

    day: dt.date
    kind: AdjustmentKind
    open: dt.time | None
    close: dt.time | None
    name: str
    status: RowStatus
    source: str


@dataclass(frozen=True, slots=True)
class AdjustmentFile:
    origin: str
    rows: tuple[Adjustment, ...]
    covered_from: dt.date | None = None
    authoritative_until: dt.date | None = None
    provisional_until: dt.date | None = None

    def closed_days(self) -> list[dt.date]:
        return [r.day for r in self.rows if r.kind is AdjustmentKind.CLOSED]


def load_adjustments(filename: str) -> AdjustmentFile:
    """Read and validate one bundled file, e.g. ``"vn.csv"``."""
    resource = resources.files("ouroboros.markets.holidays").joinpath(filename)
    return parse_adjustments(resource.read_text(encoding="utf-8"), origin=filename)


def parse_adjustments(text: str, origin: str) -> AdjustmentFile:
    """Parse the CSV text of an adjustment file; errors name ``origin`` and the line."""
    header: dict[str, dt.date] = {}
    records: list[tuple[int, list[str]]] = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("#"):
            key, sep, value = stripped.lstrip("#").partition(":")
            if sep and key.strip() in _HEADER_KEYS:
                header[key.strip()] = _parse_date(value.strip(), origin, lineno)
        elif stripped:
            records.append((lineno, next(csv.reader([line]))))
    if not records or tuple(c.strip() for c in records[0][1]) != COLUMNS:
        found = records[0][1] if records else []
        raise CalendarDataError(f"{origin}: columns must be {','.join(COLUMNS)}, were {found}")
    rows = tuple(
        _parse_row(dict(zip(COLUMNS, _checked_fields(fields, origin, n), strict=True)), origin, n)
        for n, fields in records[1:]
    )
    result = AdjustmentFile(
        origin=origin,
        rows=rows,
        covered_from=header.get("covered_from"),
        authoritative_until=header.get("authoritative_until"),
        provisional_until=header.get("provisional_until"),
    )
    _validate(result)
    return result


def _checked_fields(fields: list[str], origin: str, lineno: int) -> list[str]:
    if len(fields) != len(COLUMNS):
        raise CalendarDataError(
            f"{origin}:{lineno}: expected {len(COLUMNS)} fields, found {len(fields)}"
        )
    return fields


def _parse_date(text: str, origin: str, lineno: int) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CalendarDataError(f"{origin}:{lineno}: invalid date, was {text!r}") from None


def _parse_time(text: str, origin: str, lineno: int) -> dt.time | None:
    if not text:
        return None
    try:
        return dt.time.fromisoformat(text)
    except ValueError:
        raise CalendarDataError(f"{origin}:{lineno}: invalid time, was {text!r}") from None


def _parse_row(rec: dict[str, str], origin: str, lineno: int) -> Adjustment:
    where = f"{origin}:{lineno}"
    try:
        kind = AdjustmentKind(rec["kind"].strip())
        status = RowStatus(rec["status"].strip())
    except ValueError:
        raise CalendarDataError(
            f"{where}: kind must be closed|hours and status official|derived|provisional, "
            f"was {rec.get('kind')!r}/{rec.get('status')!r}"
        ) from None
    row = Adjustment(
        day=_parse_date(rec["date"].strip(), origin, lineno),
        kind=kind,
        open=_parse_time(rec["open"].strip(), origin, lineno),
        close=_parse_time(rec["close"].strip(), origin, lineno),
        name=rec["name"].strip(),
        status=status,
        source=rec["source"].strip(),
    )
    if not row.name or not row.source:
        raise CalendarDataError(f"{where}: every row needs a name and a source")
    if row.day.weekday() >= 5:
        raise CalendarDataError(f"{where}: {row.day} is a weekend day; list weekdays only")
    if row.kind is AdjustmentKind.HOURS:
        if row.open is None or row.close is None or not row.open < row.close:
            raise CalendarDataError(f"{where}: hours rows need open < close")
    elif row.open is not None or row.close is not None:
        raise CalendarDataError(f"{where}: closed rows take no open/close")
    return row


def _validate(f: AdjustmentFile) -> None:
    days = [r.day for r in f.rows]
    if days != sorted(days) or len(set(days)) != len(days):
        raise CalendarDataError(f"{f.origin}: rows must be sorted by date, one row per date")
    lo, auth, hi = f.covered_from, f.authoritative_until, f.provisional_until
    if (lo is None) != (hi is None) or (lo is None) != (auth is None):
        raise CalendarDataError(
            f"{f.origin}: give all of covered_from, authoritative_until, provisional_until or none"
        )
    if lo is None or auth is None or hi is None:
        return
    if not lo - dt.timedelta(days=1) <= auth <= hi:
        raise CalendarDataError(
            f"{f.origin}: need covered_from - 1 day <= authoritative_until <= provisional_until"
        )
    for r in f.rows:
        if not lo <= r.day <= hi:
            raise CalendarDataError(f"{f.origin}: {r.day} lies outside {lo}..{hi}")
        if (r.day > auth) != (r.status is RowStatus.PROVISIONAL):
            raise CalendarDataError(
                f"{f.origin}: {r.day} is {r.status.value}, but rows after authoritative_until "
                f"{auth} must be provisional and rows up to it must not be"
            )


def apply_adjustments(
    frame: pd.DataFrame, rows: tuple[Adjustment, ...], tz: str, origin: str
) -> pd.DataFrame:
    """Drop closed days from a schedule frame and set special hours (see ``schedule``).

    A closure the frame already lacks is accepted (the upstream calendar caught up). Special
    hours on a day that is not a session are a data error. The regular lunch break is kept only
    if it still fits inside the special hours.
    """
    import pandas as pd

    zone = ZoneInfo(tz)
    out = frame.copy()
    closed = [pd.Timestamp(r.day) for r in rows if r.kind is AdjustmentKind.CLOSED]
    out = out.drop(index=[d for d in closed if d in out.index])
    for r in rows:
        if r.kind is not AdjustmentKind.HOURS or r.open is None or r.close is None:
            continue
        label = pd.Timestamp(r.day)
        if label not in out.index:
            raise CalendarDataError(f"{origin}: {r.day} sets hours but is not a session")
        for column, local in (("open", r.open), ("close", r.close)):
            instant = pd.Timestamp(dt.datetime.combine(r.day, local, zone)).tz_convert("UTC")
            out.loc[label, column] = instant
    return out
