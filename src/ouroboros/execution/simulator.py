"""The fill simulator: one model of execution shared by backtests, replay and paper trading.

Orders rest here until a bar (or the opening price point) lets them trade. Rules, all
documented in docs/engine.md and tested:

* Market orders trade at the next price point after they are sent: the bar's open by default,
  or the close in ``close`` mode. The price moves against us by half the spread plus slippage,
  then snaps to the tick grid in the adverse direction.
* Limit orders trade when the bar's range reaches the limit. A gap through the limit fills at
  the open (the better price); otherwise at the limit.
* Stop orders trigger when the range touches the stop; a gap through the stop fills at the open
  (the worse price); then spread and slippage apply as for a market order.
* Stop-limit orders trigger like stops and then behave as limits at their limit price.
* With a participation rate, one bar fills at most that fraction of its volume (rounded down to
  lots), counted per order and per bar (resting limits and stops too); the rest keeps working.
  Latency delays the first bar an order may trade on.
* Cash and share checks happen at submit (estimated at the reference price) and again at fill;
  an unaffordable fill cancels the remainder with a reason rather than overdrawing the account.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from enum import Enum

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
from ouroboros.domain.instrument import Instrument
from ouroboros.domain.money import Price, Quantity, to_decimal
from ouroboros.domain.orders import Order, OrderSide, OrderType, TimeInForce
from ouroboros.domain.portfolio import Portfolio
from ouroboros.domain.ticks import PriceRounding
from ouroboros.execution.fees import FeeSchedule


class FillAt(Enum):
    NEXT_OPEN = "next_open"
    CLOSE = "close"


@dataclass(frozen=True, slots=True)
class FillModel:
    fill_at: FillAt = FillAt.NEXT_OPEN
    spread_pct: Decimal = Decimal("0.0005")
    slippage_pct: Decimal = Decimal("0.0015")
    latency: timedelta = timedelta(0)
    participation_rate: Decimal | None = None

    @classmethod
    def frictionless(cls, fill_at: FillAt = FillAt.NEXT_OPEN) -> FillModel:
        return cls(fill_at=fill_at, spread_pct=Decimal(0), slippage_pct=Decimal(0))


@dataclass(frozen=True, slots=True)
class BarPoint:
    """One bar of one instrument, as the simulator needs it (exact decimals)."""

    ts: datetime
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal

    @classmethod
    def from_floats(
        cls, ts: datetime, o: float, h: float, low: float, c: float, v: float
    ) -> BarPoint:
        return cls(ts, to_decimal(o), to_decimal(h), to_decimal(low), to_decimal(c), to_decimal(v))


@dataclass(slots=True)
class _Working:
    order: Order
    active_from: datetime
    triggered: bool = False
    oco: ClientOrderId | None = None
    stop_f: float = float("nan")
    limit_f: float = float("nan")
    filled: Decimal = field(default=Decimal(0))
    filled_this_bar: Decimal = field(default=Decimal(0))
    bar_ts: datetime | None = None  # the bar ``filled_this_bar`` counts against

    def take_bar(self, ts: datetime) -> Decimal:
        """What this order already filled on the bar at ``ts`` (a new bar starts at zero)."""
        if self.bar_ts != ts:
            self.bar_ts = ts
            self.filled_this_bar = Decimal(0)
        return self.filled_this_bar

    @property
    def leaves(self) -> Decimal:
        return self.order.quantity.value - self.filled


MarketOpen = Callable[[InstrumentId, datetime], bool]


class FillSimulator:
    """Working orders plus the simulated account they trade against (the venue's books)."""

    def __init__(
        self,
        instruments: Mapping[InstrumentId, Instrument],
        fees: Callable[[Instrument], FeeSchedule],
        model: FillModel,
        account: Portfolio,
        market_open: MarketOpen | None = None,
        id_prefix: str = "SIM",
    ) -> None:
        self._instruments = instruments
        self._prefix = id_prefix
        self._fees = fees
        self.model = model
        self.account = account
        self._market_open = market_open
        self._working: dict[ClientOrderId, _Working] = {}
        self._by_instrument: dict[InstrumentId, dict[ClientOrderId, _Working]] = {}
        self._known: dict[ClientOrderId, Order] = {}
        self._last: dict[InstrumentId, BarPoint] = {}
        self._fill_seq = 0
        self.events: list[BrokerEvent] = []

    @property
    def supports_protective_orders(self) -> bool:
        """Resting GTC stops and take-profits (linked OCO) are simulated against each bar."""
        return True

    def add_error_listener(self, listener: Callable[[datetime], None]) -> None:
        """A simulator has no transport that could fail: nothing to report."""
        return

    # ----------------------------------------------------------------- submit / cancel
    def submit(
        self,
        order: Order,
        now: datetime,
        reference_price: Decimal | None,
        oco_with: ClientOrderId | None = None,
    ) -> bool:
        """Accept or reject an order; returns True when it is working. Idempotent by id.

        ``oco_with`` links a protective pair (stop-loss and take-profit): they share the shares
        they may sell, and the first to fill cancels the other.
        """
        if order.client_order_id in self._known:
            return order.client_order_id in self._working
        self._known[order.client_order_id] = order
        reason = self._rejection(order, now, reference_price, oco_with)
        if reason:
            self.events.append(OrderRejected(order.client_order_id, reason, now))
            return False
        venue_id = VenueOrderId(f"{self._prefix}-O{len(self._known):08d}")
        self.events.append(OrderAccepted(order.client_order_id, venue_id, now))
        self._add(
            _Working(
                order,
                now + self.model.latency,
                oco=oco_with,
                stop_f=float(order.stop_price.value) if order.stop_price else float("nan"),
                limit_f=float(order.limit_price.value) if order.limit_price else float("nan"),
            )
        )
        partner = self._working.get(oco_with) if oco_with else None
        if partner is not None:
            partner.oco = order.client_order_id
        return True

    def cancel(self, client_order_id: ClientOrderId, now: datetime, reason: str = "") -> bool:
        working = self._remove(client_order_id)
        if working is None:
            return False
        self.events.append(OrderCanceled(client_order_id, now, reason))
        return True

    def _add(self, w: _Working) -> None:
        cid = w.order.client_order_id
        self._working[cid] = w
        self._by_instrument.setdefault(w.order.instrument_id, {})[cid] = w

    def _remove(self, cid: ClientOrderId) -> _Working | None:
        w = self._working.pop(cid, None)
        if w is not None:
            bucket = self._by_instrument[w.order.instrument_id]
            del bucket[cid]
            if not bucket:
                del self._by_instrument[w.order.instrument_id]
        return w

    def working_for(self, instrument_id: InstrumentId) -> list[Order]:
        return [w.order for w in self._by_instrument.get(instrument_id, {}).values()]

    def working_instruments(self) -> list[InstrumentId]:
        return list(self._by_instrument)

    def is_working(self, client_order_id: ClientOrderId) -> bool:
        return client_order_id in self._working

    def working_orders(self) -> list[Order]:
        return [w.order for w in self._working.values()]

    def known(self, client_order_id: ClientOrderId) -> Order | None:
        return self._known.get(client_order_id)

    def _rejection(
        self, order: Order, now: datetime, reference: Decimal | None, oco_with: ClientOrderId | None
    ) -> str:
        inst = self._instruments.get(order.instrument_id)
        if inst is None:
            return f"unknown instrument {order.instrument_id}"
        if not inst.is_valid_quantity(order.quantity, order.side):
            return (
                f"quantity {order.quantity} is not a multiple of the lot {inst.lot_for(order.side)}"
            )
        for name, price in (("limit", order.limit_price), ("stop", order.stop_price)):
            if price is not None and not inst.is_valid_price(price):
                return f"{name} price {price} is off the tick grid ({inst.tick_size(price)})"
        if self._market_open is not None and not self._market_open(order.instrument_id, now):
            return f"market closed for {order.instrument_id} at {now.isoformat()}"
        if order.side is OrderSide.SELL:
            held = self.account.quantity_of(order.instrument_id) - self._reserved_sells(
                order, oco_with
            )
            if held < order.quantity.value:
                return f"insufficient shares: selling {order.quantity}, holding {held}"
            return ""
        estimate = order.limit_price.value if order.limit_price is not None else reference
        if estimate is None:
            return "no reference price to check buying power"
        cost = estimate * order.quantity.value * (1 + self._adverse_pct())
        fee = self._fees(inst).fee(OrderSide.BUY, Price(estimate), order.quantity, inst.currency)
        cash = self.account.cash_of(inst.currency).amount
        if cost + fee.amount > cash:
            need = inst.currency.round(cost + fee.amount)
            return f"insufficient cash: needs {need}, has {cash} {inst.currency.value}"
        return ""

    def _reserved_sells(self, order: Order, oco_with: ClientOrderId | None) -> Decimal:
        return sum(
            (
                w.leaves
                for cid, w in self._by_instrument.get(order.instrument_id, {}).items()
                if w.order.side is OrderSide.SELL and cid != oco_with
            ),
            Decimal(0),
        )

    def _adverse_pct(self) -> Decimal:
        return self.model.spread_pct / 2 + self.model.slippage_pct

    # ----------------------------------------------------------------- price points
    def on_open(self, instrument_id: InstrumentId, bar: BarPoint) -> None:
        """The opening price point: market orders sent before it trade at the open."""
        self._last[instrument_id] = bar
        for w in self._for(instrument_id):
            if w.order.order_type is OrderType.MARKET and bar.ts >= w.active_from:
                self._execute(w, bar.open, bar, adverse=True)

    def on_bar(self, instrument_id: InstrumentId, bar: BarPoint) -> None:
        """The rest of the bar: resting limit and stop orders meet its range."""
        self._last[instrument_id] = bar
        for w in self._for(instrument_id):
            if bar.ts < w.active_from or w.order.order_type is OrderType.MARKET:
                continue
            self._range_fill(w, bar)

    def needs_bar(
        self, instrument_id: InstrumentId, high: float, low: float, opening: bool
    ) -> bool:
        """Cheap float pre-check: could any working order of this instrument trade on this bar?

        Lets the engine skip building exact decimal bars for the many steps where resting
        stops and limits are nowhere near the price.
        """
        for w in self._by_instrument.get(instrument_id, {}).values():
            order = w.order
            if order.order_type is OrderType.MARKET:
                return True
            if opening:
                continue
            buy = order.side is OrderSide.BUY
            if order.order_type is OrderType.STOP and w.triggered:
                return True
            if order.order_type.needs_stop_price and not w.triggered:
                if (high >= w.stop_f) if buy else (low <= w.stop_f):
                    return True
                continue
            if (low <= w.limit_f) if buy else (high >= w.limit_f):
                return True
        return False

    def on_close(self, instrument_id: InstrumentId, bar: BarPoint) -> None:
        """The closing price point: in ``close`` mode market orders trade at the close."""
        self._last[instrument_id] = bar
        if self.model.fill_at is not FillAt.CLOSE:
            return
        for w in self._for(instrument_id):
            if w.order.order_type is OrderType.MARKET:
                self._execute(w, bar.close, bar, adverse=True)

    def end_of_session(self, instrument_ids: AbstractSet[InstrumentId], now: datetime) -> None:
        """DAY orders that did not complete expire at the close of their session."""
        for iid in [i for i in self._by_instrument if i in instrument_ids]:
            for cid, w in list(self._by_instrument[iid].items()):
                if w.order.time_in_force is TimeInForce.DAY:
                    self._remove(cid)
                    self.events.append(OrderExpired(cid, now))

    def _for(self, instrument_id: InstrumentId) -> list[_Working]:
        return list(self._by_instrument.get(instrument_id, {}).values())

    def _range_fill(self, w: _Working, bar: BarPoint) -> None:
        order = w.order
        buy = order.side is OrderSide.BUY
        if order.order_type is OrderType.STOP and w.triggered:
            # The rest of a stop that the participation cap cut short trades like a market order.
            self._execute(w, bar.open, bar, adverse=True)
            return
        if order.order_type.needs_stop_price and not w.triggered:
            stop = order.stop_price.value if order.stop_price else Decimal(0)
            touched = bar.high >= stop if buy else bar.low <= stop
            if not touched:
                return
            w.triggered = True
            if order.order_type is OrderType.STOP:
                gapped = bar.open >= stop if buy else bar.open <= stop
                self._execute(w, bar.open if gapped else stop, bar, adverse=True)
                return
        if order.limit_price is None:
            return
        limit = order.limit_price.value
        reachable = bar.low <= limit if buy else bar.high >= limit
        if not reachable:
            return
        better_open = bar.open <= limit if buy else bar.open >= limit
        price = bar.open if better_open and not w.triggered else limit
        self._execute(w, price, bar, adverse=False)

    # ----------------------------------------------------------------- execution
    def _execute(self, w: _Working, raw_price: Decimal, bar: BarPoint, *, adverse: bool) -> None:
        order = w.order
        inst = self._instruments[order.instrument_id]
        price = self._fill_price(inst, order.side, raw_price, adverse)
        qty = self._fill_quantity(w, inst, bar)
        if qty <= 0:
            return
        quantity = Quantity(qty)
        fee = self._fees(inst).fee(order.side, price, quantity, inst.currency)
        if order.side is OrderSide.BUY:
            need = inst.notional(price, quantity).amount + fee.amount
            if need > self.account.cash_of(inst.currency).amount:
                self._remove(order.client_order_id)
                self.events.append(
                    OrderCanceled(order.client_order_id, bar.ts, "insufficient cash at fill")
                )
                return
        self._fill_seq += 1
        fill = Fill(
            fill_id=f"{self._prefix}-F{self._fill_seq:09d}",
            client_order_id=order.client_order_id,
            instrument_id=order.instrument_id,
            side=order.side,
            quantity=quantity,
            price=price,
            fee=fee,
            ts=bar.ts,
        )
        self.account.apply_fill(fill, inst)
        w.filled_this_bar += qty
        w.filled += qty
        if w.leaves <= 0:
            self._remove(order.client_order_id)
        self.events.append(OrderFilled(fill))
        if w.oco is not None:
            self.cancel(w.oco, bar.ts, "one-cancels-other: partner filled")

    def _fill_price(self, inst: Instrument, side: OrderSide, raw: Decimal, adverse: bool) -> Price:
        if not adverse or (self.model.spread_pct == 0 and self.model.slippage_pct == 0):
            return Price(raw) if inst.is_valid_price(raw) else inst.round_price(raw)
        factor = self._adverse_pct()
        moved = raw * (1 + factor) if side is OrderSide.BUY else raw * (1 - factor)
        mode = PriceRounding.UP if side is OrderSide.BUY else PriceRounding.DOWN
        return inst.round_price(moved, mode)

    def _fill_quantity(self, w: _Working, inst: Instrument, bar: BarPoint) -> Decimal:
        order = w.order
        leaves = w.leaves
        rate = self.model.participation_rate
        if rate is None:
            return leaves
        cap = inst.round_quantity(Quantity(bar.volume * rate), order.side).value - w.take_bar(
            bar.ts
        )
        return max(Decimal(0), min(leaves, cap))

    def drain(self) -> list[BrokerEvent]:
        events, self.events = self.events, []
        return events
