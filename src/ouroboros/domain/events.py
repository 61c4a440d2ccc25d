"""Order events as immutable messages (past tense), as a broker or the simulator reports them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ouroboros.domain.fills import Fill
from ouroboros.domain.ids import ClientOrderId, VenueOrderId


@dataclass(frozen=True, slots=True)
class OrderAccepted:
    client_order_id: ClientOrderId
    venue_order_id: VenueOrderId
    ts: datetime


@dataclass(frozen=True, slots=True)
class OrderRejected:
    client_order_id: ClientOrderId
    reason: str
    ts: datetime


@dataclass(frozen=True, slots=True)
class OrderFilled:
    fill: Fill

    @property
    def client_order_id(self) -> ClientOrderId:
        return self.fill.client_order_id

    @property
    def ts(self) -> datetime:
        return self.fill.ts


@dataclass(frozen=True, slots=True)
class OrderCanceled:
    client_order_id: ClientOrderId
    ts: datetime
    reason: str = ""


@dataclass(frozen=True, slots=True)
class OrderCancelRejected:
    client_order_id: ClientOrderId
    reason: str
    ts: datetime


@dataclass(frozen=True, slots=True)
class OrderExpired:
    client_order_id: ClientOrderId
    ts: datetime


BrokerEvent = (
    OrderAccepted | OrderRejected | OrderFilled | OrderCanceled | OrderCancelRejected | OrderExpired
)
