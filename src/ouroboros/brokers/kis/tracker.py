"""Turns what KIS reports (cumulative REST rows, per-execution WebSocket notices) into fills and
events exactly once.

Fills are booked per KIS order number as steps of the cumulative filled quantity: a report that
raises the cumulative quantity from 3 to 5 books one fill of 2 with id ``KIS-<odno>-5``, priced
from the change in the cumulative amount. REST rows and WebSocket notices feed the same ledger,
so whichever arrives first books the fill and the other finds nothing new.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from ouroboros.brokers.kis._time import Now
from ouroboros.brokers.kis.orderstore import OrderStore
from ouroboros.domain.events import BrokerEvent, OrderFilled
from ouroboros.domain.fills import Fill
from ouroboros.domain.ids import ClientOrderId, InstrumentId
from ouroboros.domain.instrument import VENUE_CURRENCY
from ouroboros.domain.money import Money, Price, Quantity
from ouroboros.domain.orders import OrderSide


def foreign_client_id(odno: str) -> ClientOrderId:
    """A stable id for an order placed outside Ouroboros (HTS, another program)."""
    return ClientOrderId(f"KIS-{odno}")


class FillTracker:
    def __init__(self, store: OrderStore, now: Now) -> None:
        self._store = store
        self._now = now
        self._ws_cum: dict[str, tuple[Decimal, Decimal]] = {}
        self.events: list[BrokerEvent] = []

    def observe_cumulative(
        self,
        odno: str,
        client_order_id: ClientOrderId,
        instrument: InstrumentId,
        side: OrderSide,
        cum_quantity: Decimal,
        cum_amount: Decimal,
        ts: datetime | None = None,
    ) -> Fill | None:
        booked = self._store.booked(odno)
        done_qty, done_amount = Decimal(booked.quantity), Decimal(booked.amount)
        if cum_quantity <= done_qty:
            return None
        delta = cum_quantity - done_qty
        price = (cum_amount - done_amount) / delta
        if price <= 0:
            return None  # amount not reported yet; the next report books it
        fill = Fill(
            fill_id=f"KIS-{odno}-{cum_quantity}",
            client_order_id=client_order_id,
            instrument_id=instrument,
            side=side,
            quantity=Quantity(delta),
            price=Price(price),
            fee=Money.zero(VENUE_CURRENCY[instrument.venue]),
            ts=ts or self._now(),
        )
        booked.quantity, booked.amount = str(cum_quantity), str(cum_amount)
        booked.fills.append(
            {
                "fill_id": fill.fill_id,
                "client_order_id": str(client_order_id),
                "instrument": str(instrument),
                "side": side.value,
                "quantity": str(delta),
                "price": str(price),
                "ts": fill.ts.isoformat(),
            }
        )
        self._store.save_booked(odno, booked)
        self.events.append(OrderFilled(fill))
        return fill

    def observe_execution(
        self,
        odno: str,
        client_order_id: ClientOrderId,
        instrument: InstrumentId,
        side: OrderSide,
        quantity: Decimal,
        price: Decimal,
        ts: datetime,
    ) -> Fill | None:
        """One WebSocket execution notice (CNTG_QTY @ CNTG_UNPR)."""
        seen_qty, seen_amount = self._ws_cum.get(odno, (Decimal(0), Decimal(0)))
        seen_qty, seen_amount = seen_qty + quantity, seen_amount + quantity * price
        self._ws_cum[odno] = (seen_qty, seen_amount)
        booked = self._store.booked(odno)
        if seen_qty <= Decimal(booked.quantity):
            return None
        # Book only the part beyond what REST already booked, at this execution's price.
        amount = Decimal(booked.amount) + (seen_qty - Decimal(booked.quantity)) * price
        return self.observe_cumulative(
            odno, client_order_id, instrument, side, seen_qty, amount, ts
        )

    def fills(self, since: datetime | None = None) -> list[Fill]:
        out: list[Fill] = []
        for booked in self._store.all_booked().values():
            for raw in booked.fills:
                ts = datetime.fromisoformat(raw["ts"])
                if since is not None and ts < since:
                    continue
                instrument = InstrumentId.parse(raw["instrument"])
                out.append(
                    Fill(
                        raw["fill_id"],
                        ClientOrderId(raw["client_order_id"]),
                        instrument,
                        OrderSide(raw["side"]),
                        Quantity(Decimal(raw["quantity"])),
                        Price(Decimal(raw["price"])),
                        Money.zero(VENUE_CURRENCY[instrument.venue]),
                        ts,
                    )
                )
        return sorted(out, key=lambda f: (f.ts, f.fill_id))

    def drain(self) -> list[BrokerEvent]:
        events, self.events = self.events, []
        return events
