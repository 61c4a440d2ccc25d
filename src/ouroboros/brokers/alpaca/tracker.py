"""Events from Alpaca's order states, each emitted once whatever reported it first (a submit
reply, a trade_updates message, a poll of the order list or of the FILL activities).

A fill's identity is (order id, cumulative quantity after it): the stream carries it as
``order.filled_qty`` and the activities as ``cum_qty``, so the same execution seen both ways is
booked once.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ouroboros.domain.currency import Currency
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
from ouroboros.domain.money import Money, Price, Quantity
from ouroboros.domain.orders import OrderSide, OrderStatus


def fill_id(order_id: str, cum_qty: Decimal) -> str:
    return f"{order_id}:{format(cum_qty.normalize(), 'f')}"


class EventTracker:
    def __init__(self) -> None:
        self.events: list[BrokerEvent] = []
        self.fills: dict[str, Fill] = {}
        self._accepted: set[str] = set()
        self._final: dict[str, OrderStatus] = {}

    def drain(self) -> list[BrokerEvent]:
        out, self.events = self.events, []
        return out

    def accepted(self, cid: ClientOrderId, venue_id: str, at: dt.datetime) -> None:
        if venue_id not in self._accepted:
            self._accepted.add(venue_id)
            self.events.append(OrderAccepted(cid, VenueOrderId(venue_id), at))

    def fill(
        self,
        key: str,
        cid: ClientOrderId,
        instrument: InstrumentId,
        side: OrderSide,
        qty: Decimal,
        price: Decimal,
        at: dt.datetime,
    ) -> Fill | None:
        if key in self.fills or qty <= 0:
            return None
        fill = Fill(
            key, cid, instrument, side, Quantity(qty), Price(price), Money.zero(Currency.USD), at
        )
        self.fills[key] = fill
        self.events.append(OrderFilled(fill))
        return fill

    def final(
        self, cid: ClientOrderId, venue_id: str, status: OrderStatus, at: dt.datetime, why: str = ""
    ) -> None:
        if venue_id in self._final:
            return
        if status is OrderStatus.CANCELED:
            self.events.append(OrderCanceled(cid, at, why))
        elif status is OrderStatus.EXPIRED:
            self.events.append(OrderExpired(cid, at))
        elif status is OrderStatus.REJECTED:
            self.events.append(OrderRejected(cid, why or "rejected by Alpaca", at))
        else:
            return
        self._final[venue_id] = status
