"""The engine's orders all pass the risk manager; the breaker sees every mark and survives
restarts (tripped stays tripped); venues without resting stops get engine-held exits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ouroboros.domain import Currency, Instrument, Money
from ouroboros.domain.fx import StaticFxRates
from ouroboros.domain.orders import OrderSide, OrderType
from ouroboros.domain.portfolio import Portfolio
from ouroboros.engine.backtest import Resume, RunConfig, daily_feed, run
from ouroboros.engine.sizing import Sizing
from ouroboros.errors import ConfigError
from ouroboros.execution.fees import DEFAULT_FEES
from ouroboros.execution.order_manager import MemorySink
from ouroboros.execution.simulator import FillModel, FillSimulator
from ouroboros.risk import BreakerConfig, CircuitBreaker
from ouroboros.strategy.base import Decisions
from ouroboros.strategy.sma_cross import SmaCross
from ouroboros.strategy.ta import TechnicalStrategy
from tests.engine.test_engine import random_panel

STRICT = BreakerConfig(
    max_consecutive_losses=1,
    cooldown=timedelta(days=3650),
    auto_resume=frozenset(),
    max_drawdown_pct=None,
    drawdown_resume_pct=None,
    max_daily_loss_pct=None,
)


class CheckpointSink(MemorySink):
    """Keeps every checkpoint, as the database keeps the cursor of every committed batch."""

    def __init__(self) -> None:
        super().__init__()
        self.checkpoints: list[dict[str, Any]] = []

    def step(self, at: datetime, checkpoint: Any = None) -> None:
        super().step(at, checkpoint)
        self.checkpoints.append(dict(checkpoint))


def feed(n: int, bars: int, seed: int) -> list[Any]:
    panel = random_panel(n, bars, seed=seed)
    return [daily_feed("US_NYSE", panel, [Instrument.for_venue(s) for s in panel.symbols])]


def risk_events(sink: MemorySink, side: str | None = None) -> list[tuple[str, datetime, Any]]:
    return [
        e
        for e in sink.events
        if e[0].startswith("risk.") and (side is None or e[2]["side"] == side)
    ]


def test_default_limits_never_hold_more_than_ten_positions() -> None:
    sink = MemorySink()
    outcome = run(
        feed(20, 400, seed=11),
        SmaCross(fast=5, slow=20),
        RunConfig(cash=Money.of(10_000_000, "USD"), sizing=Sizing.parse("fixed:10")),
        sink=sink,
    )
    trades = outcome.result.trades.all_trades()
    moments = sorted(
        [(t.entry_ts, 1) for t in trades] + [(t.exit_ts, -1) for t in trades if t.exit_ts],
        key=lambda m: (m[0], m[1]),
    )
    held = peak = 0
    for _, change in moments:
        held += change
        peak = max(peak, held)
    assert peak == 10
    denied = [e for e in risk_events(sink, "BUY") if e[2]["verdict"] == "DENY"]
    assert any(c["code"] == "MAX_POSITIONS" for e in denied for c in e[2]["checks"])


def test_every_order_was_approved_by_the_risk_manager_first() -> None:
    sink = MemorySink()
    run(
        feed(8, 300, seed=3),
        TechnicalStrategy(),
        RunConfig(cash=Money.of(1_000_000, "USD")),
        sink=sink,
    )
    approved = {
        e[2]["decision_id"] for e in risk_events(sink) if e[2]["verdict"] in ("APPROVE", "RESIZE")
    }
    created = [e for e in sink.events if e[0] == "order.created"]
    assert created
    assert all(e[2]["decision_id"] in approved for e in created)
    # the approved quantity is what was ordered
    quantities = {
        (e[2]["decision_id"], e[2]["side"]): e[2]["quantity"]
        for e in risk_events(sink)
        if e[2]["verdict"] != "DENY"
    }
    for e in created:
        if e[2]["type"] == "MARKET":
            assert quantities[(e[2]["decision_id"], e[2]["side"])] == e[2]["quantity"]


def test_a_tripped_breaker_blocks_entries_and_lets_exits_through() -> None:
    sink = MemorySink()
    run(
        feed(10, 400, seed=4),
        SmaCross(fast=5, slow=20),
        RunConfig(cash=Money.of(1_000_000, "USD"), sizing=Sizing.parse("fixed:10"), breaker=STRICT),
        sink=sink,
    )
    trips = [e for e in sink.events if e[0] == "breaker.BreakerTripped"]
    assert len(trips) == 1
    tripped_at = trips[0][1]
    later = [e for e in risk_events(sink) if e[1] > tripped_at]
    buys = [e for e in later if e[2]["side"] == "BUY"]
    sells = [e for e in later if e[2]["side"] == "SELL"]
    assert buys
    assert all(e[2]["verdict"] == "DENY" for e in buys)
    assert all(any(c["code"] == "CIRCUIT_BREAKER" for c in e[2]["checks"]) for e in buys)
    assert sells
    assert all(e[2]["verdict"] != "DENY" for e in sells)


def test_restart_keeps_a_tripped_breaker_tripped_even_with_looser_settings() -> None:
    feeds = feed(10, 400, seed=4)
    first = CheckpointSink()
    run(
        feeds,
        SmaCross(fast=5, slow=20),
        RunConfig(cash=Money.of(1_000_000, "USD"), sizing=Sizing.parse("fixed:10"), breaker=STRICT),
        sink=first,
    )
    point = next(c for c in first.checkpoints if c["breaker"]["status"] == "TRIPPED")
    # Restart with the default (looser) breaker settings: the stored trip must hold.
    second = CheckpointSink()
    run(
        feeds,
        SmaCross(fast=5, slow=20),
        RunConfig(cash=Money.of(1_000_000, "USD"), sizing=Sizing.parse("fixed:10")),
        sink=second,
        resume=Resume(point["position"], point["breaker"]),
    )
    assert second.checkpoints[0]["breaker"]["status"] == "TRIPPED"
    assert all(c["breaker"]["status"] == "TRIPPED" for c in second.checkpoints)
    assert not [e for e in risk_events(second, "BUY") if e[2]["verdict"] != "DENY"], (
        "an entry was approved after the restart"
    )
    restored = CircuitBreaker.from_dict(second.checkpoints[-1]["breaker"])
    assert restored.config.max_consecutive_losses == 1  # tightened, never loosened


def test_a_resumed_run_writes_only_what_comes_after_the_resume_point() -> None:
    feeds = feed(6, 300, seed=8)
    config = RunConfig(cash=Money.of(1_000_000, "USD"))
    whole = CheckpointSink()
    full = run(feeds, TechnicalStrategy(), config, sink=whole)
    middle = whole.checkpoints[len(whole.checkpoints) // 2]
    tail = CheckpointSink()
    seen: list[int] = []
    resumed = run(
        feeds,
        TechnicalStrategy(),
        config,
        sink=tail,
        resume=Resume(middle["position"], middle["breaker"], verify=lambda e: seen.append(1)),
    )
    assert seen == [1]
    assert resumed.final_equity == full.final_equity
    assert [f.fill_id for f in resumed.result.fills] == [f.fill_id for f in full.result.fills]
    recorded_after = [f.fill_id for f in tail.fills]
    expected_after = [f.fill_id for f in whole.fills[middle["fills"] :]]
    assert recorded_after == expected_after
    assert tail.checkpoints == whole.checkpoints[len(whole.checkpoints) // 2 + 1 :]


class NoRestingStops(FillSimulator):
    """A venue like KIS: no resting stop or GTC orders."""

    @property
    def supports_protective_orders(self) -> bool:
        return False


def test_venues_without_resting_stops_get_engine_held_exits() -> None:
    feeds = feed(10, 400, seed=6)
    instruments = {i.id: i for f in feeds for i in f.instruments}
    cash = Money.of(1_000_000, "USD")
    books = Portfolio(cash.currency)
    books.deposit(cash)
    venue = NoRestingStops(
        instruments, lambda inst: DEFAULT_FEES[inst.venue], FillModel(), books, id_prefix="NS"
    )
    sink = MemorySink()
    run(feeds, TechnicalStrategy(), RunConfig(cash=cash), sink=sink, venue=venue)
    orders = list(sink.orders.values())
    assert orders
    assert all(o.order_type is OrderType.MARKET for o in orders)
    held = [e for e in sink.events if e[0] == "protect.engine_held"]
    assert held
    exits = [o for o in orders if o.side is OrderSide.SELL and "engine-held" in o.tag]
    assert exits, "no stop-loss or take-profit level was ever reached"


def test_decisions_carry_context_and_inputs_and_link_to_orders() -> None:
    sink = MemorySink()
    run(feed(6, 300, seed=8), TechnicalStrategy(), RunConfig(cash=Money.of(1e6, "USD")), sink=sink)
    assert sink.decisions
    d = sink.decisions[0]
    assert d.context["policy"] == "ta"
    assert {"equity", "cash", "position", "breaker"} <= set(d.context)
    assert d.inputs["bar"]["close"] is not None
    assert "rsi_14" in d.inputs["features"]
    ids = {x.decision_id for x in sink.decisions}
    assert all(decision_id in ids for _, decision_id in sink.trades if decision_id)
    assert sink.trades


def test_the_reference_config_is_permissive_without_a_breaker() -> None:
    config = RunConfig.reference(Money.of(10_000, "USD"))
    assert config.breaker is None
    assert config.risk_limits.max_position_pct is None
    assert config.risk_limits.cash_buffer_pct == Decimal(0)


class RandomPolicy:
    """Buys and sells at random with random confidence and stops: a hostile strategy."""

    name = "random"

    def __init__(self, seed: int, rate: float) -> None:
        self._rng = np.random.default_rng(seed)
        self._rate = rate

    def prepare(self, market: str, panel: Any) -> dict[str, Any]:
        return {}

    def before_session(self, market: str, t: int, features: Any, qty: Any) -> None:
        return None

    def decide(self, market: str, view: Any) -> Decisions:
        n = view.n_symbols
        buy = self._rng.random(n) < self._rate
        sell = ~buy & (self._rng.random(n) < self._rate)
        close = view.close
        stop = close * self._rng.uniform(0.5, 1.1, n)  # some stops above the price: invalid
        return Decisions(buy, sell, self._rng.random(n), stop, close * 1.2)


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 10_000), rate=st.sampled_from([0.05, 0.2, 0.5]))
def test_random_intent_streams_never_breach_the_hard_limits(seed: int, rate: float) -> None:
    """A hostile policy (random entries and exits, random confidence, stops on the wrong side)
    on random prices: the ledger balances, cash never goes negative (the ledger would raise),
    never more than 10 positions are open, and no order exceeds what risk approved."""
    sink = MemorySink()
    outcome = run(
        feed(16, 120, seed=seed % 50),
        RandomPolicy(seed, rate),  # type: ignore[arg-type]
        RunConfig(cash=Money.of(1_000_000, "USD"), sizing=Sizing.parse("fraction:0.5")),
        sink=sink,
    )
    assert outcome.result.portfolio.ledger_imbalance(Currency.USD) == 0
    held: dict[Any, Decimal] = {}
    for fill in outcome.result.fills:
        held[fill.instrument_id] = held.get(fill.instrument_id, Decimal(0)) + (
            fill.quantity.value * fill.side.sign
        )
        assert held[fill.instrument_id] >= 0
        assert sum(1 for q in held.values() if q) <= 10
    approved = {
        (p["decision_id"], p["side"]): Decimal(p["quantity"])
        for k, _, p in sink.events
        if k in ("risk.approve", "risk.resize")
    }
    for kind, _, p in sink.events:
        if kind == "order.created" and p["type"] == "MARKET":
            assert Decimal(p["quantity"]) <= approved[(p["decision_id"], p["side"])]


class FlakyVenue(FillSimulator):
    """Reports a broker/API error with every order it takes (as a venue that retried would)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.listeners: list[Any] = []

    def add_error_listener(self, listener: Any) -> None:
        self.listeners.append(listener)

    def submit(self, order: Any, now: datetime, reference_price: Any, oco_with: Any = None) -> bool:
        for listener in self.listeners:
            listener(now)
        return super().submit(order, now, reference_price, oco_with)


def test_venue_errors_reach_the_breaker() -> None:
    feeds = feed(10, 300, seed=4)
    cash = Money.of(1_000_000, "USD")
    books = Portfolio(cash.currency)
    books.deposit(cash)
    venue = FlakyVenue(
        {i.id: i for f in feeds for i in f.instruments},
        lambda inst: DEFAULT_FEES[inst.venue],
        FillModel(),
        books,
    )
    sink = MemorySink()
    config = RunConfig(
        cash=cash,
        sizing=Sizing.parse("fixed:10"),
        breaker=BreakerConfig(max_api_errors=2, auto_resume=frozenset()),
    )
    run(feeds, SmaCross(fast=5, slow=20), config, sink=sink, venue=venue)
    trips = [e for e in sink.events if e[0] == "breaker.BreakerTripped"]
    assert trips
    assert trips[0][2]["causes"] == ["API_ERRORS"]
    later = [e for e in risk_events(sink, "BUY") if e[1] > trips[0][1]]
    assert later
    assert all(e[2]["verdict"] == "DENY" for e in later)


def test_a_working_buy_that_cannot_be_valued_makes_cash_unknown() -> None:
    """Fail closed: cash committed to a buy we cannot price cannot be counted as free."""
    from ouroboros.domain.ids import ClientOrderId
    from ouroboros.domain.money import Quantity
    from ouroboros.domain.orders import Order
    from ouroboros.engine.risk_gate import RiskGate
    from ouroboros.risk import IntentSource, RiskManager

    cash = Money.of(100_000, "USD")
    book = Portfolio(cash.currency)
    book.deposit(cash)
    gate = RiskGate(
        RiskManager(), IntentSource.TA, book, StaticFxRates(Currency.USD, {}), MemorySink()
    )
    inst = Instrument.for_venue("AAPL.NASDAQ")
    working = Order(
        client_order_id=ClientOrderId("r-1"),
        instrument_id=inst.id,
        side=OrderSide.BUY,
        order_type=OrderType.MARKET,
        quantity=Quantity(Decimal(10)),
        created_at=datetime(2026, 11, 20, 14, 30, tzinfo=UTC),
    )
    instruments = {inst.id: inst}
    assert gate.account(Decimal(100_000), {}, [working], instruments).cash_available is None
    priced = gate.account(Decimal(100_000), {inst.id: Decimal(200)}, [working], instruments)
    assert priced.cash_available is not None
    assert priced.cash_available[Currency.USD].amount == Decimal(98_000)


def test_live_runs_refuse_the_permissive_profile() -> None:
    """Real money never runs with the limits wide open or without a breaker."""
    config = RunConfig.reference(Money.of(10_000, "USD"), live=True)
    with pytest.raises(ConfigError, match="invalid risk limits for live trading"):
        run(feed(2, 60, seed=1), SmaCross(fast=5, slow=20), config)
