"""Turns what KIS reports (cumulative REST rows, per-execution WebSocket notices) into fills and
events exactly once.

Fills are booked per trade date and KIS order number as steps of the cumulative filled
quantity: a report that raises the cumulative quantity from 3 to 5 books one fill of 2 with id
``KIS-<yyyymmdd>-<odno>-5``, priced from the change in the cumulative amount. KIS order numbers
restart every day, so the trade date is part of the key and of the id: the same ODNO on another
day is another order. REST rows and WebSocket notices feed the same ledger, so whichever arrives
first books the fill and the other finds nothing new.

KIS reports no fee per fill; fills leave here with a zero fee and the broker venue books the
modelled costs (``execution/fees.py``) on them before the books see them.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from ouroboros.brokers.kis._time import Now
from ouroboros.brokers.kis.orderstore import OrderStore, trade_date
from ouroboros.domain.events import BrokerEvent, OrderFilled
from ouroboros.domain.fills import Fill
from ouroboros.domain.ids import ClientOrderId, InstrumentId
from ouroboros.domain.instrument import VENUE_CURRENCY
from ouroboros.domain.money import Money, Price, Quantity
from ouroboros.domain.orders import OrderSide
from ouroboros.execution.tracking import storable
from ouroboros.store.repositories import LedgerFill


def foreign_client_id(odno: str, day: date) -> ClientOrderId:
    """A stable id for an order placed outside Ouroboros (HTS, another program)."""
    return ClientOrderId(f"KIS-{day:%Y%m%d}-{odno}")


class FillTracker:
    def __init__(self, store: OrderStore, now: Now) -> None:
        self._store = store
        self._now = now
        self._ws_cum: dict[tuple[date, str], tuple[Decimal, Decimal]] = {}
        self.events: list[BrokerEvent] = []

    def observe_cumulative(
        self,
        day: date,
        odno: str,
        client_order_id: ClientOrderId,
        instrument: InstrumentId,
        side: OrderSide,
        cum_quantity: Decimal,
        cum_amount: Decimal,
        ts: datetime | None = None,
    ) -> Fill | None:
        """Book what ``odno`` of trade date ``day`` filled beyond what was booked already."""
        booked = self._store.booked(day, odno)
        if cum_quantity <= booked.quantity:
            return None
        delta = cum_quantity - booked.quantity
        price = (cum_amount - booked.amount) / delta
        if price <= 0:
            return None  # amount not reported yet; the next report books it
        fill = storable(  # an average over executions may repeat: 10 places, as the books keep
            Fill(
                fill_id=f"KIS-{day:%Y%m%d}-{odno}-{cum_quantity}",
                client_order_id=client_order_id,
                instrument_id=instrument,
                side=side,
                quantity=Quantity(delta),
                price=Price(price),
                fee=Money.zero(VENUE_CURRENCY[instrument.venue]),
                ts=ts or self._now(),
            )
        )
        self._store.book(day, odno, cum_quantity, cum_amount, _ledger_fill(fill))
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
        """One WebSocket execution notice (CNTG_QTY @ CNTG_UNPR) of trade date ``ts``."""
        day = trade_date(ts)
        seen_qty, seen_amount = self._ws_cum.get((day, odno), (Decimal(0), Decimal(0)))
        seen_qty, seen_amount = seen_qty + quantity, seen_amount + quantity * price
        self._ws_cum[(day, odno)] = (seen_qty, seen_amount)
        booked = self._store.booked(day, odno)
        if seen_qty <= booked.quantity:
            return None
        # Book only the part beyond what REST already booked, at this execution's price.
        amount = booked.amount + (seen_qty - booked.quantity) * price
        return self.observe_cumulative(
            day, odno, client_order_id, instrument, side, seen_qty, amount, ts
        )

    def fills(self, since: datetime | None = None) -> list[Fill]:
        out: list[Fill] = []
        for raw in self._store.all_fills():
            if since is not None and raw.ts < since:
                continue
            instrument = InstrumentId.parse(raw.instrument_id)
            out.append(
                Fill(
                    raw.fill_id,
                    ClientOrderId(raw.client_order_id),
                    instrument,
                    OrderSide(raw.side),
                    Quantity(raw.quantity),
                    Price(raw.price),
                    Money.zero(VENUE_CURRENCY[instrument.venue]),
                    raw.ts,
                )
            )
        return sorted(out, key=lambda f: (f.ts, f.fill_id))

    def drain(self) -> list[BrokerEvent]:
        events, self.events = self.events, []
        return events


def _ledger_fill(fill: Fill) -> LedgerFill:
    return LedgerFill(
        fill.fill_id,
        fill.client_order_id.value,
        str(fill.instrument_id),
        fill.side.value,
        fill.quantity.value,
        fill.price.value,
        fill.ts,
    )
