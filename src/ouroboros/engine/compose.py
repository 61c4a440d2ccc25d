"""The composition root for simulated-clock runs: data source -> feeds -> config -> outcome."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

import numpy as np
import pandas as pd

from ouroboros.data.panel import Panel
from ouroboros.data.sources import SourceData, load_source
from ouroboros.domain.currency import Currency
from ouroboros.domain.fx import StaticFxRates, convert
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
        return sorted(
            {i.currency for f in self.feeds for i in f.instruments}, key=lambda c: c.value
        )

    @property
    def symbols(self) -> int:
        return sum(len(f.panel.symbols) for f in self.feeds)


def load_feeds(
    source: str,
    start: date | None = None,
    end: date | None = None,
    markets: list[str] | None = None,
) -> LoadedFeeds:
    started = time.perf_counter()
    data = load_source(source)
    if start or end:
        data = _slice(data, start, end)
    feeds = feeds_from_source(data, markets)
    if not feeds:
        raise ConfigError(f"data source {source!r} has no bars for the requested markets/dates")
    return LoadedFeeds(data, feeds, time.perf_counter() - started)


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


def split_cash(total: Money, currencies: list[Currency]) -> tuple[Money, tuple[Money, ...]]:
    """Spread a starting balance equally over the currencies a run trades, through STATIC_FX.

    The first share stays in the base currency; the others are converted (and rounded to their
    minor unit), so a KR + US + JP replay starts with cash in KRW, USD and JPY.
    """
    if total.amount <= 0:
        raise ConfigError(f"--cash must be positive, was {total.amount}")
    if len(currencies) <= 1:
        return total, ()
    share = total / len(currencies)
    others = tuple(
        convert(share, c, STATIC_FX).rounded() for c in currencies if c is not total.currency
    )
    base_share = total - sum(
        (convert(m, total.currency, STATIC_FX) for m in others), Money.zero(total.currency)
    )
    return base_share.rounded(), others
