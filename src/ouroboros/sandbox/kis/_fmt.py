"""Wire formatting shared by the sandbox's handlers: string numbers, KST dates, paging."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import TypeVar

from ouroboros.kisspec import KST

T = TypeVar("T")


def num(value: Decimal | int, places: int | None = None) -> str:
    """A KIS string number: plain digits, no exponent (``"71000"``, ``"227.5000"``)."""
    d = Decimal(value)
    if places is not None:
        d = d.quantize(Decimal(1).scaleb(-places))
    elif d == d.to_integral_value():
        d = d.quantize(Decimal(1))
    return format(d, "f")


def ymd(ts: datetime) -> str:
    return ts.astimezone(KST).strftime("%Y%m%d")


def hms(ts: datetime) -> str:
    return ts.astimezone(KST).strftime("%H%M%S")


def page(rows: Sequence[T], size: int, cursor: str) -> tuple[list[T], str, str]:
    """Rows for one page, the next cursor ('' when done) and the ``tr_cont`` response header.

    ``F``/``M`` mean more data follows (first/middle page), ``D``/``E`` mean this is the last
    page - the reference (§3) treats F/M and D/E alike, so the sandbox emits all four.
    """
    start = int(cursor) if cursor.strip().isdigit() else 0
    chunk = list(rows[start : start + size])
    more = start + size < len(rows)
    first = start == 0
    if more:
        return chunk, str(start + size), "F" if first else "M"
    return chunk, "", "E" if first else "D"
