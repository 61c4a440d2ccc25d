"""Our books for one broker account, as the database knows them from earlier sessions.

Each broker session is a run whose ledger starts with the account's cash and records only its
own trades; it marks itself with a ``broker.session`` event naming the account (``broker_key``).
So the account's holdings we can explain are the sum of those runs' positions, our cash is the
latest run's last snapshot, and orders they left open are the ones to settle before trading.

Adoptions for an earlier run (a fill it missed, an order that closed after it stopped) are
written into *that* run - its order rows, fills and positions - so every run's books stay
self-consistent for ``audit verify``.
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
from ouroboros.domain.ids import ClientOrderId, InstrumentId
from ouroboros.domain.instrument import Instrument
from ouroboros.domain.orders import Order
from ouroboros.domain.position import Position
from ouroboros.engine.recording import StoreSink
from ouroboros.execution.order_manager import OrderManager
from ouroboros.store import (
    EventStore,
    FillRepository,
    PositionRepository,
    SnapshotRepository,
    transaction,
)
from ouroboros.store.convert import order_from
from ouroboros.store.tables import ORDERS

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
    with transaction(store) as conn:
        rows = conn.execute(
            ORDERS.select().where(ORDERS.c.run_id.in_(books.run_ids)).order_by(ORDERS.c.id)
        ).mappings()
        for row in rows:
            order = order_from(row)
            books.orders[order.client_order_id] = order
            books.order_run[order.client_order_id] = row["run_id"]
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
    positions = PositionRepository(store)
    for run_id, run_events in by_run.items():
        sink = StoreSink(store, run_id, broker=books.broker_key)
        manager = OrderManager(run_id, sink)
        for event in run_events:
            order = books.orders[event.client_order_id]
            manager.orders[order.client_order_id] = order
        restamped = [
            OrderFilled(_at(e.fill, at)) if isinstance(e, OrderFilled) else e for e in run_events
        ]
        for fill in manager.apply(restamped):
            instrument = Instrument.for_venue(fill.instrument_id)
            position = positions.get(run_id, fill.instrument_id) or Position(
                fill.instrument_id, instrument.currency
            )
            position.apply(fill.side, fill.quantity, fill.price)
            sink.record_fill(fill)
            sink.record_position(position, at)
            books.fills.append(fill)
            books.positions[fill.instrument_id] = (
                books.positions.get(fill.instrument_id, Decimal(0))
                + fill.side.sign * fill.quantity.value
            )
            booked += 1
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
            },
        )
        sink.flush()
    return booked


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
