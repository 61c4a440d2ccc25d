"""The risk gate's market state is true: the calendar says whether the market is open at the
order's time, the price carries its own timestamp, and the decision's price is the reference.
Each of the three checks can deny; the default replay and backtests still trade."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import pytest

from ouroboros.data.panel import Panel
from ouroboros.domain import Currency, Instrument, Money
from ouroboros.domain.fx import StaticFxRates
from ouroboros.domain.money import Quantity
from ouroboros.domain.orders import OrderSide
from ouroboros.domain.portfolio import Portfolio
from ouroboros.engine.backtest import RunConfig, daily_feed, run
from ouroboros.engine.compose import STATIC_FX, opening_cash
from ouroboros.engine.policies import make_policy
from ouroboros.engine.replay import ReplayPlan, replay_feeds
from ouroboros.engine.risk_gate import EntryRequest, RiskGate, calendar_hours
from ouroboros.engine.sizing import Sizing
from ouroboros.execution.order_manager import MemorySink
from ouroboros.execution.simulator import FillAt, FillModel
from ouroboros.risk import BreakerConfig, CircuitBreaker, IntentSource, RiskManager, RiskSettings
from ouroboros.strategy.base import Decisions
from ouroboros.strategy.sma_cross import SmaCross
from tests.engine.test_engine import random_panel

AAPL = Instrument.for_venue("AAPL.NASDAQ")
OPEN = datetime(2026, 11, 20, 14, 30, tzinfo=UTC)  # Friday 09:30 New York
CLOSE = datetime(2026, 11, 20, 21, 0, tzinfo=UTC)
SATURDAY = datetime(2026, 11, 21, 15, 0, tzinfo=UTC)


def gate() -> tuple[RiskGate, MemorySink]:
    book = Portfolio(Currency.USD)
    book.deposit(Money.of(100_000, "USD"))
    sink = MemorySink()
    return RiskGate(
        RiskManager(), IntentSource.TA, book, StaticFxRates(Currency.USD, {}), sink
    ), sink


def entry(price: str, price_at: datetime | None, reference: str | None) -> EntryRequest:
    return EntryRequest(
        AAPL,
        OrderSide.BUY,
        Decimal(price),
        0.9,
        Quantity(Decimal(10)),
        atr=2.0,
        price_at=price_at,
        reference=Decimal(reference) if reference is not None else None,
    )


def verdict(request: EntryRequest, now: datetime) -> tuple[str, dict[str, str]]:
    risk, _ = gate()
    account = risk.account(Decimal(100_000), {}, [], {AAPL.id: AAPL})
    decision = risk.evaluate(request, account, now)
    failing = {c.code.value: c.status.value for c in decision.checks if c.blocks}
    return decision.verdict.value, failing


def test_a_fresh_price_in_an_open_session_near_the_decision_passes() -> None:
    assert verdict(entry("200", OPEN, "198"), OPEN) == ("APPROVE", {})


def test_a_closed_market_denies() -> None:
    assert verdict(entry("200", SATURDAY, "200"), SATURDAY) == ("DENY", {"MARKET_OPEN": "DENY"})


def test_a_stale_price_denies() -> None:
    later = OPEN + timedelta(minutes=10)  # the limit is 120 s
    assert verdict(entry("200", OPEN, "200"), later) == ("DENY", {"PRICE_DATA": "DENY"})


def test_a_price_without_its_timestamp_denies() -> None:
    assert verdict(entry("200", None, "200"), OPEN) == ("DENY", {"PRICE_DATA": "DENY"})


def test_a_decision_far_from_the_price_the_order_goes_at_denies() -> None:
    result = verdict(entry("200", OPEN, "240"), OPEN)  # decided at 240, goes at 200: 20 %
    assert result == ("DENY", {"PRICE_DEVIATION": "DENY"})


def test_the_calendar_decides_open_and_the_close_instant_is_the_closing_auction() -> None:
    assert calendar_hours(AAPL, OPEN) is True
    assert calendar_hours(AAPL, CLOSE) is True  # an order at the close goes into the auction
    assert calendar_hours(AAPL, CLOSE + timedelta(microseconds=1)) is False
    assert calendar_hours(AAPL, OPEN - timedelta(microseconds=1)) is False
    assert calendar_hours(AAPL, SATURDAY) is False
    assert calendar_hours(AAPL, datetime(2060, 1, 5, 15, tzinfo=UTC)) is None  # not covered


class BuyAt:
    """Buys every symbol at one step, nothing else."""

    name = "buy-at"

    def __init__(self, step: int) -> None:
        self.step = step

    def prepare(self, market: str, panel: Any) -> dict[str, Any]:
        return {}

    def before_session(self, market: str, t: int, features: Any, qty: Any) -> None:
        return None

    def decide(self, market: str, view: Any) -> Decisions:
        n = view.n_symbols
        buy = np.full(n, view.t == self.step)
        close = view.close
        return Decisions(buy, np.zeros(n, dtype=bool), np.ones(n), close * 0.95, close * 1.2)


def test_an_entry_after_a_gap_beyond_the_limit_is_denied_in_a_backtest() -> None:
    panel = random_panel(2, 40, seed=2)
    opening = panel.open.copy()
    opening[21, 0] = panel.close[20, 0] * 1.25  # S00 opens 25 % above the deciding close
    gapped = Panel(
        panel.index, panel.symbols, opening, panel.high, panel.low, panel.close, panel.volume
    )
    feeds = [daily_feed("US_NYSE", gapped, [Instrument.for_venue(s) for s in gapped.symbols])]
    sink = MemorySink()
    config = RunConfig(cash=Money.of(1_000_000, "USD"), sizing=Sizing.parse("fixed:10"))
    outcome = run(feeds, BuyAt(20), config, sink=sink)  # type: ignore[arg-type]
    decisions = {
        p["instrument_id"]: p
        for k, _, p in sink.events
        if k.startswith("risk.") and p["side"] == "BUY"
    }
    gap = decisions["S00.NYSE"]
    assert gap["verdict"] == "DENY"
    assert [c["code"] for c in gap["checks"] if c["status"] == "DENY"] == ["PRICE_DEVIATION"]
    assert decisions["S01.NYSE"]["verdict"] == "APPROVE"
    assert {str(f.instrument_id) for f in outcome.result.fills} == {"S01.NYSE"}


def _truth_denials(sink: MemorySink) -> list[Any]:
    return [
        c
        for k, _, p in sink.events
        if k.startswith("risk.")
        for c in p["checks"]
        if c["code"] in ("MARKET_OPEN", "PRICE_DATA")
    ]


@pytest.mark.parametrize("fill_at", [FillAt.NEXT_OPEN, FillAt.CLOSE])
def test_backtests_trade_at_the_open_and_at_the_close(fill_at: FillAt) -> None:
    panel = random_panel(6, 200, seed=9)
    sink = MemorySink()
    outcome = run(
        [daily_feed("US_NYSE", panel, [Instrument.for_venue(s) for s in panel.symbols])],
        SmaCross(fast=5, slow=20),
        RunConfig(
            cash=Money.of(1_000_000, "USD"),
            sizing=Sizing.parse("fixed:10"),
            fill_model=FillModel(fill_at=fill_at),
        ),
        sink=sink,
    )
    assert len(outcome.result.fills) >= 10
    assert _truth_denials(sink) == []


def test_the_default_offline_replay_still_trades() -> None:
    feeds = replay_feeds(ReplayPlan(days=20, symbols=20))
    traded = [i.currency for f in feeds for i in f.instruments]
    cash, *extra = opening_cash(Money.of(100_000, "USD"), traded, STATIC_FX)
    config = RunConfig(
        cash=cash,
        extra_cash=tuple(extra),
        base_currency=Currency.USD,
        sizing=Sizing.parse("fraction:0.1"),
        fx=STATIC_FX,
    ).with_risk(RiskSettings.from_mapping({}))
    sink = MemorySink()
    outcome = run(feeds, make_policy("playbook", {}), config, sink=sink)
    assert len(outcome.result.fills) >= 5  # it trades (9 fills at the merge of the branches)
    assert {str(f.instrument_id).split(".")[1] for f in outcome.result.fills} >= {"KRX", "TSE"}
    assert _truth_denials(sink) == []


def test_the_gate_runs_the_breaker_on_its_own_clock() -> None:
    """A replay through a broker: venue errors and marks at replayed times reach the breaker at
    the wall clock's time, so its error window and cooldown are real time."""
    wall = datetime(2026, 12, 4, 2, 0, tzinfo=UTC)
    book = Portfolio(Currency.USD)
    book.deposit(Money.of(100_000, "USD"))
    breaker = CircuitBreaker(BreakerConfig(max_api_errors=2))
    risk = RiskGate(
        RiskManager(breaker=breaker),
        IntentSource.TA,
        book,
        StaticFxRates(Currency.USD, {}),
        MemorySink(),
        breaker_clock=lambda: wall,
    )
    replayed = datetime(2020, 3, 2, 14, 30, tzinfo=UTC)
    risk.record_error(replayed)
    risk.record_error(replayed + timedelta(days=30))  # a month apart in the replay ...
    assert breaker.state.error_times == (wall, wall)
    assert breaker.is_tripped  # ... but the same wall instant: a burst
    risk.observe(replayed + timedelta(days=31), Decimal(100_000), [])
    assert breaker.state.updated_at == wall
