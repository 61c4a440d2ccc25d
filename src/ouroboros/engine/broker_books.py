"""Our books for one broker account, as the database knows them from earlier sessions.

Each broker session is a run whose ledger starts with the account's cash and records only its
own trades; it marks itself with a ``broker.session`` event naming the account (``broker_key``).
So the account's holdings we can explain are the sum of those runs' positions, our cash is the
latest run's last snapshot, and orders they left open are the ones to settle before trading.

Adoptions for an earlier run (a fill it missed, an order that closed after it stopped) are
written into *that* run through the same :class:`~ouroboros.engine.books.Books` every fill
goes through: that run's books are rebuilt from its deposits and recorded fills, then the
adopted events are booked - order rows, fills, positions, cash (a new snapshot), round trips
with their trade rows and decision outcomes - so every run's books stay self-consistent for
``audit verify``. The P&L of round trips an adoption closes is kept in
``PriorBooks.adopted_pnl`` for the account's breaker.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy.engine import Engine as SqlEngine

from ouroboros.domain.currency import Currency
from ouroboros.domain.events import BrokerEvent, OrderFilled
from ouroboros.domain.fills import Fill
from ouroboros.domain.fx import StaticFxRates
from ouroboros.domain.ids import ClientOrderId, InstrumentId
from ouroboros.domain.money import Money
from ouroboros.domain.orders import Order
from ouroboros.domain.portfolio import Portfolio
from ouroboros.engine.books import Books
from ouroboros.engine.recording import StoreSink
from ouroboros.execution.order_manager import OrderManager
from ouroboros.store import (
    CapitalEventKind,
    CapitalEvents,
    EventStore,
    FillRepository,
    OrderRepository,
    PositionRepository,
    SnapshotRepository,
)

SESSION_EVENT = "broker.session"


@dataclass
class PriorBooks:
    broker_key: str
    run_ids: list[str] = field(default_factory=list)
    orders: dict[ClientOrderId, Order] = field(default_factory=dict)
    order_run: dict[ClientOrderId, str] = field(default_factory=dict)
    fills: list[Fill] = field(default_factory=list)
    positions: dict[InstrumentId, Decimal] = field(default_factory=dict)
    cash: dict[Currency, Decimal] | None = None
    decision_of: dict[ClientOrderId, str] = field(default_factory=dict)
    adopted_pnl: list[Money] = field(default_factory=list)
    """P&L of round trips that adoptions closed (the breaker's trade feed)."""

    def open_orders(self) -> list[Order]:
        return [o for o in self.orders.values() if o.status.is_open]

    def relevant_orders(self, broker_cids: set[ClientOrderId]) -> list[Order]:
        """Earlier orders worth comparing: those still open and those the broker lists."""
        return [o for cid, o in self.orders.items() if o.status.is_open or cid in broker_cids]

    def fills_for(self, orders: Sequence[Order]) -> list[Fill]:
        wanted = {o.client_order_id for o in orders}
        return [f for f in self.fills if f.client_order_id in wanted]


def load_prior(store: SqlEngine, broker_key: str) -> PriorBooks:
    """Everything earlier sessions on ``broker_key`` recorded."""
    books = PriorBooks(broker_key)
    sessions = EventStore(store).read(event_type=SESSION_EVENT)
    run_ids = [s.event.run_id for s in sessions if s.event.payload.get("broker") == broker_key]
    books.run_ids = [r for r in dict.fromkeys(run_ids) if r is not None]
    if not books.run_ids:
        return books
    orders = OrderRepository(store)
    for run_id in books.run_ids:
        for order in orders.for_run(run_id):
            books.orders[order.client_order_id] = order
            books.order_run[order.client_order_id] = run_id
        books.decision_of.update(orders.decisions_for_run(run_id))
    fills, positions = FillRepository(store), PositionRepository(store)
    totals: dict[InstrumentId, Decimal] = defaultdict(Decimal)
    for run_id in books.run_ids:
        books.fills += fills.for_run(run_id)
        for iid, position in positions.all(run_id).items():
            totals[iid] += position.quantity
    books.positions = {i: q for i, q in totals.items() if q}
    latest = SnapshotRepository(store).latest(books.run_ids[-1])
    if latest is not None:
        books.cash = dict(latest.cash)
    return books


def adopt_into_prior(
    store: SqlEngine, books: PriorBooks, events: Sequence[BrokerEvent], at: datetime
) -> int:
    """Write adoptions for earlier runs' orders into those runs; returns the fills booked.

    Fills are stamped ``at`` (when we learned of them) so they do not land before the old
    run's last snapshot; the broker's own time goes in the ``reconcile.adopted`` event.
    """
    by_run: dict[str, list[BrokerEvent]] = defaultdict(list)
    for event in events:
        run_id = books.order_run.get(event.client_order_id)
        if run_id is not None:
            by_run[run_id].append(event)
    booked = 0
    for run_id, run_events in by_run.items():
        sink = StoreSink(store, run_id, broker=books.broker_key)
        run_books = _run_books(store, books, run_id, sink)
        restamped = [
            OrderFilled(_at(e.fill, at)) if isinstance(e, OrderFilled) else e for e in run_events
        ]
        fills = run_books.apply(restamped, at, adopted=True)
        for fill in fills:
            books.fills.append(fill)
            books.positions[fill.instrument_id] = (
                books.positions.get(fill.instrument_id, Decimal(0))
                + fill.side.sign * fill.quantity.value
            )
        booked += len(fills)
        closed = run_books.closed_since()
        books.adopted_pnl += closed
        if fills:
            run_books.snapshot(at, run_books.value(_last_prices(run_books.fills)).equity)
            if run_id == books.run_ids[-1]:
                books.cash = dict(run_books.portfolio.cash)
        sink.emit(
            "reconcile.adopted",
            at,
            {
                "events": [type(e).__name__ for e in run_events],
                "fills": [
                    {"fill_id": e.fill.fill_id, "broker_ts": e.fill.ts.isoformat()}
                    for e in run_events
                    if isinstance(e, OrderFilled)
                ],
                "closed_pnl": [str(m) for m in closed],
            },
        )
        sink.flush()
    return booked


def _run_books(store: SqlEngine, books: PriorBooks, run_id: str, sink: StoreSink) -> Books:
    """An earlier run's books as its record leaves them: deposits, then its fills."""
    deposits = CapitalEvents(store).list(run_id)
    latest = SnapshotRepository(store).latest(run_id)
    base = latest.base_currency if latest is not None else deposits[0].amount.currency
    # What the broker did has happened: booking it never fails for want of cash.
    portfolio = Portfolio(base, allow_negative_cash=True)
    for event in deposits:
        if event.kind is CapitalEventKind.DEPOSIT:
            portfolio.deposit(event.amount)
        elif event.kind is CapitalEventKind.WITHDRAWAL:
            portfolio.withdraw(event.amount)
    manager = OrderManager(run_id, sink)
    mine = [o for cid, o in books.orders.items() if books.order_run[cid] == run_id]
    manager.decision_of.update(
        {
            o.client_order_id: books.decision_of[o.client_order_id]
            for o in mine
            if o.client_order_id in books.decision_of
        }
    )
    run_books = Books(portfolio, manager, sink, StaticFxRates(base, {}))
    wanted = {o.client_order_id for o in mine}
    run_books.replay([f for f in books.fills if f.client_order_id in wanted], mine)
    return run_books


def _last_prices(fills: Sequence[Fill]) -> dict[InstrumentId, Decimal]:
    """Each instrument's last fill price: the only mark an adoption at session start has."""
    return {f.instrument_id: f.price.value for f in fills}


def _at(fill: Fill, at: datetime) -> Fill:
    return Fill(
        fill.fill_id,
        fill.client_order_id,
        fill.instrument_id,
        fill.side,
        fill.quantity,
        fill.price,
        fill.fee,
        at,
    )


__all__ = ["SESSION_EVENT", "PriorBooks", "adopt_into_prior", "load_prior"]
