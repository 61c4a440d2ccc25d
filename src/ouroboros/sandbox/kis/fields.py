"""Every official output field in every successful REST answer.

Handlers fill the fields the sandbox models (prices, volumes, quantities, orders, the book);
:func:`complete` then adds each remaining field of the endpoint's official set (``kisspec``,
from the OTA samples) with a neutral value - ``"N"`` for flags, ``""`` for codes, names, dates
and times, ``"0"`` for numbers - so a client that indexes any official field finds it.
"""

from __future__ import annotations

from typing import Any

from ouroboros import kisspec

BY_PATH: dict[str, kisspec.Endpoint] = {e.path: e for e in kisspec.endpoints()}
_TEXT_SUFFIXES: tuple[str, ...] = (
    *("_cd", "_code", "_name", "_nm", "name", "_dt", "date", "ymd", "tmd", "hour", "hms"),
    *("_addr", "_tlno", "_empno", "_odno", "_pdno", "_reas", "_rson", "_attr"),
)


def neutral(name: str) -> str:
    low = name.lower()
    if low.endswith("_yn"):
        return "N"
    if low.endswith(_TEXT_SUFFIXES) or low in ("rsym", "symb", "curr", "stat", "code", "excd"):
        return ""
    return "0"


def _fill(row: dict[str, Any], fields: tuple[str, ...]) -> None:
    present = {k.lower() for k in row}
    for f in fields:
        if f.lower() not in present:
            row[f] = neutral(f)


def complete(path: str, body: dict[str, Any]) -> None:
    """Add the official fields ``body`` lacks (in place); a no-op for unknown paths."""
    endpoint = BY_PATH.get(path)
    if endpoint is None or str(body.get("rt_cd", "0")) != "0":
        return
    for output in endpoint.outputs:
        if not output.name:
            continue
        value = body.setdefault(output.name, {} if output.kind == "object" else [])
        rows = [value] if isinstance(value, dict) else value
        for row in rows:
            if isinstance(row, dict):
                _fill(row, output.fields)
