"""The source-spec grammar: one string names any data source.

    bundled:NAME              NAME = AAPL | IBM | MSFT | GOOG | FB | all | AAPL,MSFT
    synthetic:KEY=VALUE,...   markets=KR,US_NYSE (or KR+US_NYSE), symbols=N, days=D, seed=S,
                              interval=1d|1m, start=YYYY-MM-DD, end=YYYY-MM-DD, patterns=K
    store:DIR                 a bar store root (layout <DIR>/<interval>/<VENUE>/<SYMBOL>.parquet)
    PATH                      a CSV/Parquet file, or a directory of them (or a store, or the
                              output of ``ouroboros data generate``)

In ``synthetic:`` a comma-separated item without ``=`` continues the previous key's list, so
``markets=KR,US_NYSE,symbols=5`` means two markets and five symbols each.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

from ouroboros.data.synthetic import SyntheticSpec
from ouroboros.errors import DataError

SourceKind = Literal["bundled", "synthetic", "store", "path"]
_SYNTHETIC_KEYS = ("markets", "symbols", "days", "seed", "interval", "start", "end", "patterns")


@dataclass(frozen=True, slots=True)
class SourceSpec:
    kind: SourceKind
    text: str
    name: str = ""
    path: Path | None = None
    synthetic: SyntheticSpec | None = None


def parse_source(text: str) -> SourceSpec:
    """Parse a source string; ``DataError`` names the part that is wrong."""
    raw = text.strip()
    if not raw:
        raise DataError("empty data source (use bundled:NAME, synthetic:..., store:DIR or a path)")
    head, sep, rest = raw.partition(":")
    kind = head.lower()
    if sep and kind == "bundled":
        if not rest.strip():
            raise DataError("bundled: needs a name, e.g. bundled:AAPL or bundled:all")
        return SourceSpec("bundled", raw, name=rest.strip())
    if sep and kind == "synthetic":
        return SourceSpec("synthetic", raw, synthetic=parse_synthetic(rest))
    if sep and kind == "store":
        return SourceSpec("store", raw, path=Path(rest.strip() or "data/bars"))
    return SourceSpec("path", raw, path=Path(raw))


def parse_synthetic(body: str) -> SyntheticSpec:
    """``markets=KR,US_NYSE,symbols=5,days=60,seed=1`` -> ``SyntheticSpec``."""
    values: dict[str, list[str]] = {}
    key: str | None = None
    for item in (p.strip() for p in body.split(",")):
        if not item:
            continue
        if "=" in item:
            key, _, value = (s.strip() for s in item.partition("="))
            key = key.lower()
            if key not in _SYNTHETIC_KEYS:
                raise DataError(
                    f"synthetic: unknown key {key!r} (known: {', '.join(_SYNTHETIC_KEYS)})"
                )
            if key in values:
                raise DataError(f"synthetic: key {key!r} given twice")
            values[key] = [value]
        elif key == "markets":
            values[key].append(item)
        else:
            raise DataError(f"synthetic: expected KEY=VALUE, was {item!r}")
    markets = tuple(
        m.strip().upper() for v in values.get("markets", []) for m in v.split("+") if m.strip()
    )
    default = SyntheticSpec()

    def text(key: str) -> str | None:
        return values[key][0] if key in values else None

    def number(key: str, fallback: int) -> int:
        raw = text(key)
        return fallback if raw is None else _int(key, raw)

    def day(key: str) -> date | None:
        raw = text(key)
        return None if raw is None else _date(key, raw)

    try:
        return SyntheticSpec(
            markets=markets or default.markets,
            symbols=number("symbols", default.symbols),
            days=number("days", default.days),
            seed=number("seed", default.seed),
            interval=(text("interval") or default.interval).lower(),
            start=day("start"),
            end=day("end") or default.end,
            patterns=number("patterns", -1) if "patterns" in values else None,
        )
    except ValueError as exc:
        raise DataError(f"synthetic: {exc}") from exc


def _int(key: str, value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise DataError(f"synthetic: {key} must be an integer, was {value!r}") from None


def _date(key: str, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise DataError(f"synthetic: {key} must be a date YYYY-MM-DD, was {value!r}") from None
