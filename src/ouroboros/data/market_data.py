"""Bars from a chain of sources with fallback (seed 003: Alpaca, then yfinance, then the store).

Each source implements :class:`BarSource` and returns a long bar frame (``frame.py``). The
service asks them in order; a source that fails (an error, no rows, or bars that do not pass
validation) is skipped, the fallback is counted in ``trading_market_data_fallbacks_total``
(labelled ``from -> to``) and logged, and the next source is asked. Only data that validates
leaves the service. The remote sources live at the edge (``brokers.alpaca.market_data``); this
module has no I/O of its own beyond the bar store.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar, Protocol

import pandas as pd

from ouroboros.data.calendars import CalendarLike
from ouroboros.data.frame import empty_frame, normalize, sort_bars
from ouroboros.data.market_map import calendar_for_symbol
from ouroboros.data.store import BarStore
from ouroboros.data.validation import ValidationConfig, ValidationReport, validate
from ouroboros.errors import DataError, InvariantError, OuroborosError

log = logging.getLogger("ouroboros.data.market_data")

FALLBACK_METRIC = "trading_market_data_fallbacks_total"


class BarSource(Protocol):
    """One place bars come from. ``symbols`` are instrument ids (``AAPL.NASDAQ``)."""

    name: str

    async def bars(
        self, symbols: list[str], interval: str, start: dt.date, end: dt.date
    ) -> pd.DataFrame: ...


@dataclass(slots=True)
class StoreSource:
    """The local bar store: the last resort, and what ``data import`` fills."""

    store: BarStore
    name: str = "store"

    async def bars(
        self, symbols: list[str], interval: str, start: dt.date, end: dt.date
    ) -> pd.DataFrame:
        return self.store.read(symbols, interval, start, end)


@dataclass(frozen=True, slots=True)
class BarsResult:
    frame: pd.DataFrame
    source: str
    report: ValidationReport
    skipped: tuple[str, ...] = ()
    """Why each earlier source was passed over (``name: reason``)."""


@dataclass(slots=True)
class MarketDataService:
    sources: list[BarSource]
    validation: ValidationConfig | None = None
    calendar_for: Callable[[str], CalendarLike | None] = calendar_for_symbol
    fallbacks: Counter[str] = field(default_factory=Counter)
    """``trading_market_data_fallbacks_total`` by ``"from->to"`` (``to`` is ``none`` when all
    sources failed)."""

    def __post_init__(self) -> None:
        if not self.sources:
            raise ValueError("a market data service needs at least one source")

    async def bars(
        self, symbols: list[str], interval: str, start: dt.date, end: dt.date
    ) -> BarsResult:
        if not symbols:
            raise DataError("no symbols requested")
        skipped: list[str] = []
        for i, source in enumerate(self.sources):
            problem, frame, report = await self._try(source, symbols, interval, start, end)
            if not problem:
                if frame is None or report is None:
                    raise InvariantError(
                        "a market-data source returned without its frame and report"
                    )
                return BarsResult(frame, source.name, report, tuple(skipped))
            skipped.append(f"{source.name}: {problem}")
            nxt = self.sources[i + 1].name if i + 1 < len(self.sources) else "none"
            self.fallbacks[f"{source.name}->{nxt}"] += 1
            log.warning("%s{from=%s,to=%s} += 1: %s", FALLBACK_METRIC, source.name, nxt, problem)
        raise DataError(f"no source had valid {interval} bars for {symbols}: " + "; ".join(skipped))

    async def _try(
        self, source: BarSource, symbols: list[str], interval: str, start: dt.date, end: dt.date
    ) -> tuple[str, pd.DataFrame | None, ValidationReport | None]:
        try:
            frame = await source.bars(symbols, interval, start, end)
        except (OuroborosError, OSError, ValueError) as exc:
            return f"{type(exc).__name__}: {exc}", None, None
        if frame.empty:
            return "no bars", None, None
        missing = sorted(set(symbols) - set(frame["symbol"].astype(str)))
        if missing:
            return f"no bars for {missing}", None, None
        frame = sort_bars(frame)
        report = validate(
            frame,
            source=source.name,
            calendar_for=self.calendar_for,
            interval=interval,
            config=self.validation,
        )
        if not report.ok:
            first = report.errors[0]
            return f"{len(report.errors)} validation error(s), first: {first}", None, None
        return "", frame, report


YahooHistory = Callable[[str, dt.date, dt.date, str], pd.DataFrame]
"""``(symbol, start, end inclusive, yahoo interval) -> yfinance's history frame`` (a
DatetimeIndex and ``Open High Low Close Volume`` columns), e.g. ``Ticker(s).history(...)``."""


@dataclass(slots=True)
class YahooSource:
    """The seed's second source, behind an injected ``history`` call (yfinance's shape).

    Only the conversion is tested here: yfinance is not installed, as Yahoo is unreachable from
    these machines and yfinance cannot be pointed at a local server without patching it.
    """

    history: YahooHistory
    name: str = "yfinance"

    INTERVALS: ClassVar[dict[str, str]] = {
        "1d": "1d", "1h": "60m", "30m": "30m", "15m": "15m", "5m": "5m", "1m": "1m",
    }  # fmt: skip

    async def bars(
        self, symbols: list[str], interval: str, start: dt.date, end: dt.date
    ) -> pd.DataFrame:
        if interval not in self.INTERVALS:
            raise DataError(f"yfinance has no bars for interval {interval!r}")
        parts = []
        for name in symbols:
            symbol = name.rpartition(".")[0] or name
            raw = self.history(symbol, start, end, self.INTERVALS[interval])
            if raw is None or raw.empty:
                continue
            index = pd.DatetimeIndex(raw.index)
            if index.tz is None:
                raise DataError(f"yfinance {symbol}: history index has no time zone")
            if interval == "1d":  # Yahoo labels a session by its local midnight
                ts = index.tz_localize(None).normalize().tz_localize("UTC")
            else:
                ts = index.tz_convert("UTC")
            columns = {"open": "Open", "high": "High", "low": "Low", "close": "Close"}
            part = {"ts": ts, "symbol": name}
            part |= {ours: raw[theirs].to_numpy(dtype=float) for ours, theirs in columns.items()}
            part["volume"] = raw["Volume"].to_numpy(dtype=float)
            parts.append(pd.DataFrame(part))
        if not parts:
            return empty_frame()
        return normalize(pd.concat(parts, ignore_index=True))
