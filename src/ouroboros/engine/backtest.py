"""Composition of a simulated-clock run (backtest or replay) from feeds, a policy and settings."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

import pandas as pd

from ouroboros.data.panel import Panel
from ouroboros.domain.currency import Currency
from ouroboros.domain.fx import FxRateSource, StaticFxRates
from ouroboros.domain.instrument import Instrument
from ouroboros.domain.money import Money
from ouroboros.domain.portfolio import Portfolio
from ouroboros.engine.clock import SimulatedClock
from ouroboros.engine.feeds import session_times
from ouroboros.engine.loop import Engine, EngineResult
from ouroboros.engine.safety import SafetyBinding, open_gate, resumed_breaker
from ouroboros.engine.sizing import Sizing
from ouroboros.engine.timeline import MarketFeed, StepSummary
from ouroboros.engine.venue import Venue
from ouroboros.evaluation.stats import Statistics, evaluate
from ouroboros.execution.fees import DEFAULT_FEES, FeeSchedule
from ouroboros.execution.order_manager import EventSink, MemorySink, MutableSink, OrderManager
from ouroboros.execution.simulator import FillModel, FillSimulator
from ouroboros.risk import (
    DEFAULT_LIMITS,
    PERMISSIVE_LIMITS,
    BreakerConfig,
    IntentSource,
    RiskLimits,
    RiskSettings,
)
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
    base_currency: Currency | None = None
    """The currency of the books' equity and of every statistic; None: ``cash``'s currency
    (a run may deposit only in the currencies it trades, none of them the base)."""
    periods_per_year: float = 252.0
    risk_limits: RiskLimits = DEFAULT_LIMITS
    breaker: BreakerConfig | None = field(default_factory=BreakerConfig)
    """None runs without a circuit breaker (reference backtests with the permissive profile)."""
    live: bool = False
    """Real money: the risk manager refuses the permissive profile and a missing breaker."""
    intent_source: IntentSource | None = None
    """Who the policy's intents come from (which confidence threshold and position profile
    apply); None derives it from the policy's name."""
    safety: SafetyBinding | None = None
    """Where the breaker and the kill switch live (engine/safety.py); None: in memory only."""
    closed_before: tuple[Money, ...] = ()
    """P&L of round trips closed on the account before the run (fills adopted at the start
    reconciliation): the breaker takes them with the first mark."""

    def with_risk(self, settings: RiskSettings) -> RunConfig:
        """The limits and breaker of ``settings`` (environment); the permissive profile, meant
        for reference comparisons, runs without a breaker like :meth:`reference`."""
        permissive = settings.risk_profile == "permissive"
        return replace(
            self,
            risk_limits=settings.to_limits(),
            breaker=None if permissive else settings.to_breaker_config(),
        )

    @classmethod
    def reference(cls, cash: Money, **kwargs: Any) -> RunConfig:
        """A reference backtest (e.g. all-in golden tests): permissive limits, no breaker."""
        return cls(cash=cash, risk_limits=PERMISSIVE_LIMITS, breaker=None, **kwargs)

    def fees(self) -> Callable[[Instrument], FeeSchedule]:
        if self.commission is not None:
            flat = FeeSchedule.flat(self.commission, exact=True)
            return lambda _inst: flat
        return lambda inst: DEFAULT_FEES[inst.venue]


@dataclass(frozen=True)
class Resume:
    """Where a resumed run continues: the timeline cursor on record and the breaker state
    stored with it. ``verify`` runs when the re-simulation reaches ``cursor`` and may refuse
    (raise) before anything new is written."""

    cursor: int
    breaker: Mapping[str, Any] | None
    verify: Callable[[Engine], None] | None = None


@dataclass
class RunOutcome:
    result: EngineResult
    stats: Statistics
    final_equity: Money
    elapsed_s: float
    engine: Engine | None = None
    """The engine that ran (its books take fills a broker reports after the last step)."""


def daily_feed(code: str, panel: Panel, instruments: Sequence[Instrument]) -> MarketFeed:
    """A feed of daily bars at their sessions' real open and close (market ``code``'s calendar;
    single-market backtests), so the risk gate's market-open check sees true session times."""
    labels: list[datetime] = [ts.to_pydatetime() for ts in pd.DatetimeIndex(panel.index)]
    opens, closes = session_times(code, labels)
    return MarketFeed(code, panel, instruments, opens, closes)


def run(
    feeds: Sequence[MarketFeed],
    policy: DecisionPolicy,
    config: RunConfig,
    sink: EventSink | None = None,
    on_step: Callable[[StepSummary], None] | None = None,
    venue: Venue | None = None,
    resume: Resume | None = None,
) -> RunOutcome:
    """Run ``policy`` over ``feeds``. Without ``venue`` orders fill in the bar simulator against
    a copy of the starting books; with one (a broker-backed venue) they go there."""
    gated = sink if isinstance(sink, MutableSink) else MutableSink(sink or MemorySink())
    base = config.base_currency or config.cash.currency
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
    source = config.intent_source or intent_source_of(policy.name)
    start = min(f.open_times[0] for f in feeds if len(f.open_times))
    # safety-state: the breaker of the account (or run), loaded tightened-only; kill switch.
    gate = open_gate(
        config.risk_limits,
        config.breaker,
        source,
        portfolio,
        fx,
        gated,
        live=config.live,
        safety=config.safety,
        now=start,
    )
    venue.add_error_listener(gate.record_error)
    engine = Engine(
        feeds,
        policy,
        portfolio,
        venue,
        OrderManager(config.run_id, gated),
        gated,
        fx,
        config.sizing,
        fees,
        gate,
        min_confidence=config.min_confidence,
        on_step=on_step,
    )
    engine.carry_closed(config.closed_before)
    started = time.perf_counter()
    if resume is None:
        result = engine.run(SimulatedClock(start))
    else:
        result = engine.run(
            SimulatedClock(start),
            resume_at=resume.cursor,
            on_resume=lambda e: _resumed(e, resume),
        )
    elapsed = time.perf_counter() - started
    final = engine.final_equity(result).rounded()
    stats = evaluate(
        result.equity_times,
        result.equity,
        result.exposure,
        result.fills,
        result.trades.all_trades(),
        base,
        fx,
        config.periods_per_year,
    )
    return RunOutcome(result, stats, final, elapsed, engine)


def intent_source_of(policy_name: str) -> IntentSource:
    """The built-in policies are technical rules, including the offline playbook planner (a
    quantitative planner, not an LLM): they get the TA confidence threshold and position
    profile. LLM-written playbooks name their own source."""
    return {"playbook": IntentSource.TA, "ta": IntentSource.TA, "sma-cross": IntentSource.TA}.get(
        policy_name, IntentSource.PLAYBOOK
    )


def _resumed(engine: Engine, resume: Resume) -> None:
    """At the resume point: let the caller check the record, then adopt the stored breaker
    (never looser than the configured one: thresholds only tighten across restarts)."""
    if resume.verify is not None:
        resume.verify(engine)
    gate = engine.gate
    restored = resumed_breaker(resume.breaker, gate.breaker, gate.breaker_now(engine.clock.now()))
    if restored is not None:
        gate.adopt_breaker(restored)


__all__ = ["Resume", "RunConfig", "RunOutcome", "daily_feed", "intent_source_of", "run"]
