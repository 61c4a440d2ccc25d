"""The sandbox's account: order entry with Alpaca's checks, matching, positions, FILL
activities and the trade_updates events.

Checks at entry (reference §3, §4.2, §9): unknown or untradable asset, ``client_order_id``
length and uniqueness (forever, canceled ids included), qty xor notional, fractional only for
market+day on a fractionable asset, sub-penny prices, buying power, shares held by other
orders, and the wash-trade rule (an order that could execute against an opposite open order of
the same symbol). Matching: a marketable order fills at once at the last price against the
listing's liquidity; resting orders fill when the price moves through them (set_price/step).
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ouroboros.sandbox.alpaca.entry import check_prices, validated
from ouroboros.sandbox.alpaca.market import Market
from ouroboros.sandbox.alpaca.orders import SbOrder
from ouroboros.sandbox.alpaca.wire import ApiError, dec, to_decimal, ts

START_CASH = Decimal(100_000)

Listener = Callable[[dict[str, Any]], None]


@dataclass(slots=True)
class Position:
    qty: Decimal = Decimal(0)
    cost: Decimal = Decimal(0)

    @property
    def avg(self) -> Decimal:
        return (self.cost / self.qty).quantize(Decimal("0.0001")) if self.qty else Decimal(0)


@dataclass(slots=True)
class Activity:
    id: str
    at: dt.datetime
    order: SbOrder
    qty: Decimal
    price: Decimal
    kind: str
    cum_qty: Decimal = Decimal(0)
    leaves_qty: Decimal = Decimal(0)
    order_status: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "activity_type": "FILL",
            "transaction_time": ts(self.at),
            "type": self.kind,
            "price": dec(self.price),
            "qty": dec(self.qty),
            "side": self.order.side,
            "symbol": self.order.symbol,
            "leaves_qty": dec(self.leaves_qty),
            "order_id": self.order.id,
            "cum_qty": dec(self.cum_qty),
            "order_status": self.order_status,
        }


@dataclass(slots=True)
class EntryFaults:
    """One-shot faults on order entry and matching, consumed in order."""

    partial_next: int = 0
    reject_next: list[str] = field(default_factory=list)


class Book:
    """Everything that changes when orders trade. Guarded by one lock: HTTP handlers run on the
    server's loop, controls (set_price, step) on the caller's thread."""

    def __init__(self, market: Market, *, cancel_latency_steps: int = 0) -> None:
        self.market = market
        self.lock = threading.RLock()
        self.cash = START_CASH
        self.positions: dict[str, Position] = {}
        self.orders: dict[str, SbOrder] = {}
        self.by_client_id: dict[str, SbOrder] = {}
        self.used_client_ids: set[str] = set()
        self.activities: list[Activity] = []
        self.listeners: list[Listener] = []
        self.faults = EntryFaults()
        self.cancel_latency_steps = cancel_latency_steps
        self._pending_cancel: dict[str, int] = {}
        self._seq = 0
        self.account_id = str(uuid.UUID(int=market.seed + 1))

    def now(self) -> dt.datetime:
        return self.market.clock.now()

    def new_id(self) -> str:
        self._seq += 1
        return str(uuid.UUID(int=(self.market.seed << 64) + self._seq))

    # -- events ----------------------------------------------------------------------------
    def _emit(self, event: str, order: SbOrder, **extra: Any) -> None:
        data: dict[str, Any] = {
            "event": event,
            "timestamp": ts(self.now()),
            "order": order.to_json(),
        }
        data.update(extra)
        message = {"stream": "trade_updates", "data": data}
        for listener in list(self.listeners):
            listener(message)

    # -- account ---------------------------------------------------------------------------
    def held_for_buys(self) -> Decimal:
        held = Decimal(0)
        for o in self.orders.values():
            if o.is_open and o.side == "buy":
                price = o.limit_price or o.stop_price or self.market.price(o.symbol)
                held += o.notional if o.notional is not None else o.leaves * price
        return held

    def buying_power(self) -> Decimal:
        return self.cash - self.held_for_buys()

    def market_value(self) -> Decimal:
        return sum((p.qty * self.market.price(s) for s, p in self.positions.items()), Decimal(0))

    def held_for_sells(self, symbol: str) -> Decimal:
        return sum(
            (
                o.leaves
                for o in self.orders.values()
                if o.is_open and o.side == "sell" and o.symbol == symbol and not o.parent
            ),
            Decimal(0),
        )

    # -- entry -----------------------------------------------------------------------------
    def submit(self, body: dict[str, Any]) -> SbOrder:
        with self.lock:
            order = validated(self, body)
            self._check_funds(order)
            self._check_wash(order)
            self.used_client_ids.add(order.client_order_id)
            self._register(order)
            if self.faults.reject_next:
                reason = self.faults.reject_next.pop(0)
                order.touch(self.now(), "rejected")
                order.failed_at = self.now()
                self._emit("rejected", order, reason=reason)
                return order
            self._emit("new", order)
            self._match(order)
            return order

    def _register(self, order: SbOrder) -> None:
        self._seq += 1
        order.seq = self._seq
        self.orders[order.id] = order
        self.by_client_id[order.client_order_id] = order
        for leg in order.legs:
            self._seq += 1
            leg.seq = self._seq
            self.orders[leg.id] = leg
            self.by_client_id[leg.client_order_id] = leg
            self.used_client_ids.add(leg.client_order_id)

    def _check_funds(self, order: SbOrder) -> None:
        price = self.market.price(order.symbol)
        if order.side == "buy":
            cost = (
                order.notional
                if order.notional is not None
                else order.total * (order.limit_price or price)
            )
            if cost > self.buying_power():
                raise ApiError(
                    403,
                    40310000,
                    "insufficient buying power",
                    buying_power=dec(self.buying_power()),
                    cost_basis=dec(cost),
                )
            return
        position = self.positions.get(order.symbol, Position())
        held = self.held_for_sells(order.symbol)
        available = max(Decimal(0), position.qty - held)
        if order.qty is not None and position.qty > 0 and order.qty > available:
            raise ApiError(
                403,
                40310000,
                f"insufficient qty available for order (requested: {dec(order.qty)}, "
                f"available: {dec(available)})",
                available=dec(available),
                existing_qty=dec(position.qty),
                held_for_orders=dec(held),
                symbol=order.symbol,
            )
        if position.qty <= 0 and order.qty is not None:
            listing = self.market.listings[order.symbol]
            if not (listing.shortable and listing.easy_to_borrow):
                raise ApiError(403, 40310000, f"asset {order.symbol} cannot be sold short")

    def _check_wash(self, order: SbOrder) -> None:
        for other in self.orders.values():
            if not other.is_open or other.symbol != order.symbol or other.side == order.side:
                continue
            if other.parent is not None or other.order_class not in ("", "simple"):
                continue
            if self._could_cross(order, other):
                raise ApiError(
                    403,
                    40310000,
                    "potential wash trade detected. use complex orders",
                    reject_reason="opposite side market/stop order exists",
                    existing_order_id=other.id,
                )

    @staticmethod
    def _could_cross(new: SbOrder, open_order: SbOrder) -> bool:
        buy, sell = (new, open_order) if new.side == "buy" else (open_order, new)
        if (
            buy.limit_price is None
            or sell.limit_price is None
            or buy.type != "limit"
            or sell.type != "limit"
        ):
            return True
        return buy.limit_price >= sell.limit_price

    # -- matching --------------------------------------------------------------------------
    def _fill_price(self, order: SbOrder, price: Decimal) -> Decimal | None:
        """The price this order would trade at now, or None if it is not marketable."""
        if order.status in ("held",) and order.type == "limit":
            return None
        kind = order.type
        if kind in ("stop", "stop_limit") and not order.triggered:
            hit = price >= order.stop_price if order.side == "buy" else price <= order.stop_price  # type: ignore[operator]
            if not hit:
                return None
            order.triggered = True
        if kind == "trailing_stop" and not self._trail_hit(order, price):
            return None
        if kind in ("limit", "stop_limit"):
            assert order.limit_price is not None
            if order.side == "buy":
                return min(price, order.limit_price) if price <= order.limit_price else None
            return max(price, order.limit_price) if price >= order.limit_price else None
        return price

    @staticmethod
    def _trail_hit(order: SbOrder, price: Decimal) -> bool:
        assert order.hwm is not None
        order.hwm = max(order.hwm, price) if order.side == "sell" else min(order.hwm, price)
        if order.trail_price is not None:
            offset = order.trail_price
        else:
            offset = order.hwm * (order.trail_percent or Decimal(0)) / 100
        return price <= order.hwm - offset if order.side == "sell" else price >= order.hwm + offset

    def _match(self, order: SbOrder) -> None:
        if not order.is_open or (order.status == "held" and order.type == "limit"):
            return
        listing = self.market.listings[order.symbol]
        price = self._fill_price(order, listing.price)
        if price is None:
            if order.time_in_force in ("ioc", "fok"):
                self._cancel_now(order, "canceled")
            return
        wanted = order.leaves if order.qty is not None else (order.notional or Decimal(0)) / price
        if order.qty is None:
            wanted = wanted.quantize(Decimal("0.000000001"))
        size = min(wanted, listing.liquidity)
        if self.faults.partial_next and size == wanted and wanted > 1:
            self.faults.partial_next -= 1
            size = (wanted / 2).to_integral_value() if order.qty is not None else wanted / 2
        if order.time_in_force == "fok" and size < wanted:
            self._cancel_now(order, "canceled")
            return
        if size > 0:
            listing.liquidity -= size
            if order.qty is None:
                order.qty = size
            self._fill(order, size, price)
        if order.is_open and order.time_in_force == "ioc":
            self._cancel_now(order, "canceled")

    def _fill(self, order: SbOrder, size: Decimal, price: Decimal) -> None:
        at = self.now()
        order.filled_qty += size
        order.filled_value += size * price
        done = order.filled_qty >= order.total
        order.touch(at, "filled" if done else "partially_filled")
        if done:
            order.filled_at = at
        signed = size if order.side == "buy" else -size
        self._book_position(order.symbol, signed, price)
        self.cash -= signed * price
        event = "fill" if done else "partial_fill"
        execution = self.new_id()
        self.activities.append(
            Activity(
                f"{at.strftime('%Y%m%d%H%M%S%f')[:17]}::{execution}",
                at,
                order,
                size,
                price,
                event,
                order.filled_qty,
                order.leaves,
                order.status,
            )
        )
        position = self.positions.get(order.symbol, Position())
        self._emit(
            event,
            order,
            execution_id=execution,
            price=dec(price),
            qty=dec(size),
            position_qty=dec(position.qty),
        )
        if order.parent is not None:
            self._on_leg_fill(order)
        elif order.legs and order.order_class == "oco":
            for leg in order.legs:  # the order is the take-profit: its fill ends the stop
                if leg.is_open and done:
                    self._cancel_now(leg, "canceled")
                elif leg.is_open:
                    leg.qty = order.leaves
        elif done and order.legs:
            self._activate_legs(order)

    def _book_position(self, symbol: str, signed: Decimal, price: Decimal) -> None:
        pos = self.positions.setdefault(symbol, Position())
        if pos.qty == 0 or (pos.qty > 0) == (signed > 0):
            pos.qty += signed
            pos.cost += signed * price
        else:
            closing = min(abs(signed), abs(pos.qty))
            ratio = closing / abs(pos.qty)
            pos.cost -= pos.cost * ratio
            pos.qty += signed
            if pos.qty and (pos.qty > 0) == (signed > 0):
                pos.cost = pos.qty * price
        if pos.qty == 0:
            del self.positions[symbol]

    def _activate_legs(self, parent: SbOrder) -> None:
        for leg in parent.legs:
            leg.qty = parent.filled_qty
            if leg.type == "limit":
                leg.touch(self.now(), "new")
                self._emit("new", leg)
        for leg in parent.legs:
            self._match(leg)

    def _on_leg_fill(self, leg: SbOrder) -> None:
        parent = self.orders[leg.parent] if leg.parent else None
        if parent is None:
            return
        if parent.order_class == "oco" and parent.is_open and leg.status == "filled":
            self._cancel_now(parent, "canceled")
        for sibling in parent.legs:
            if sibling is leg or not sibling.is_open:
                continue
            if leg.status == "filled":
                self._cancel_now(sibling, "canceled")
            else:  # a partial take-profit shrinks the stop (reference §4.2)
                sibling.qty = parent.filled_qty - leg.filled_qty

    def on_price(self, symbol: str) -> None:
        """Match every open order of ``symbol`` after its price moved (oldest first)."""
        with self.lock:
            for order in sorted(self.orders.values(), key=lambda o: o.seq):
                if order.symbol == symbol and order.is_open:
                    if order.status == "held" and order.type in ("stop", "stop_limit"):
                        self._match_held_stop(order)
                    else:
                        self._match(order)

    def _match_held_stop(self, order: SbOrder) -> None:
        parent = self.orders.get(order.parent or "")
        if parent is not None and parent.status != "filled":
            return
        self._match(order)

    def expire_day_orders(self) -> None:
        """At the session close, open DAY (and OPG/CLS/IOC/FOK) orders expire; GTC ones stay."""
        with self.lock:
            for order in sorted(self.orders.values(), key=lambda o: o.seq):
                if order.is_open and order.time_in_force != "gtc" and order.parent is None:
                    order.touch(self.now(), "expired")
                    order.expired_at = self.now()
                    self._emit("expired", order)
                    for leg in order.legs:
                        if leg.is_open:
                            self._cancel_now(leg, "canceled")

    def step_cancels(self) -> None:
        with self.lock:
            for oid in list(self._pending_cancel):
                self._pending_cancel[oid] -= 1
                if self._pending_cancel[oid] <= 0:
                    del self._pending_cancel[oid]
                    order = self.orders[oid]
                    if order.status == "pending_cancel":
                        self._cancel_now(order, "canceled")

    # -- cancel / replace ------------------------------------------------------------------
    def _cancel_now(self, order: SbOrder, status: str) -> None:
        order.touch(self.now(), status)
        order.canceled_at = self.now()
        self._emit(status, order)

    def cancel(self, order_id: str) -> None:
        with self.lock:
            order = self.get(order_id)
            if not order.is_open:
                raise ApiError(422, 42210000, f'order is already in "{order.status}" state')
            if order.status == "pending_replace":
                raise ApiError(422, 42210000, "order is pending replace")
            if order.status == "pending_cancel":
                return
            for leg in order.legs:
                if leg.is_open:
                    self._cancel_now(leg, "canceled")
            if self.cancel_latency_steps > 0:
                order.touch(self.now(), "pending_cancel")
                self._emit("pending_cancel", order)
                self._pending_cancel[order.id] = self.cancel_latency_steps
            else:
                self._cancel_now(order, "canceled")

    def replace(self, order_id: str, body: dict[str, Any]) -> SbOrder:
        with self.lock:
            old = self.get(order_id)
            if not old.is_open or old.status == "pending_cancel":
                raise ApiError(422, 42210000, f'order is already in "{old.status}" state')
            if old.order_class == "oto":
                raise ApiError(422, 42210000, "oto orders cannot be replaced")
            changes = {
                "qty": to_decimal(body.get("qty"), "qty"),
                "limit_price": to_decimal(body.get("limit_price"), "limit_price"),
                "stop_price": to_decimal(body.get("stop_price"), "stop_price"),
                "trail_price": to_decimal(body.get("trail"), "trail"),
            }
            tif = body.get("time_in_force")
            same = all(v is None or v == getattr(old, k) for k, v in changes.items())
            if same and (tif is None or tif == old.time_in_force):
                raise ApiError(403, 40310000, "order parameters are not changed")
            cid = str(body.get("client_order_id") or self.new_id())
            if cid in self.used_client_ids:
                raise ApiError(422, 40010001, "client_order_id must be unique")
            new = SbOrder(
                self.new_id(),
                cid,
                old.symbol,
                old.side,
                old.type,
                str(tif or old.time_in_force),
                changes["qty"] or old.leaves,
                None,
                self.now(),
                limit_price=changes["limit_price"] or old.limit_price,
                stop_price=changes["stop_price"] or old.stop_price,
                trail_price=changes["trail_price"] or old.trail_price,
                trail_percent=old.trail_percent,
                order_class=old.order_class,
                replaces=old.id,
                hwm=old.hwm,
                parent=old.parent,
            )
            check_prices(self, new)
            self.used_client_ids.add(cid)
            old.touch(self.now(), "replaced")
            old.replaced_at, old.replaced_by = self.now(), new.id
            self._register(new)
            self._emit("replaced", old)
            self._emit("new", new)
            self._match(new)
            return new

    def get(self, order_id: str) -> SbOrder:
        order = self.orders.get(order_id)
        if order is None:
            raise ApiError(404, 40410000, "order not found")
        return order

    def by_client(self, client_order_id: str) -> SbOrder:
        order = self.by_client_id.get(client_order_id)
        if order is None:
            raise ApiError(404, 40410000, "order not found")
        return order
