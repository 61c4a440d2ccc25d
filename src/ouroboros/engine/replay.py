"""The offline replay behind ``ouroboros run``: paper trading on bundled and synthetic data.

US markets replay the bundled real daily bars (they end on 2013-03-01); other markets get
synthetic bars from the deterministic generator on their real calendars over the same dates.
Each market keeps a warm-up of ``warmup_sessions`` before the replay window so indicators
(up to SMA 200) are defined on the first traded day.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

import pandas as pd

from ouroboros.data.sources import SourceData, load_source
from ouroboros.engine.feeds import feeds_from_source
from ouroboros.engine.timeline import MarketFeed
from ouroboros.errors import ConfigError
from ouroboros.markets import MarketCode

BUNDLED_MARKETS = ("US_NASDAQ", "US_NYSE")
DEFAULT_MARKETS = ("KR", "US_NASDAQ", "JP")


@dataclass(frozen=True)
class ReplayPlan:
    markets: tuple[str, ...] = DEFAULT_MARKETS
    days: int = 10
    end: date | None = None
    symbols: int = 8
    seed: int = 7
    warmup_sessions: int = 220


def replay_feeds(plan: ReplayPlan) -> list[MarketFeed]:
    if plan.days < 1:
        raise ConfigError(f"--days must be at least 1, was {plan.days}")
    unknown = set(plan.markets) - {m.value for m in MarketCode}
    if unknown:
        raise ConfigError(f"--markets has unknown codes {sorted(unknown)}")
    bundled = load_source("bundled:all")
    us = next(iter(bundled.panels.values()))
    end = plan.end or us.index[-1].date()
    window_start = _window_start(us.index, end, plan.days)
    feeds: list[MarketFeed] = []
    wanted_bundled = [m for m in plan.markets if m in BUNDLED_MARKETS]
    if wanted_bundled:
        feeds += _windowed(bundled, wanted_bundled, window_start, end, plan.warmup_sessions)
    synthetic = [m for m in plan.markets if m not in BUNDLED_MARKETS]
    if synthetic:
        start = window_start - timedelta(days=int(plan.warmup_sessions * 1.6) + 30)
        # Sessions are counted from ``start``; weekdays over-count them, so the range always
        # reaches ``end`` whatever the market's holidays.
        history_days = (end - start).days * 5 // 7 + 10
        spec = (
            f"synthetic:markets={','.join(synthetic)},symbols={plan.symbols},"
            f"days={history_days},seed={plan.seed},start={start.isoformat()}"
        )
        feeds += _windowed(load_source(spec), synthetic, window_start, end, plan.warmup_sessions)
    if not feeds:
        raise ConfigError("no market has data for the replay window")
    return feeds


def _window_start(index: pd.DatetimeIndex, end: date, days: int) -> date:
    dates: list[date] = [d for d in index.date if d <= end]
    if len(dates) < days:
        raise ConfigError(f"only {len(dates)} sessions of data up to {end}, asked for {days}")
    return dates[-days]


def _windowed(
    data: SourceData, markets: list[str], start: date, end: date, warmup: int
) -> list[MarketFeed]:
    feeds = []
    for feed in feeds_from_source(data, markets):
        days = pd.DatetimeIndex(feed.panel.index).date
        first = int((days < start).sum())
        last = int((days <= end).sum())
        lo = max(0, first - warmup)
        if last <= first:
            continue
        panel = feed.panel.slice_rows(lo, last)
        feeds.append(
            replace(
                feed,
                panel=panel,
                open_times=list(feed.open_times[lo:last]),
                close_times=list(feed.close_times[lo:last]),
                warmup_rows=first - lo,
            )
        )
    return feeds
