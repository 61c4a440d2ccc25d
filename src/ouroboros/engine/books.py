"""The one bookkeeper: every fill of a run goes through :class:`Books`.

Simulated fills (the loop, after each venue drain), fills a broker reports after the engine's
last step (a session's settle), and fills adopted at reconciliation (for this run or an
earlier one) are all booked by :meth:`Books.apply`, which updates together:

* the order (through the run's :class:`OrderManager`),
* the portfolio (cash and positions, through ``Portfolio.apply_fill``),
* the round-trip tracker, and for a round trip that closes, its trade row and the outcome of
  the decision that opened it,
* the breaker feed (closed trades' P&L, taken by :meth:`Books.closed_since`),
* the fill and position rows and the ``fill`` audit event.

Broker news is admitted once: a fill id already booked is dropped (an audit event says so),
an order event that would move the order illegally is dropped, and a fill that would overfill
the order or land on a closed one is refused. A broker that reports the *cumulative* filled
quantity and average price as its fill (``cumulative_fills=True``) is booked by the delta
against what the order already has (quantity, cost and fee), so a repeated or stale report
never doubles a position.

Equity, invested value and exposure that feed risk limits, the breaker, sizing and stored
snapshots are computed here once, in ``Decimal`` from the portfolio (:meth:`Books.value`);
the analytics curve takes the float of that value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from ouroboros.domain.currency import Currency
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
from ouroboros.domain.fx import FxRateSource
from ouroboros.domain.ids import ClientOrderId, InstrumentId
from ouroboros.domain.instrument import Instrument
from ouroboros.domain.money import Money, Price, Quantity
from ouroboros.domain.orders import IllegalTransition, Order, OrderEventKind, next_status
from ouroboros.domain.portfolio import Portfolio
from ouroboros.evaluation.trades import TradeTracker
from ouroboros.execution.order_manager import EventSink, OrderManager

QuantityListener = Callable[[InstrumentId, Decimal], None]
"""Called after every booked fill with the instrument and its position quantity after it."""


@dataclass(frozen=True, slots=True)
class Valuation:
    """The account in the base currency at one moment: exact, from the portfolio."""

    equity: Decimal
    invested: Decimal

    @property
    def exposure(self) -> Decimal:
        return self.invested / self.equity if self.equity > 0 else Decimal(0)


class Books:
    """Books every fill of one run; see the module docstring for what moves together."""

    def __init__(
        self,
        portfolio: Portfolio,
        orders: OrderManager,
        sink: EventSink,
        fx: FxRateSource,
        instruments: Mapping[InstrumentId, Instrument] | None = None,
        *,
        cumulative_fills: bool = False,
    ) -> None:
        self.portfolio = portfolio
        self.orders = orders
        self.sink = sink
        self.fx = fx
        self.cumulative_fills = cumulative_fills
        self.trades = TradeTracker()
        self.fills: list[Fill] = []
        self.traded_value = Decimal(0)
        self._instruments = dict(instruments or {})
        self._fill_ids: set[str] = set()
        self._order_fees: dict[ClientOrderId, Decimal] = {}
        self._entry_decision: dict[InstrumentId, str | None] = {}
        self._closed_seen = 0
        self._listeners: list[QuantityListener] = []
        traded = {i.currency for i in self._instruments.values()}
        self._currencies = sorted(
            {portfolio.base_currency, *portfolio.cash, *traded}, key=lambda c: c.value
        )

    # ------------------------------------------------------------------ setup
    def listen(self, listener: QuantityListener) -> None:
        self._listeners.append(listener)

    def instrument(self, iid: InstrumentId) -> Instrument:
        inst = self._instruments.get(iid)
        if inst is None:
            inst = self._instruments[iid] = Instrument.for_venue(iid)
        return inst

    # ------------------------------------------------------------------ booking
    def apply(self, events: Iterable[BrokerEvent], at: datetime, **audit: Any) -> list[Fill]:
        """Admit ``events`` (once each, legally), apply them to the orders and book every fill
        they carry, stamped ``at`` in the position rows; ``audit`` joins each ``fill`` event
        (e.g. ``late=True``). Returns the fills booked, in order."""
        booked: list[Fill] = []
        for event in events:
            admitted = self._admit(event, at)
            if admitted is None:
                continue
            for fill in self.orders.apply([admitted]):
                self._book(fill, at, audit)
                booked.append(fill)
        return booked

    def _admit(self, event: BrokerEvent, at: datetime) -> BrokerEvent | None:
        order = self.orders.orders.get(event.client_order_id)
        if order is None:
            return event  # the order manager records it as an unknown event
        if isinstance(event, OrderFilled):
            fill = self._admit_fill(order, event.fill, at)
            return OrderFilled(fill) if fill is not None else None
        kind = _kind(event)
        if kind is None:
            return event
        try:
            next_status(order.status, kind)
        except IllegalTransition:
            why = f"{type(event).__name__} on a {order.status.value} order"
            self._dropped(order, event, at, why)
            return None
        return event

    def _admit_fill(self, order: Order, fill: Fill, at: datetime) -> Fill | None:
        if fill.fill_id in self._fill_ids:
            self._dropped(order, OrderFilled(fill), at, f"fill {fill.fill_id} already booked")
            return None
        if self.cumulative_fills:
            done = order.filled_quantity.value
            delta = fill.quantity.value - done
            if delta <= 0:
                self._dropped(
                    order, OrderFilled(fill), at, f"cumulative {fill.quantity} <= booked {done}"
                )
                return None
            paid = (order.average_fill_price or Decimal(0)) * done
            price = (fill.price.value * fill.quantity.value - paid) / delta
            fee = fill.fee.amount - self._order_fees.get(order.client_order_id, Decimal(0))
            fill = replace(
                fill,
                quantity=Quantity(delta),
                price=Price(price.quantize(_PLACES)),
                fee=Money(max(fee, Decimal(0)), fill.fee.currency),
            )
        if order.status.is_terminal or fill.quantity > order.leaves_quantity:
            self._dropped(
                order,
                OrderFilled(fill),
                at,
                f"fill {fill.fill_id} of {fill.quantity} does not fit: order is "
                f"{order.status.value} with {order.leaves_quantity} left",
            )
            return None
        return fill

    def _dropped(self, order: Order, event: BrokerEvent, at: datetime, why: str) -> None:
        self.sink.emit(
            "books.event_dropped",
            at,
            {
                "client_order_id": order.client_order_id.value,
                "event": type(event).__name__,
                "reason": why,
            },
        )

    def _book(self, fill: Fill, at: datetime, audit: Mapping[str, Any]) -> None:
        iid = fill.instrument_id
        inst = self.instrument(iid)
        before = self.portfolio.quantity_of(iid)
        self.portfolio.apply_fill(fill, inst)
        after = self.portfolio.quantity_of(iid)
        self._fill_ids.add(fill.fill_id)
        cid = fill.client_order_id
        self._order_fees[cid] = self._order_fees.get(cid, Decimal(0)) + fill.fee.amount
        if before == 0 and after != 0:
            self._entry_decision[iid] = self.orders.decision_of.get(cid)
        self.trades.on_fill(fill, after)
        if after == 0:
            self.sink.record_trade(
                self.trades.closed[-1], inst.currency, self._entry_decision.pop(iid, None)
            )
        self.fills.append(fill)
        self.sink.record_fill(fill)
        self.sink.record_position(self.portfolio.positions[iid], at)
        self.traded_value += fill.price.value * fill.quantity.value
        for listener in self._listeners:
            listener(iid, after)
        self.sink.emit("fill", at, {**fill.audit_payload(), **audit})

    def replay(self, fills: Sequence[Fill], orders: Sequence[Order]) -> None:
        """Rebuild the books of a run from its recorded fills (an earlier session's state,
        before adopting what it missed): nothing is written."""
        for order in orders:
            self.orders.orders[order.client_order_id] = order
        for fill in fills:
            iid = fill.instrument_id
            before = self.portfolio.quantity_of(iid)
            self.portfolio.apply_fill(fill, self.instrument(iid))
            after = self.portfolio.quantity_of(iid)
            if before == 0 and after != 0:
                self._entry_decision[iid] = self.orders.decision_of.get(fill.client_order_id)
            self.trades.on_fill(fill, after)
            if after == 0:
                self._entry_decision.pop(iid, None)
            self._fill_ids.add(fill.fill_id)
            cid = fill.client_order_id
            self._order_fees[cid] = self._order_fees.get(cid, Decimal(0)) + fill.fee.amount
            self.fills.append(fill)
        self._closed_seen = len(self.trades.closed)

    # ------------------------------------------------------------------ feeds
    def closed_since(self) -> list[Money]:
        """The P&L of round trips closed since the last call (the breaker's trade feed)."""
        closed = self.trades.closed[self._closed_seen :]
        self._closed_seen = len(self.trades.closed)
        return [Money(t.pnl, self.instrument(t.instrument_id).currency) for t in closed]

    def value(self, marks: Mapping[InstrumentId, Decimal]) -> Valuation:
        """Equity and invested value in the base currency, exact: ledger cash plus every
        position at its mark (a position without a mark yet counts as zero, as before any
        price of it is known)."""
        invested: dict[Currency, Decimal] = {}
        for iid, position in self.portfolio.positions.items():
            qty = position.quantity
            if not qty:
                continue
            mark = marks.get(iid)
            if mark is not None:
                invested[position.currency] = (
                    invested.get(position.currency, Decimal(0)) + qty * mark
                )
        base = self.portfolio.base_currency
        equity = inv = Decimal(0)
        for currency in set(self.portfolio.cash) | set(invested):
            rate = Decimal(1) if currency is base else self.fx.rate(currency, base)
            held = invested.get(currency, Decimal(0))
            equity += (self.portfolio.cash.get(currency, Decimal(0)) + held) * rate
            inv += held * rate
        return Valuation(equity, inv)

    def snapshot(self, at: datetime, equity: Decimal) -> None:
        """Store the account: cash per currency and the equity (rounded to the base unit)."""
        base = self.portfolio.base_currency
        currencies = sorted(set(self._currencies) | set(self.portfolio.cash), key=lambda c: c.value)
        cash = {c: self.portfolio.cash_of(c).amount for c in currencies}
        self.sink.record_snapshot(at, base, cash, Money(equity, base).rounded().amount)


_PLACES = Decimal("1e-10")


def _kind(event: BrokerEvent) -> OrderEventKind | None:
    if isinstance(event, OrderAccepted):
        return OrderEventKind.ACCEPT
    if isinstance(event, OrderRejected):
        return OrderEventKind.REJECT
    if isinstance(event, OrderCanceled):
        return OrderEventKind.CANCEL
    if isinstance(event, OrderExpired):
        return OrderEventKind.EXPIRE
    if isinstance(event, OrderCancelRejected):
        return OrderEventKind.CANCEL_REJECTED
    return None


__all__ = ["Books", "QuantityListener", "Valuation"]
