"""The composition root for simulated-clock runs: data source -> feeds -> config -> outcome."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

import numpy as np
import pandas as pd

from ouroboros.data.panel import Panel
from ouroboros.data.sources import SourceData, load_source
from ouroboros.domain.currency import Currency
from ouroboros.domain.fx import FxRateSource, StaticFxRates, convert
from ouroboros.domain.money import Money
from ouroboros.engine.feeds import feeds_from_source
from ouroboros.engine.loop import MarketFeed
from ouroboros.errors import ConfigError

# Offline replays need *some* FX: a fixed, named table (units per USD, mid rates of November
# 2026 rounded). Live modes replace it with a broker or market-data rate source.
STATIC_FX = StaticFxRates(
    Currency.USD,
    {
        Currency.KRW: Decimal("1400"),
        Currency.JPY: Decimal("150"),
        Currency.HKD: Decimal("7.8"),
        Currency.CNY: Decimal("7.2"),
        Currency.VND: Decimal("25000"),
    },
)


@dataclass
class LoadedFeeds:
    data: SourceData
    feeds: list[MarketFeed]
    load_s: float

    @property
    def currencies(self) -> list[Currency]:
        """The currencies traded, in the order of the feeds (the markets' order)."""
        return list(dict.fromkeys(i.currency for f in self.feeds for i in f.instruments))

    @property
    def symbols(self) -> int:
        return sum(len(f.panel.symbols) for f in self.feeds)


def load_feeds(
    source: str,
    start: date | None = None,
    end: date | None = None,
    markets: list[str] | None = None,
    *,
    market: str | None = None,
    symbol: str | None = None,
) -> LoadedFeeds:
    """Load ``source`` (``market`` places bare symbols, ``symbol`` names a file without a
    symbol column) and cut it to ``start``..``end``. A window the data does not cover is
    refused with the data's own range, never silently moved."""
    started = time.perf_counter()
    data = load_source(source, market=market, symbol=symbol)
    if start or end:
        _check_window(data, source, start, end)
        data = _slice(data, start, end)
    feeds = feeds_from_source(data, markets)
    if not feeds:
        raise ConfigError(f"data source {source!r} has no bars for the requested markets/dates")
    return LoadedFeeds(data, feeds, time.perf_counter() - started)


def _check_window(data: SourceData, source: str, start: date | None, end: date | None) -> None:
    days = [d for p in data.panels.values() for d in pd.DatetimeIndex(p.index).date]
    if not days:
        return
    first, last = min(days), max(days)
    if start is not None and start > last:
        raise ConfigError(f"--start {start} is after the last session of {source} ({last})")
    if end is not None and end < first:
        raise ConfigError(f"--end {end} is before the first session of {source} ({first})")
    if end is not None and end > last:
        raise ConfigError(
            f"--end {end} is after the last session of {source} ({last}); the data covers "
            f"{first} to {last}"
        )


def _slice(data: SourceData, start: date | None, end: date | None) -> SourceData:
    panels: dict[str, Panel] = {}
    for code, panel in data.panels.items():
        days = pd.DatetimeIndex(panel.index).date
        keep = np.ones(len(days), dtype=bool)
        if start:
            keep &= days >= start
        if end:
            keep &= days <= end
        rows = np.flatnonzero(keep)
        if len(rows):
            panels[code] = panel.slice_rows(int(rows[0]), int(rows[-1]) + 1)
    return replace(data, panels=panels)


def opening_cash(
    total: Money, traded: Sequence[Currency], fx: FxRateSource = STATIC_FX
) -> tuple[Money, ...]:
    """The deposits that open a run: ``total`` (in the base currency) spread equally over the
    currencies the run trades, each share converted explicitly through ``fx`` and rounded to
    its minor unit.

    Nothing is deposited in a currency the run does not trade, so a KR + HK run on a USD base
    holds KRW and HKD only (its books, snapshots and audit carry no USD). When the base
    currency is traded its share is the remainder, so the deposits add up to ``total`` exactly
    at ``fx``; a run that does not trade its base currency is off by at most the rounding.
    """
    if total.amount <= 0:
        raise ConfigError(f"--cash must be positive, was {total.amount}")
    currencies = list(dict.fromkeys(traded))
    if not currencies:
        raise ConfigError("the run trades no currency: no instruments in the data")
    if currencies == [total.currency]:
        return (total,)
    share = total / len(currencies)
    others = [convert(share, c, fx).rounded() for c in currencies if c is not total.currency]
    if total.currency not in currencies:
        return tuple(others)
    base_share = total - sum(
        (convert(m, total.currency, fx) for m in others), Money.zero(total.currency)
    )
    return (base_share.rounded(), *others)


def fixed_rates_note(fx: FxRateSource, base: Currency, currencies: Sequence[Currency]) -> str:
    """What a report says about the FX it used: the fixed rates per base unit, by currency."""
    if not isinstance(fx, StaticFxRates):
        return f"{type(fx).__name__} (rates of the period)"
    rates = [
        f"1 {base.value} = {fx.rate(base, c).normalize():f} {c.value}"
        for c in currencies
        if c is not base
    ]
    return "fixed rates, not of the period: " + ("; ".join(rates) if rates else "none needed")
