"""KIS's own published vocabulary, kept as data: field sets, frame layouts, markets, tr_ids.

The files in ``data/`` are facts taken from the official samples (``koreainvestment/
open-trading-api``, the commit is in each file): ``rest.json`` has the output fields of every
endpoint the sandbox serves (the keys of each sample's ``COLUMN_MAPPING``, in order),
``realtime.json`` the ``^``-separated column lists of the WebSocket frames, ``markets.json`` the
exchange/currency/tr_id table. Both the client (``ouroboros.brokers.kis``) and the sandbox
(``ouroboros.sandbox.kis``) read them, and neither reads the other's code, so a wrong fact shows
up as a disagreement with KIS, not as two copies agreeing with each other.

This module only loads; it imports nothing from the rest of Ouroboros.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta, timezone
from functools import cache
from pathlib import Path
from typing import Any

_DATA = Path(__file__).with_name("data")


def _load(name: str) -> dict[str, Any]:
    with (_DATA / name).open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


_MARKETS = _load("markets.json")

KST = timezone(timedelta(hours=int(_MARKETS["kst_utc_offset_hours"])), "KST")
"""Korea Standard Time, in which KIS states every domestic time (UTC+9, no DST)."""


@dataclass(frozen=True, slots=True)
class Output:
    name: str  # "output", "output1", ... ("" for the token endpoints' bare body)
    kind: str  # "object" | "array"
    fields: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Endpoint:
    name: str
    path: str
    tr_id_real: tuple[str, ...]
    tr_id_virtual: tuple[str, ...]
    source: str
    outputs: tuple[Output, ...]

    def fields(self) -> tuple[str, ...]:
        return tuple(f for o in self.outputs for f in o.fields)


@dataclass(frozen=True, slots=True)
class Market:
    venue: str
    excd: str
    ovrs_excg_cd: str
    currency: str
    natn_cd: str
    prdt_type_cd: str
    buy: tuple[str, str]  # (real, virtual)
    sell: tuple[str, str]
    revise_cancel: tuple[str, str]
    tz: str
    notice_price_decimals: int


@cache
def _rest() -> dict[str, Any]:
    return _load("rest.json")


@cache
def _realtime() -> dict[str, Any]:
    return _load("realtime.json")


def source_commit() -> str:
    return str(_rest()["source"]["commit"])


def endpoint(name: str) -> Endpoint:
    """One endpoint by name (``domestic/inquire-price``); KeyError names the unknown one."""
    raw = _rest()["endpoints"].get(name)
    if raw is None:
        raise KeyError(f"no KIS endpoint {name!r} in kisspec/data/rest.json")
    extra = raw.get("supplement", {}).get("outputs", {})  # fields the OTA map omits (sourced)
    outputs = tuple(
        Output(o, str(v["kind"]), (*v["fields"], *extra.get(o, ())))
        for o, v in raw["outputs"].items()
    )
    return Endpoint(
        name,
        str(raw["path"]),
        tuple(raw["tr_id_real"]),
        tuple(raw["tr_id_virtual"]),
        str(raw["source"]),
        outputs,
    )


def endpoints() -> list[Endpoint]:
    return [endpoint(n) for n in _rest()["endpoints"]]


def columns(tr_id: str) -> tuple[str, ...]:
    """The ``^``-separated column names of one real-time frame, in wire order."""
    frames = _realtime()["frames"]
    raw = frames.get(tr_id)
    if raw is None:
        raise KeyError(f"no KIS real-time frame {tr_id!r} in kisspec/data/realtime.json")
    if "same_as" in raw:
        raw = frames[raw["same_as"]]
    return tuple(raw["columns"])


def frame_ids() -> list[str]:
    return list(_realtime()["frames"])


def markets() -> list[Market]:
    return [
        Market(
            str(m["venue"]),
            str(m["excd"]),
            str(m["ovrs_excg_cd"]),
            str(m["currency"]),
            str(m["natn_cd"]),
            str(m["prdt_type_cd"]),
            (m["buy"][0], m["buy"][1]),
            (m["sell"][0], m["sell"][1]),
            (m["revise_cancel"][0], m["revise_cancel"][1]),
            str(m["tz"]),
            int(m["notice_price_decimals"]),
        )
        for m in _MARKETS["markets"]
    ]


def legacy_order_tr_ids() -> dict[str, tuple[str, ...]]:
    return {k: tuple(v) for k, v in _MARKETS["legacy_order_tr_ids"].items()}
