"""The one bookkeeper: late broker fills are booked like any other (trade row, decision
outcome, breaker input); broker news is booked once whatever the order, duplication or loss
of the stream, and after reconciliation the books are the broker's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ouroboros.data.panel import Panel
from ouroboros.domain import Currency, Instrument, Money
from ouroboros.domain.events import BrokerEvent, OrderAccepted, OrderFilled
from ouroboros.domain.fills import Fill
from ouroboros.domain.fx import StaticFxRates
from ouroboros.domain.ids import ClientOrderId, InstrumentId, VenueOrderId
from ouroboros.domain.money import Price, Quantity
from ouroboros.domain.orders import Order, OrderEventKind, OrderSide, OrderStatus, OrderType
from ouroboros.domain.portfolio import Portfolio
from ouroboros.engine.backtest import RunConfig, daily_feed, run
from ouroboros.engine.books import Books
from ouroboros.engine.broker_books import SESSION_EVENT, adopt_into_prior, load_prior
from ouroboros.engine.recording import StoreSink, start_run
from ouroboros.engine.sizing import Sizing
from ouroboros.execution.fees import DEFAULT_FEES
from ouroboros.execution.order_manager import MemorySink, OrderManager
from ouroboros.execution.ports import BalanceReport, OrderReport, PositionReport
from ouroboros.execution.reconcile import BrokerBooks, OurBooks, reconcile
from ouroboros.execution.simulator import FillAt, FillModel, FillSimulator
from ouroboros.risk import PERMISSIVE_LIMITS, BreakerConfig
from ouroboros.store import (
    PositionRepository,
    RunMode,
    SnapshotRepository,
    TradeRepository,
    make_engine,
    upgrade,
    verify,
)
from ouroboros.strategy.base import Decisions, StepView
from tests.engine.test_engine import nyse_index

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


# ---------------------------------------------------------------------- late fills
class BuyThenSell:
    """Buys the first symbol at row 5 and sells it at the last row."""

    name = "scripted"

    def __init__(self, last: int) -> None:
        self.last = last

    def prepare(self, market: str, panel: Panel) -> dict[str, Any]:
        return {}

    def before_session(self, market: str, t: int, features: Any, qty: Any) -> None:
        return None

    def decide(self, market: str, view: StepView) -> Decisions:
        d = Decisions.none(view.n_symbols)
        d.buy[0] = view.t == 5
        d.sell[0] = view.t == self.last
        d.confidence[0] = 1.0
        return d


class HoldsSellFills(FillSimulator):
    """A venue whose sell fills reach us only after the run (a broker's late reports)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.late: list[BrokerEvent] = []

    def drain(self) -> list[BrokerEvent]:
        now: list[BrokerEvent] = []
        for event in super().drain():
            if isinstance(event, OrderFilled) and event.fill.side is OrderSide.SELL:
                self.late.append(event)
            else:
                now.append(event)
        return now


def falling_panel(bars: int = 12) -> Panel:
    close = np.linspace(100.0, 80.0, bars).reshape(-1, 1)
    index = nyse_index(date(2024, 1, 2), bars)
    volume = np.full((bars, 1), 1e6)
    return Panel(index, ("AAA.NYSE",), close, close * 1.01, close * 0.99, close, volume)


def test_a_late_broker_fill_books_a_trade_a_decision_outcome_and_feeds_the_breaker() -> None:
    panel = falling_panel()
    instruments = [Instrument.for_venue(s) for s in panel.symbols]
    cash = Money.of(100_000, "USD")
    model = FillModel.frictionless(FillAt.CLOSE)
    books = Portfolio(cash.currency)
    books.deposit(cash)
    venue = HoldsSellFills(
        {i.id: i for i in instruments}, lambda i: DEFAULT_FEES[i.venue], model, books
    )
    strict = BreakerConfig(
        max_consecutive_losses=1,
        max_drawdown_pct=None,
        drawdown_resume_pct=None,
        max_daily_loss_pct=None,
    )
    config = RunConfig(
        cash=cash,
        sizing=Sizing.parse("fixed:10"),
        fill_model=model,
        risk_limits=PERMISSIVE_LIMITS,
        breaker=strict,
    )
    sink = MemorySink()
    outcome = run(
        [daily_feed("US_NYSE", panel, instruments)],
        BuyThenSell(len(panel.index) - 1),
        config,
        sink=sink,
        venue=venue,
    )
    engine = outcome.engine
    assert engine is not None
    assert engine.gate.breaker is not None
    assert venue.late, "the scripted sell never filled"
    assert sink.trades == []
    assert engine.gate.breaker.status.value == "ARMED"

    at = outcome.result.equity_times[-1] + timedelta(minutes=5)
    booked = engine.settle(venue.late, at)

    assert len(booked) == 1
    assert outcome.result.portfolio.quantity_of(instruments[0].id) == 0
    [(trade, decision_id)] = sink.trades
    assert trade.pnl < 0
    assert decision_id is not None
    assert decision_id in {d.decision_id for d in sink.decisions}
    assert engine.gate.breaker.status.value == "TRIPPED", "the losing trade never reached it"
    assert sink.snapshots[-1][0] == at
    assert [e[2].get("late") for e in sink.events if e[0] == "fill"][-1] is True


# ---------------------------------------------------------------------- idempotent books
USD = Currency.USD
IDS = [InstrumentId.parse(s) for s in ("AAA.NYSE", "BBB.NYSE", "CCC.NYSE")]


@dataclass
class BrokerTruth:
    orders: list[Order]
    fills: list[Fill]

    def reports(self) -> list[OrderReport]:
        out = []
        for order in self.orders:
            filled = sum(
                (
                    f.quantity.value
                    for f in self.fills
                    if f.client_order_id == order.client_order_id
                ),
                Decimal(0),
            )
            status = OrderStatus.FILLED if filled == order.quantity.value else OrderStatus.CANCELED
            out.append(
                OrderReport(
                    order.client_order_id,
                    VenueOrderId(f"V{order.client_order_id.value}"),
                    order.instrument_id,
                    order.side,
                    order.order_type,
                    order.quantity,
                    Quantity(filled),
                    status,
                    T0,
                )
            )
        return out


def fresh_order(cid: str, iid: InstrumentId, side: OrderSide, qty: int) -> Order:
    order = Order(ClientOrderId(cid), iid, side, OrderType.MARKET, Quantity(Decimal(qty)), T0)
    order.apply(OrderEventKind.SUBMIT, T0)
    return order


@st.composite
def truths(draw: st.DrawFn) -> BrokerTruth:
    """Buys of two instruments and a sell of a third already held, each filled in 1-4 parts
    (possibly not completely: the rest was canceled at the broker)."""
    orders: list[Order] = []
    fills: list[Fill] = []
    specs = [(IDS[0], OrderSide.BUY), (IDS[1], OrderSide.BUY), (IDS[2], OrderSide.SELL)]
    for k, (iid, side) in enumerate(specs):
        qty = draw(st.integers(1, 60))
        order = fresh_order(f"r-{k}", iid, side, qty)
        orders.append(order)
        left = qty
        for n in range(draw(st.integers(1, 4))):
            if left == 0:
                break
            part = draw(st.integers(1, left))
            left -= part
            price = Decimal(draw(st.integers(9_000, 11_000))) / 100
            fills.append(
                Fill(
                    f"F-{k}-{n}",
                    order.client_order_id,
                    iid,
                    side,
                    Quantity(Decimal(part)),
                    Price(price),
                    Money(Decimal(draw(st.integers(0, 300))) / 100, USD),
                    T0 + timedelta(seconds=10 * len(fills)),
                )
            )
    return BrokerTruth(orders, fills)


def start_books(orders: list[Order]) -> Books:
    portfolio = Portfolio(USD)
    portfolio.deposit(Money.of(1_000_000, "USD"))
    sink = MemorySink()
    manager = OrderManager("r", sink)
    held = Fill(
        "F-held", ClientOrderId("old-1"), IDS[2], OrderSide.BUY, Quantity(Decimal(100)),
        Price(Decimal(50)), Money(Decimal(0), USD), T0 - timedelta(days=1),
    )  # fmt: skip
    books = Books(portfolio, manager, sink, StaticFxRates(USD, {}))
    books.replay([held], [])
    for order in orders:
        manager.orders[order.client_order_id] = order
    return books


def broker_side(truth: BrokerTruth) -> tuple[dict[InstrumentId, Decimal], Decimal]:
    """The broker's positions and cash: the starting account plus every real execution."""
    books = start_books([fresh_order(o.client_order_id.value, o.instrument_id, o.side,
                                     int(o.quantity.value)) for o in truth.orders])  # fmt: skip
    books.apply([OrderFilled(f) for f in truth.fills], T0)
    positions = {i: p.quantity for i, p in books.portfolio.positions.items() if p.quantity}
    return positions, books.portfolio.cash[USD]


@settings(max_examples=60, deadline=None)
@given(truth=truths(), data=st.data())
def test_books_converge_to_the_broker_after_any_event_stream_and_reconciliation(
    truth: BrokerTruth, data: st.DataObject
) -> None:
    # The stream: acceptances and fills, each duplicated, delayed (reordered) or dropped.
    # Terminal reports are not in it: the venue confirms them against the broker's reports
    # first (execution/tracking.py), so they reach the books through reconciliation.
    pushed: list[BrokerEvent] = [
        OrderAccepted(o.client_order_id, VenueOrderId(f"V{o.client_order_id.value}"), T0)
        for o in truth.orders
    ] + [OrderFilled(f) for f in truth.fills]
    stream: list[BrokerEvent] = []
    for event in pushed:
        copies = data.draw(st.sampled_from([0, 1, 1, 1, 2, 3]), label="copies")
        stream += [event] * copies
    stream = data.draw(st.permutations(stream), label="order")
    orders = [
        fresh_order(o.client_order_id.value, o.instrument_id, o.side, int(o.quantity.value))
        for o in truth.orders
    ]
    books = start_books(orders)
    books.apply(stream, T0)
    assert len({f.fill_id for f in books.fills}) == len(books.fills), "a fill was booked twice"

    positions, cash = broker_side(truth)
    theirs = BrokerBooks(
        truth.reports(),
        truth.fills,
        [PositionReport(i, q, Decimal(0)) for i, q in positions.items()],
        [BalanceReport(USD, cash, cash)],
    )
    portfolio = books.portfolio

    def ours() -> OurBooks:
        return OurBooks(
            orders,
            [f for f in books.fills if f.fill_id != "F-held"],
            {i: p.quantity for i, p in portfolio.positions.items() if p.quantity},
            dict(portfolio.cash),
        )

    first = reconcile(ours(), theirs, T0, adopt_cash=False)
    assert first.irreconcilable == [], [d.message for d in first.irreconcilable]
    books.apply(first.adoptions, T0)

    assert {i: p.quantity for i, p in portfolio.positions.items() if p.quantity} == positions
    assert portfolio.cash[USD] == cash
    assert {f.fill_id for f in books.fills} == {"F-held", *(f.fill_id for f in truth.fills)}
    for order, report in zip(orders, truth.reports(), strict=True):
        assert order.filled_quantity == report.filled_quantity
        assert order.status is report.status
    again = reconcile(ours(), theirs, T0, adopt_cash=False)
    assert again.agrees, [d.message for d in again.differences]


@settings(max_examples=60, deadline=None)
@given(truth=truths(), data=st.data())
def test_cumulative_fill_reports_are_booked_as_deltas_and_never_double_a_position(
    truth: BrokerTruth, data: st.DataObject
) -> None:
    """A broker that reports the cumulative filled quantity, average price and fee of an
    order as its "fill": repeats, stale reports and lost intermediate ones change nothing
    once the latest report is in."""
    reports: list[BrokerEvent] = []
    finals: list[BrokerEvent] = []
    for order in truth.orders:
        mine = [f for f in truth.fills if f.client_order_id == order.client_order_id]
        qty = cost = fee = Decimal(0)
        for fill in mine:
            qty += fill.quantity.value
            cost += fill.quantity.value * fill.price.value
            fee += fill.fee.amount
            cumulative = Fill(
                f"{order.client_order_id.value}-{qty}", order.client_order_id,
                order.instrument_id, order.side, Quantity(qty), Price(cost / qty),
                Money(fee, USD), fill.ts,
            )  # fmt: skip
            reports.append(OrderFilled(cumulative))
        finals.append(reports[-1])
    stream: list[BrokerEvent] = []
    for event in reports:
        stream += [event] * data.draw(st.sampled_from([0, 1, 1, 2, 3]), label="copies")
    stream = [*data.draw(st.permutations(stream), label="order"), *finals]
    stream += data.draw(st.lists(st.sampled_from(reports), max_size=4), label="stale")
    orders = [
        fresh_order(o.client_order_id.value, o.instrument_id, o.side, int(o.quantity.value))
        for o in truth.orders
    ]
    books = start_books(orders)
    books.cumulative_fills = True
    books.apply(stream, T0)

    positions, cash = broker_side(truth)
    portfolio = books.portfolio
    assert {i: p.quantity for i, p in portfolio.positions.items() if p.quantity} == positions
    # Delta prices are rounded at the 10th place: far below a cent on these quantities.
    assert abs(portfolio.cash[USD] - cash) < Decimal("0.000001")
    for order, report in zip(orders, truth.reports(), strict=True):
        assert order.filled_quantity == report.filled_quantity


# ---------------------------------------------------------------------- adoption
def test_an_adopted_fill_is_booked_like_any_other_into_the_run_that_owned_the_order(
    tmp_path: Path,
) -> None:
    """A session stopped after its exit was sent and before it heard of the fill: adopting
    the fill books cash, the position, the round trip (trade row and decision outcome) and
    the breaker's trade input - not only the position."""
    store = make_engine(f"sqlite:///{tmp_path / 'books.db'}")
    upgrade(store)
    run_id, key = "kprior", "kis:test"
    start_run(store, run_id, RunMode.PAPER, "test", T0, [Money.of(10_000, "USD")])
    sink = StoreSink(store, run_id, broker=key)
    sink.emit(SESSION_EVENT, T0, {"broker": key})
    manager = OrderManager(run_id, sink)
    books = Books(Portfolio(USD), manager, sink, StaticFxRates(USD, {}))
    books.portfolio.deposit(Money.of(10_000, "USD"))
    buy = manager.create(IDS[0], OrderSide.BUY, Quantity(Decimal(10)), T0, decision_id="D-1")
    manager.mark_submitted(buy, T0)
    bought = Fill(
        "F-buy", buy.client_order_id, IDS[0], OrderSide.BUY, Quantity(Decimal(10)),
        Price(Decimal(100)), Money(Decimal(1), USD), T0,
    )  # fmt: skip
    books.apply([OrderFilled(bought)], T0)
    books.snapshot(T0, books.value({IDS[0]: Decimal(100)}).equity)
    sell = manager.create(IDS[0], OrderSide.SELL, Quantity(Decimal(10)), T0, decision_id="D-2")
    manager.mark_submitted(sell, T0)
    sink.flush()  # ... and the session stops before the sell's fill arrives

    prior = load_prior(store, key)
    later = T0 + timedelta(days=1)
    sold = Fill(
        "F-sell", sell.client_order_id, IDS[0], OrderSide.SELL, Quantity(Decimal(10)),
        Price(Decimal(90)), Money(Decimal(1), USD), later,
    )  # fmt: skip
    assert adopt_into_prior(store, prior, [OrderFilled(sold)], later) == 1

    snapshot = SnapshotRepository(store).latest(run_id)
    assert snapshot is not None
    assert snapshot.cash[USD] == Decimal(10_000 - 1000 - 1 + 900 - 1)
    assert prior.cash == {USD: Decimal(9898)}
    position = PositionRepository(store).get(run_id, IDS[0])
    assert position is not None
    assert position.quantity == 0
    [trade] = TradeRepository(store).for_run(run_id)
    assert trade.pnl == Money(Decimal(-102), USD)
    assert trade.decision_id == "D-1"
    assert prior.adopted_pnl == [Money(Decimal(-102), USD)]
    assert verify(store, run_id).ok


def test_trades_closed_before_a_run_feed_its_breaker_at_the_first_mark() -> None:
    panel = falling_panel()
    instruments = [Instrument.for_venue(s) for s in panel.symbols]
    strict = BreakerConfig(
        max_consecutive_losses=1,
        cooldown=timedelta(days=3650),
        auto_resume=frozenset(),
        max_drawdown_pct=None,
        drawdown_resume_pct=None,
        max_daily_loss_pct=None,
    )
    config = RunConfig(
        cash=Money.of(100_000, "USD"),
        sizing=Sizing.parse("fixed:10"),
        risk_limits=PERMISSIVE_LIMITS,
        breaker=strict,
        closed_before=(Money(Decimal(-50), USD),),
    )
    sink = MemorySink()
    outcome = run([daily_feed("US_NYSE", panel, instruments)], BuyThenSell(99), config, sink=sink)
    assert outcome.engine is not None
    assert outcome.engine.gate.breaker is not None
    assert outcome.engine.gate.breaker.status.value == "TRIPPED"
    assert outcome.result.fills == [], "the entry went through a tripped breaker"
