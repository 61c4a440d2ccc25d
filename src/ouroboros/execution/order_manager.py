"""The engine's order manager: ids, lifecycle and the audit trail of every order.

Client order ids are deterministic per run (``<run>-<seq>``) and recorded through the sink
*before* the venue sees the order, so a crash between the two leaves evidence to reconcile.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from ouroboros.domain.currency import Currency
from ouroboros.domain.decision import Decision
from ouroboros.domain.events import (
    BrokerEvent,
    OrderAccepted,
    OrderCanceled,
    OrderCancelRejected,
    OrderExpired,
    OrderFilled,
    OrderRejected,
)
from ouroboros.domain.fills import Fill
from ouroboros.domain.ids import ClientOrderId, InstrumentId
from ouroboros.domain.money import Price, Quantity
from ouroboros.domain.orders import (
    Order,
    OrderEventKind,
    OrderSide,
    OrderType,
    TimeInForce,
)
from ouroboros.domain.position import Position
from ouroboros.evaluation.trades import Trade


class EventSink(Protocol):
    """Where a run's audit trail goes. Implementations batch: the hot loop never waits on I/O.

    ``emit`` takes append-only audit events; the ``record_*`` methods carry the current state
    of orders, fills, positions and the account, the decisions and the closed round trips;
    ``step`` marks the end of one price point so a store can flush and move the run's resume
    cursor to ``checkpoint`` (what a restart needs to continue from there).
    """

    def emit(self, kind: str, ts: datetime, payload: dict[str, Any]) -> None: ...

    def record_order(self, order: Order, decision_id: str | None = None) -> None: ...

    def record_decision(self, decision: Decision) -> None: ...

    def record_trade(self, trade: Trade, currency: Currency, decision_id: str | None) -> None: ...

    def record_fill(self, fill: Fill) -> None: ...

    def record_position(self, position: Position, at: datetime) -> None: ...

    def record_snapshot(
        self, ts: datetime, base: Currency, cash: Mapping[Currency, Decimal], equity: Decimal
    ) -> None: ...

    def step(self, at: datetime, checkpoint: Mapping[str, Any] | None = None) -> None: ...

    def flush(self) -> None: ...


class MemorySink:
    """Keeps everything in lists: for tests and runs without a database."""

    def __init__(self) -> None:
        self.events: list[tuple[str, datetime, dict[str, Any]]] = []
        self.orders: dict[str, Order] = {}
        self.fills: list[Fill] = []
        self.snapshots: list[tuple[datetime, Decimal]] = []
        self.decisions: list[Decision] = []
        self.trades: list[tuple[Trade, str | None]] = []
        self.checkpoint: Mapping[str, Any] | None = None

    def emit(self, kind: str, ts: datetime, payload: dict[str, Any]) -> None:
        self.events.append((kind, ts, payload))

    def record_order(self, order: Order, decision_id: str | None = None) -> None:
        self.orders[order.client_order_id.value] = order

    def record_decision(self, decision: Decision) -> None:
        self.decisions.append(decision)

    def record_trade(self, trade: Trade, currency: Currency, decision_id: str | None) -> None:
        self.trades.append((trade, decision_id))

    def record_fill(self, fill: Fill) -> None:
        self.fills.append(fill)

    def record_position(self, position: Position, at: datetime) -> None:
        return None

    def record_snapshot(
        self, ts: datetime, base: Currency, cash: Mapping[Currency, Decimal], equity: Decimal
    ) -> None:
        self.snapshots.append((ts, equity))

    def step(self, at: datetime, checkpoint: Mapping[str, Any] | None = None) -> None:
        self.checkpoint = checkpoint

    def flush(self) -> None:
        return None


class MutableSink:
    """Forwards to ``inner`` unless muted: a resumed run re-simulates the points already on
    record with the sink muted, so nothing is written twice."""

    def __init__(self, inner: EventSink) -> None:
        self.inner = inner
        self.muted = False

    def emit(self, kind: str, ts: datetime, payload: dict[str, Any]) -> None:
        if not self.muted:
            self.inner.emit(kind, ts, payload)

    def record_order(self, order: Order, decision_id: str | None = None) -> None:
        if not self.muted:
            self.inner.record_order(order, decision_id)

    def record_decision(self, decision: Decision) -> None:
        if not self.muted:
            self.inner.record_decision(decision)

    def record_trade(self, trade: Trade, currency: Currency, decision_id: str | None) -> None:
        if not self.muted:
            self.inner.record_trade(trade, currency, decision_id)

    def record_fill(self, fill: Fill) -> None:
        if not self.muted:
            self.inner.record_fill(fill)

    def record_position(self, position: Position, at: datetime) -> None:
        if not self.muted:
            self.inner.record_position(position, at)

    def record_snapshot(
        self, ts: datetime, base: Currency, cash: Mapping[Currency, Decimal], equity: Decimal
    ) -> None:
        if not self.muted:
            self.inner.record_snapshot(ts, base, cash, equity)

    def step(self, at: datetime, checkpoint: Mapping[str, Any] | None = None) -> None:
        if not self.muted:
            self.inner.step(at, checkpoint)

    def flush(self) -> None:
        if not self.muted:
            self.inner.flush()


class OrderManager:
    def __init__(self, run_id: str, sink: EventSink, start_seq: int = 0) -> None:
        self.run_id = run_id
        self._sink = sink
        self._seq = start_seq
        self.orders: dict[ClientOrderId, Order] = {}
        self.decision_of: dict[ClientOrderId, str] = {}

    @property
    def seq(self) -> int:
        """The last sequence number used: client order ids are ``<run>-<seq>``."""
        return self._seq

    def create(
        self,
        instrument_id: InstrumentId,
        side: OrderSide,
        quantity: Quantity,
        now: datetime,
        *,
        order_type: OrderType = OrderType.MARKET,
        limit_price: Price | None = None,
        stop_price: Price | None = None,
        tif: TimeInForce = TimeInForce.DAY,
        tag: str = "",
        decision_id: str | None = None,
    ) -> Order:
        self._seq += 1
        order = Order(
            client_order_id=ClientOrderId(f"{self.run_id}-{self._seq:07d}"),
            instrument_id=instrument_id,
            side=side,
            order_type=order_type,
            quantity=quantity,
            created_at=now,
            limit_price=limit_price,
            stop_price=stop_price,
            time_in_force=tif,
            tag=tag,
        )
        self.orders[order.client_order_id] = order
        if decision_id is not None:
            self.decision_of[order.client_order_id] = decision_id
        self._sink.record_order(order, decision_id)
        self._sink.emit(
            "order.created",
            now,
            {
                "client_order_id": order.client_order_id.value,
                "instrument_id": str(instrument_id),
                "side": side.value,
                "type": order_type.value,
                "quantity": str(quantity),
                "limit_price": str(limit_price) if limit_price else None,
                "stop_price": str(stop_price) if stop_price else None,
                "tag": tag,
                "decision_id": decision_id,
            },
        )
        return order

    def deny(self, order: Order, reason: str, now: datetime) -> None:
        order.apply(OrderEventKind.DENY, now, reason)
        self._sink.record_order(order, self.decision_of.get(order.client_order_id))
        self._sink.emit(
            "order.denied", now, {"client_order_id": order.client_order_id.value, "reason": reason}
        )

    def mark_submitted(self, order: Order, now: datetime) -> None:
        order.apply(OrderEventKind.SUBMIT, now)
        self._sink.record_order(order, self.decision_of.get(order.client_order_id))
        self._sink.emit("order.submitted", now, {"client_order_id": order.client_order_id.value})

    def apply(self, events: Iterable[BrokerEvent]) -> list[Fill]:
        """Apply venue events to our orders; returns the fills to book, in order."""
        fills: list[Fill] = []
        for event in events:
            order = self.orders.get(event.client_order_id)
            if order is None:
                self._sink.emit("order.unknown_event", event.ts, {"event": type(event).__name__})
                continue
            cid = order.client_order_id.value
            if isinstance(event, OrderFilled):
                f = event.fill
                order.apply_fill(f.quantity, f.price, f.ts)
                fills.append(f)
                self._sink.emit(
                    "order.filled",
                    f.ts,
                    {
                        "client_order_id": cid,
                        "fill_id": f.fill_id,
                        "quantity": str(f.quantity),
                        "price": str(f.price),
                        "fee": str(f.fee.amount),
                        "status": order.status.value,
                    },
                )
            elif isinstance(event, OrderAccepted):
                order.venue_order_id = event.venue_order_id
                order.apply(OrderEventKind.ACCEPT, event.ts)
            elif isinstance(event, OrderRejected):
                order.apply(OrderEventKind.REJECT, event.ts, event.reason)
                self._sink.emit(
                    "order.rejected", event.ts, {"client_order_id": cid, "reason": event.reason}
                )
            elif isinstance(event, OrderCanceled):
                order.apply(OrderEventKind.CANCEL, event.ts, event.reason)
                self._sink.emit(
                    "order.canceled", event.ts, {"client_order_id": cid, "reason": event.reason}
                )
            elif isinstance(event, OrderExpired):
                order.apply(OrderEventKind.EXPIRE, event.ts)
                self._sink.emit("order.expired", event.ts, {"client_order_id": cid})
            elif isinstance(event, OrderCancelRejected):
                order.apply(OrderEventKind.CANCEL_REJECTED, event.ts, event.reason)
            self._sink.record_order(order, self.decision_of.get(order.client_order_id))
        return fills

    def open_orders(self) -> list[Order]:
        return [o for o in self.orders.values() if o.status.is_open]

    @staticmethod
    def filled_value(order: Order) -> Decimal:
        return (order.average_fill_price or Decimal(0)) * order.filled_quantity.value
