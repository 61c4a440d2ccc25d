"""The paper broker: the BrokerPort around the same fill simulator the backtester uses.

``PaperVenue`` plays the exchange and the account: it owns the simulator and remembers every
order's state and every fill, so a new ``PaperBroker`` over the same venue (a restart) reports
the same books. Prices arrive through :meth:`PaperVenue.trade_at` (a live feed in paper mode, a
test harness in the contract suite); each one is a price point at which working orders may
trade, with ``volume`` shares available.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from ouroboros.domain.events import (
    BrokerEvent,
    OrderAccepted,
    OrderCanceled,
    OrderExpired,
    OrderFilled,
    OrderRejected,
)
from ouroboros.domain.fills import Fill
from ouroboros.domain.ids import ClientOrderId, InstrumentId, VenueOrderId
from ouroboros.domain.money import Price, Quantity
from ouroboros.domain.orders import Order, OrderStatus, OrderType, TimeInForce
from ouroboros.execution.ports import (
    BalanceReport,
    BrokerCapabilities,
    OrderReport,
    PositionReport,
    SubmitAck,
)
from ouroboros.execution.simulator import BarPoint, FillSimulator


@dataclass(slots=True)
class _VenueOrder:
    order: Order
    status: OrderStatus
    venue_id: VenueOrderId | None = None
    filled: Decimal = Decimal(0)
    notional: Decimal = Decimal(0)
    reason: str = ""
    updated: datetime | None = None


class PaperVenue:
    """The simulated exchange + account shared by every PaperBroker instance."""

    def __init__(self, simulator: FillSimulator, now: Callable[[], datetime]) -> None:
        self.simulator = simulator
        self.now = now
        self.orders: dict[ClientOrderId, _VenueOrder] = {}
        self.fills: list[Fill] = []
        self._last: dict[InstrumentId, BarPoint] = {}
        self._listeners: list[Callable[[list[BrokerEvent]], None]] = []

    def last_price(self, instrument_id: InstrumentId) -> Decimal | None:
        bar = self._last.get(instrument_id)
        return bar.close if bar else None

    def trade_at(self, instrument_id: InstrumentId, price: Decimal, volume: Decimal) -> None:
        """A new price point: working orders of the instrument may trade at ``price``."""
        bar = BarPoint(self.now(), price, price, price, price, volume)
        self._last[instrument_id] = bar
        self.simulator.on_open(instrument_id, bar)
        self.simulator.on_bar(instrument_id, bar)
        self._collect()

    def submit(self, order: Order) -> None:
        cid = order.client_order_id
        if cid in self.orders:
            return
        self.orders[cid] = _VenueOrder(order, OrderStatus.SUBMITTED)
        last = self._last.get(order.instrument_id)
        self.simulator.submit(order, self.now(), last.close if last else None)
        self._collect()
        if last is not None and self.orders[cid].status is OrderStatus.ACCEPTED:
            # The order meets the current price at once, with what volume the point has left.
            if order.order_type is OrderType.MARKET:
                self.simulator.on_open(order.instrument_id, last)
            else:
                self.simulator.on_bar(order.instrument_id, last)
            self._collect()

    def cancel(self, cid: ClientOrderId) -> bool:
        done = self.simulator.cancel(cid, self.now(), "canceled by request")
        self._collect()
        return done

    def end_of_session(self, instrument_ids: set[InstrumentId]) -> None:
        self.simulator.end_of_session(instrument_ids, self.now())
        self._collect()

    def subscribe(self, listener: Callable[[list[BrokerEvent]], None]) -> None:
        self._listeners.append(listener)

    def _collect(self) -> None:
        events = self.simulator.drain()
        for event in events:
            self._apply(event)
        if events:
            for listener in self._listeners:
                listener(events)

    def _apply(self, event: BrokerEvent) -> None:
        record = self.orders.get(event.client_order_id)
        if record is None:
            return
        record.updated = event.ts
        if isinstance(event, OrderAccepted):
            record.status, record.venue_id = OrderStatus.ACCEPTED, event.venue_order_id
        elif isinstance(event, OrderRejected):
            record.status, record.reason = OrderStatus.REJECTED, event.reason
        elif isinstance(event, OrderFilled):
            fill = event.fill
            self.fills.append(fill)
            record.filled += fill.quantity.value
            record.notional += fill.quantity.value * fill.price.value
            done = record.filled >= record.order.quantity.value
            record.status = OrderStatus.FILLED if done else OrderStatus.PARTIALLY_FILLED
        elif isinstance(event, OrderCanceled):
            record.status, record.reason = OrderStatus.CANCELED, event.reason
        elif isinstance(event, OrderExpired):
            record.status = OrderStatus.EXPIRED


PAPER_CAPABILITIES = BrokerCapabilities(
    name="paper",
    order_types=frozenset(
        {OrderType.MARKET, OrderType.LIMIT, OrderType.STOP, OrderType.STOP_LIMIT}
    ),
    time_in_force=frozenset({TimeInForce.DAY, TimeInForce.GTC}),
    venues=frozenset({"*"}),
    supports_modify=False,
    notes=("fills come from the backtest fill simulator", "modify = cancel and resubmit"),
)


class PaperBroker:
    """BrokerPort adapter over a :class:`PaperVenue`; idempotent by client order id."""

    def __init__(self, venue: PaperVenue) -> None:
        self._venue = venue
        self._events: list[BrokerEvent] = []
        self._seen: set[ClientOrderId] = set()
        venue.subscribe(self._on_events)

    @property
    def capabilities(self) -> BrokerCapabilities:
        return PAPER_CAPABILITIES

    def _on_events(self, events: list[BrokerEvent]) -> None:
        self._events.extend(e for e in events if e.client_order_id in self._seen)

    async def connect(self) -> None:
        self._seen.update(self._venue.orders)

    async def close(self) -> None:
        return None

    async def submit(self, order: Order) -> SubmitAck:
        cid = order.client_order_id
        self._seen.add(cid)
        self._venue.submit(order)
        record = self._venue.orders[cid]
        if record.status is OrderStatus.REJECTED:
            return SubmitAck(cid, accepted=False, reason=record.reason)
        return SubmitAck(cid, accepted=True, venue_order_id=record.venue_id)

    async def cancel(self, order: Order) -> None:
        self._venue.cancel(order.client_order_id)

    async def modify(
        self, order: Order, quantity: Quantity | None, limit_price: Price | None
    ) -> SubmitAck:
        return SubmitAck(order.client_order_id, accepted=False, reason="modify is not supported")

    async def order_reports(self, since: datetime | None = None) -> list[OrderReport]:
        reports = []
        for cid, r in self._venue.orders.items():
            if since is not None and r.updated is not None and r.updated < since:
                continue
            reports.append(
                OrderReport(
                    client_order_id=cid,
                    venue_order_id=r.venue_id,
                    instrument_id=r.order.instrument_id,
                    side=r.order.side,
                    order_type=r.order.order_type,
                    quantity=r.order.quantity,
                    filled_quantity=Quantity(r.filled),
                    status=r.status,
                    ts=r.updated or r.order.created_at,
                    limit_price=r.order.limit_price,
                    average_fill_price=r.notional / r.filled if r.filled else None,
                    reason=r.reason,
                )
            )
        return reports

    async def fill_reports(self, since: datetime | None = None) -> list[Fill]:
        return [f for f in self._venue.fills if since is None or f.ts >= since]

    async def position_reports(self) -> list[PositionReport]:
        account = self._venue.simulator.account
        return [
            PositionReport(p.instrument_id, p.quantity, p.average_price or Decimal(0))
            for p in account.positions.values()
            if not p.is_flat
        ]

    async def balance_reports(self) -> list[BalanceReport]:
        account = self._venue.simulator.account
        return [
            BalanceReport(c, amount, amount)
            for c, amount in sorted(account.cash.items(), key=lambda kv: kv[0].value)
        ]

    def drain_events(self) -> list[BrokerEvent]:
        events, self._events = self._events, []
        return events
