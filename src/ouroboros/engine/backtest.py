"""Composition of a simulated-clock run (backtest or replay) from feeds, a policy and settings."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

import pandas as pd

from ouroboros.data.panel import Panel
from ouroboros.domain.fx import FxRateSource, StaticFxRates
from ouroboros.domain.instrument import Instrument
from ouroboros.domain.money import Money
from ouroboros.domain.portfolio import Portfolio
from ouroboros.engine.clock import SimulatedClock
from ouroboros.engine.loop import Engine, EngineResult, MarketFeed, StepSummary
from ouroboros.engine.sizing import Sizing
from ouroboros.engine.venue import Venue
from ouroboros.evaluation.stats import Statistics, compute_statistics
from ouroboros.execution.fees import DEFAULT_FEES, FeeSchedule
from ouroboros.execution.order_manager import EventSink, MemorySink, OrderManager
from ouroboros.execution.simulator import FillModel, FillSimulator
from ouroboros.strategy.base import DecisionPolicy


@dataclass(frozen=True)
class RunConfig:
    cash: Money
    sizing: Sizing = field(default_factory=Sizing)
    fill_model: FillModel = field(default_factory=FillModel)
    commission: Decimal | None = None
    min_confidence: float = 0.0
    run_id: str = "bt"
    fx: FxRateSource | None = None
    extra_cash: tuple[Money, ...] = ()
    periods_per_year: float = 252.0

    def fees(self) -> Callable[[Instrument], FeeSchedule]:
        if self.commission is not None:
            flat = FeeSchedule.flat(self.commission, exact=True)
            return lambda _inst: flat
        return lambda inst: DEFAULT_FEES[inst.venue]


@dataclass
class RunOutcome:
    result: EngineResult
    stats: Statistics
    final_equity: Money
    elapsed_s: float


def daily_feed(code: str, panel: Panel, instruments: Sequence[Instrument]) -> MarketFeed:
    """A feed whose price points are the daily labels themselves (single-market backtests)."""
    labels: list[datetime] = [ts.to_pydatetime() for ts in pd.DatetimeIndex(panel.index)]
    return MarketFeed(code, panel, instruments, labels, labels)


def run(
    feeds: Sequence[MarketFeed],
    policy: DecisionPolicy,
    config: RunConfig,
    sink: EventSink | None = None,
    on_step: Callable[[StepSummary], None] | None = None,
    venue: Venue | None = None,
) -> RunOutcome:
    """Run ``policy`` over ``feeds``. Without ``venue`` orders fill in the bar simulator against
    a copy of the starting books; with one (a broker-backed venue) they go there."""
    sink = sink or MemorySink()
    base = config.cash.currency
    portfolio = Portfolio(base)
    portfolio.deposit(config.cash)
    venue_books = Portfolio(base)
    venue_books.deposit(config.cash)
    for extra in config.extra_cash:
        portfolio.deposit(extra)
        venue_books.deposit(extra)
    instruments = {i.id: i for f in feeds for i in f.instruments}
    fees = config.fees()
    if venue is None:
        venue = FillSimulator(
            instruments, fees, config.fill_model, venue_books, id_prefix=f"{config.run_id}-SIM"
        )
    fx = config.fx or StaticFxRates(base, {})
    engine = Engine(
        feeds,
        policy,
        portfolio,
        venue,
        OrderManager(config.run_id, sink),
        sink,
        fx,
        config.sizing,
        fees,
        min_confidence=config.min_confidence,
        on_step=on_step,
    )
    start = min(f.open_times[0] for f in feeds if len(f.open_times))
    started = time.perf_counter()
    result = engine.run(SimulatedClock(start))
    elapsed = time.perf_counter() - started
    final = engine.final_equity(result).rounded()
    stats = compute_statistics(
        result.equity,
        result.trades.all_trades(),
        result.exposure,
        result.traded_value,
        float(sum(portfolio.fees_paid.values(), Decimal(0))),
        config.periods_per_year,
    )
    return RunOutcome(result, stats, final, elapsed)


__all__ = ["RunConfig", "RunOutcome", "daily_feed", "run"]
