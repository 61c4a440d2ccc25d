"""``load_source(spec)``: the one entry point from a source string to validated bars.

The engine and the CLI never care where bars come from: bundled package data, a CSV/Parquet
file or directory, a bar store, or the synthetic generator all come back as a ``SourceData``
with the long frame, one ``Panel`` per market, instrument metadata and a validation report.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ouroboros.data.bundled import BUNDLED, load_bundled, resolve_bundled
from ouroboros.data.calendars import CalendarLike
from ouroboros.data.frame import empty_frame, instrument_id_of, normalize, sort_bars
from ouroboros.data.loaders import is_bar_file, read_bar_file
from ouroboros.data.market_map import (
    market_calendar,
    market_of_symbol,
    market_tz,
    market_venue,
    parse_market,
)
from ouroboros.data.panel import Panel
from ouroboros.data.spec import SourceKind, SourceSpec, parse_source
from ouroboros.data.store import BarStore
from ouroboros.data.synthetic import PlantedPattern, generate
from ouroboros.data.synthetic.output import MANIFEST, MANIFEST_KIND
from ouroboros.data.validation import ValidationConfig, ValidationReport, validate, validate_file
from ouroboros.domain import Instrument
from ouroboros.errors import ConfigError, DataError

UNASSIGNED = "UNASSIGNED"  # panel key for bare symbols whose market is unknown
_INTERVAL_DIR = re.compile(r"^\d+[mhd]$")


@dataclass(frozen=True, slots=True)
class SourceData:
    """Bars from one source. ``frame`` is sorted by symbol then time; ``panels`` are keyed by
    market code; ``instruments`` and ``markets`` by frame symbol."""

    description: str
    kind: SourceKind
    interval: str
    frame: pd.DataFrame
    panels: dict[str, Panel]
    instruments: dict[str, Instrument]
    markets: dict[str, str]
    report: ValidationReport | None = None
    patterns: tuple[PlantedPattern, ...] = field(default=())

    @property
    def symbols(self) -> list[str]:
        return sorted(self.markets)


def load_source(
    source: str | SourceSpec,
    *,
    market: str | None = None,
    symbol: str | None = None,
    interval: str | None = None,
    validate_data: bool | None = None,
    strict: bool = True,
    config: ValidationConfig | None = None,
    calendar_for_market: Callable[[str], CalendarLike] = market_calendar,
) -> SourceData:
    """Load any source. ``market`` (e.g. ``KR``) places bare symbols of files on a venue and
    sets the zone of naive intraday times; ``symbol`` names a file without a symbol column.

    Files, stores and bundled data are validated against their markets' calendars unless
    ``validate_data`` is False (synthetic data only when it is True). With ``strict`` any
    validation *error* raises ``DataError`` listing the first problems; warnings never do.
    """
    spec = parse_source(source) if isinstance(source, str) else source
    code = parse_market_arg(market)
    check = validate_data if validate_data is not None else spec.kind != "synthetic"
    loaded = _load(spec, code, symbol, interval, config, calendar_for_market, check)
    if strict and loaded.report is not None:
        loaded.report.raise_for_errors()
    return loaded


def parse_market_arg(market: str | None) -> str | None:
    if market is None:
        return None
    try:
        return parse_market(market)
    except ValueError as exc:
        raise DataError(str(exc)) from exc


def _calendar_lookup(
    calendar_for_market: Callable[[str], CalendarLike],
) -> Callable[[str], CalendarLike | None]:
    cache: dict[str, CalendarLike] = {}

    def lookup(symbol: str) -> CalendarLike | None:
        code = market_of_symbol(symbol)
        if code is None:
            return None
        if code not in cache:
            cache[code] = calendar_for_market(code)
        return cache[code]

    return lookup


def _load(
    spec: SourceSpec,
    market: str | None,
    symbol: str | None,
    interval: str | None,
    config: ValidationConfig | None,
    calendar_for_market: Callable[[str], CalendarLike],
    check: bool,
) -> SourceData:
    lookup = _calendar_lookup(calendar_for_market)
    if spec.kind == "synthetic":
        if spec.synthetic is None:
            raise ConfigError(f"source {spec.text!r}: synthetic source without a generator spec")
        data = generate(spec.synthetic, calendar_for_market)
        frame = data.frame()
        report = (
            validate(frame, source=spec.text, calendar_for=lookup, config=config) if check else None
        )
        instruments = {str(i.id): i for i in data.instruments}
        panels = {code: m.panel for code, m in data.markets.items()}
        return _result(
            spec, spec.synthetic.interval, frame, instruments, report, data.patterns, panels
        )
    if spec.kind == "bundled":
        frame = load_bundled(spec.name)
        instruments = {
            d.instrument_id: Instrument.for_venue(d.instrument_id, name=d.company, sector=d.sector)
            for d in resolve_bundled(spec.name)
        }
        report = (
            validate(frame, source=spec.text, calendar_for=lookup, config=config) if check else None
        )
        return _result(spec, "1d", frame, instruments, report)
    if spec.kind == "store" or _looks_like_store(_path_of(spec)):
        return _load_store(spec, interval, lookup, config, check)
    return _load_path(spec, market, symbol, interval, lookup, config, check)


def _path_of(spec: SourceSpec) -> Path:
    if spec.path is None:
        raise ConfigError(f"source {spec.text!r} ({spec.kind}) names no path")
    return spec.path


def _looks_like_store(path: Path) -> bool:
    return path.is_dir() and any(p.is_dir() and _INTERVAL_DIR.match(p.name) for p in path.iterdir())


def _load_store(
    spec: SourceSpec,
    interval: str | None,
    lookup: Callable[[str], CalendarLike | None],
    config: ValidationConfig | None,
    check: bool,
) -> SourceData:
    store = BarStore(_path_of(spec))
    have = store.intervals()
    if not have:
        raise DataError(f"{spec.path}: no bar store here (expected <interval>/<VENUE>/*.parquet)")
    chosen = interval or ("1d" if "1d" in have or len(have) != 1 else have[0])
    if chosen not in have:
        raise DataError(f"{spec.path}: no {chosen} bars in the store (has {', '.join(have)})")
    frame = store.read(interval=chosen)
    instruments = {s: Instrument.for_venue(s) for s in frame["symbol"].unique()}
    report = None
    if check:
        report = validate(
            frame, source=str(spec.path), calendar_for=lookup, interval=chosen, config=config
        )
    return _result(spec, chosen, frame, instruments, report)


def _load_path(
    spec: SourceSpec,
    market: str | None,
    symbol: str | None,
    interval: str | None,
    lookup: Callable[[str], CalendarLike | None],
    config: ValidationConfig | None,
    check: bool,
) -> SourceData:
    path = _path_of(spec)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if is_bar_file(p))
        if not files:
            raise DataError(f"{path}: no CSV or Parquet bar files in this directory")
        if symbol is not None and len(files) > 1:
            raise DataError(f"{path}: --symbol names one file's symbol, but there are {len(files)}")
    elif path.is_file():
        files = [path]
    else:
        raise DataError(
            f"{spec.text}: no such file or directory "
            "(sources are bundled:NAME, synthetic:..., store:DIR or a path)"
        )
    venue = market_venue(market).value if market else None
    tz = market_tz(market) if market else None
    manifest = _read_manifest(path) if path.is_dir() else None
    frames, report = [], ValidationReport()
    intervals = set()
    for file in files:
        bars = read_bar_file(file, symbol=symbol, venue=venue, tz=tz, interval=interval)
        intervals.add(bars.interval)
        frames.append(bars.frame)
        if check:
            report = report.merge(validate_file(bars, calendar_for=lookup, config=config))
    if len(intervals) > 1:
        raise DataError(f"{path}: files mix bar intervals {sorted(intervals)}; load them apart")
    frame = pd.concat(frames, ignore_index=True) if frames else empty_frame()
    instruments = _instruments(frame, manifest)
    return _result(spec, intervals.pop(), frame, instruments, report if check else None)


def _read_manifest(directory: Path) -> dict[str, Any] | None:
    path = directory / MANIFEST
    if not path.is_file():
        return None
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DataError(f"{path}: unreadable manifest ({exc})") from exc
    return doc if isinstance(doc, dict) and doc.get("kind") == MANIFEST_KIND else None


def _instruments(frame: pd.DataFrame, manifest: dict[str, Any] | None) -> dict[str, Instrument]:
    """Instruments for the qualified symbols (names and sectors from a manifest if any)."""
    known = {d.instrument_id: d for d in BUNDLED.values()}
    meta = {i["id"]: i for i in (manifest or {}).get("instruments", [])}
    out: dict[str, Instrument] = {}
    for sym in frame["symbol"].unique():
        if instrument_id_of(str(sym)) is None:
            continue
        info = meta.get(sym, {})
        if sym in known and not info:
            info = {"name": known[sym].company, "sector": known[sym].sector}
        out[str(sym)] = Instrument.for_venue(
            str(sym), name=info.get("name", ""), sector=info.get("sector", "")
        )
    return out


def _result(
    spec: SourceSpec,
    interval: str,
    frame: pd.DataFrame,
    instruments: dict[str, Instrument],
    report: ValidationReport | None,
    patterns: list[PlantedPattern] | None = None,
    panels: dict[str, Panel] | None = None,
) -> SourceData:
    """Sort the frame and build one Panel per market (unless the source already has them).
    Rows without a timestamp and repeated (symbol, ts) rows are left out of the panels."""
    data = sort_bars(normalize(frame))
    clean = data.dropna(subset=["ts"]).drop_duplicates(["symbol", "ts"], keep="first")
    markets = {str(s): market_of_symbol(str(s)) or UNASSIGNED for s in clean["symbol"].unique()}
    if panels is None:
        panels = {}
        by_market = clean["symbol"].map(markets)
        for code in sorted(set(markets.values())):
            panels[code] = Panel.from_long(clean[by_market == code], interval=interval)
    return SourceData(
        description=spec.text,
        kind=spec.kind,
        interval=interval,
        frame=data,
        panels=panels,
        instruments=instruments,
        markets=markets,
        report=report,
        patterns=tuple(patterns or ()),
    )


def load_file(
    path: Path | str,
    *,
    symbol: str | None = None,
    market: str | None = None,
    interval: str | None = None,
    strict: bool = True,
    config: ValidationConfig | None = None,
) -> pd.DataFrame:
    """One CSV/Parquet file (or a directory of them) as a sorted long frame, validated
    against the market calendar; in ``strict`` mode any error raises ``DataError``."""
    spec = SourceSpec("path", str(path), path=Path(path))
    loaded = load_source(
        spec, market=market, symbol=symbol, interval=interval, strict=strict, config=config
    )
    return loaded.frame
