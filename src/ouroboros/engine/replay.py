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
from ouroboros.markets import CalendarCoverageError, MarketCode, get_calendar

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
    """The feeds of a replay: the last ``plan.days`` sessions up to ``plan.end`` of each chosen
    market (counted on that market's own sessions), after ``warmup_sessions`` of history.

    Bundled markets replay their real bars and refuse an ``end`` after the data; the others
    replay synthetic bars on their calendar. Every chosen market must have sessions in the
    window: none is dropped silently."""
    if plan.days < 1:
        raise ConfigError(f"--days must be at least 1, was {plan.days}")
    valid = [m.value for m in MarketCode]
    unknown = [m for m in plan.markets if m not in valid]
    if unknown:
        raise ConfigError(f"--markets has unknown codes {unknown} (valid: {', '.join(valid)})")
    bundled = load_source("bundled:all")
    us = next(iter(bundled.panels.values()))
    data_end: date = us.index[-1].date()
    wanted_bundled = [m for m in plan.markets if m in BUNDLED_MARKETS]
    synthetic = [m for m in plan.markets if m not in BUNDLED_MARKETS]
    end = plan.end or _default_end(data_end, wanted_bundled, synthetic, plan)
    if wanted_bundled and end > data_end:
        raise ConfigError(
            f"--end {end} is after the bundled data of {', '.join(wanted_bundled)} "
            f"(last session {data_end})"
        )
    starts = [_window_start(list(us.index.date), end, plan.days, m) for m in wanted_bundled]
    starts += [
        _window_start(_calendar_days(m, end, plan.days), end, plan.days, m) for m in synthetic
    ]
    window_start = min(starts)
    feeds: list[MarketFeed] = []
    if wanted_bundled:
        feeds += _windowed(bundled, wanted_bundled, window_start, end, plan.warmup_sessions)
    if synthetic:
        # The last sessions up to ``end``: the warm-up plus every session of the window (the
        # window's calendar days bound its session count), so the range ends exactly at ``end``.
        history = plan.warmup_sessions + (end - window_start).days + 5
        spec = (
            f"synthetic:markets={','.join(synthetic)},symbols={plan.symbols},"
            f"days={history},seed={plan.seed},end={end.isoformat()}"
        )
        feeds += _windowed(load_source(spec), synthetic, window_start, end, plan.warmup_sessions)
    missing = [m for m in plan.markets if m not in {f.code for f in feeds}]
    if missing:
        raise ConfigError(f"no data for {', '.join(missing)} between {window_start} and {end}")
    return feeds


def _default_end(
    data_end: date, bundled: list[str], synthetic: list[str], plan: ReplayPlan
) -> date:
    """The bundled data's last session; a synthetic-only run whose calendars start after it
    ends on the last day every chosen calendar covers instead."""
    if bundled or not synthetic:
        return data_end
    history = timedelta(days=int((plan.warmup_sessions + plan.days) * 1.6) + 60)
    calendars = [get_calendar(m) for m in synthetic]
    if all(c.covered_from <= data_end - history for c in calendars):
        return data_end
    return min(c.covered_until for c in calendars)


def _calendar_days(market: str, end: date, days: int) -> list[date]:
    """The market's session dates up to ``end``, enough of them to count ``days`` back."""
    calendar = get_calendar(market)
    span = timedelta(days=days * 2 + 30)
    try:
        return [s.date for s in calendar.sessions(end - span, end)]
    except CalendarCoverageError:
        raise ConfigError(
            f"the {market} calendar covers {calendar.covered_from} to {calendar.covered_until}: "
            f"it cannot replay sessions up to {end} (pass --end inside it, and do not mix it "
            "with markets whose data lies outside it)"
        ) from None


def _window_start(dates: list[date], end: date, days: int, market: str) -> date:
    dates = [d for d in dates if d <= end]
    if len(dates) < days:
        raise ConfigError(
            f"only {len(dates)} {market} sessions of data up to {end}, asked for {days}"
        )
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
