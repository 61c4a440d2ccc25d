"""The broker port: the one short interface every broker adapter implements.

Adapters declare what they can do in :class:`BrokerCapabilities` instead of callers branching on
``isinstance``. Submission is idempotent by client order id: submitting an id the broker already
knows must not create a second order (the adapter answers with the existing order's state).
Pushed reports (fills over a WebSocket, simulated fills) are buffered by the adapter and handed
over by :meth:`BrokerPort.drain_events`, so the engine consumes them at a step boundary.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from ouroboros.domain.currency import Currency
from ouroboros.domain.events import BrokerEvent
from ouroboros.domain.fills import Fill
from ouroboros.domain.ids import ClientOrderId, InstrumentId, VenueOrderId
from ouroboros.domain.money import Price, Quantity
from ouroboros.domain.orders import Order, OrderSide, OrderStatus, OrderType, TimeInForce


@dataclass(frozen=True, slots=True)
class BrokerCapabilities:
    name: str
    order_types: frozenset[OrderType]
    time_in_force: frozenset[TimeInForce]
    venues: frozenset[str]
    fractional_shares: bool = False
    short_selling: bool = False
    supports_modify: bool = True
    max_requests_per_second: float | None = None
    notes: tuple[str, ...] = field(default=())
    reports_fees: bool = True
    """False: fills arrive without their costs (KIS); the broker venue books modelled fees."""


@dataclass(frozen=True, slots=True)
class SubmitAck:
    """What the broker said to a submit. ``accepted`` False carries the broker's reason."""

    client_order_id: ClientOrderId
    accepted: bool
    venue_order_id: VenueOrderId | None = None
    reason: str = ""


@dataclass(frozen=True, slots=True)
class OrderReport:
    """The broker's view of one order, for reconciliation."""

    client_order_id: ClientOrderId | None
    venue_order_id: VenueOrderId | None
    instrument_id: InstrumentId
    side: OrderSide
    order_type: OrderType
    quantity: Quantity
    filled_quantity: Quantity
    status: OrderStatus
    ts: datetime
    limit_price: Price | None = None
    average_fill_price: Decimal | None = None
    reason: str = ""


@dataclass(frozen=True, slots=True)
class PositionReport:
    instrument_id: InstrumentId
    quantity: Decimal
    average_price: Decimal


@dataclass(frozen=True, slots=True)
class BalanceReport:
    currency: Currency
    cash: Decimal
    buying_power: Decimal


class BrokerPort(Protocol):
    """Everything the order manager needs from a broker."""

    @property
    def capabilities(self) -> BrokerCapabilities: ...

    async def connect(self) -> None: ...

    async def close(self) -> None: ...

    async def submit(self, order: Order) -> SubmitAck: ...

    async def cancel(self, order: Order) -> None: ...

    async def modify(
        self, order: Order, quantity: Quantity | None, limit_price: Price | None
    ) -> SubmitAck: ...

    async def order_reports(self, since: datetime | None = None) -> list[OrderReport]: ...

    async def fill_reports(self, since: datetime | None = None) -> list[Fill]: ...

    async def position_reports(self) -> list[PositionReport]: ...

    async def balance_reports(self) -> list[BalanceReport]: ...

    def drain_events(self) -> list[BrokerEvent]: ...
