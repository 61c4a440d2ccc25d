"""``AlpacaBroker``: the :class:`~ouroboros.execution.ports.BrokerPort` for Alpaca (paper/live).

Idempotency: our client order id is sent as Alpaca's ``client_order_id``, which Alpaca keeps
unique for the account forever (reference §9.2). A submit whose outcome is unknown (5xx,
timeout, dropped connection) is looked up by that id before anything is resent; a resend that
meets the id already taken (422 ``client_order_id must be unique``) is settled by the same
lookup. Replacements get ``<id>.r<n>`` so every wire id stays unique and maps back to ours.

Wash trades (reference §9.1): an order that could trade against our own opposite open order is
rejected by Alpaca. ``wash_trade="reject"`` (default) hands the refusal back with its reason;
``"cancel_opposite"`` cancels the opposite open orders of that symbol, waits for ``canceled``,
and resends once - never more.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

from ouroboros.brokers.alpaca import mapping as mp
from ouroboros.brokers.alpaca import venue_info
from ouroboros.brokers.alpaca.client import AlpacaClient
from ouroboros.brokers.alpaca.config import AlpacaSettings
from ouroboros.brokers.alpaca.errors import (
    AlpacaDuplicateClientOrderId,
    AlpacaNotCancelable,
    AlpacaNotFound,
    AlpacaOutcomeUnknown,
    AlpacaRejected,
    AlpacaServerError,
    AlpacaWashTrade,
)
from ouroboros.brokers.alpaca.stream import TradeUpdateStream
from ouroboros.brokers.alpaca.tracker import EventTracker, fill_id
from ouroboros.brokers.alpaca.wire import (
    WireActivity,
    WireOrder,
    WireTradeUpdate,
    parse_account,
    parse_activities,
    parse_order,
    parse_orders,
    parse_positions,
)
from ouroboros.domain.currency import Currency
from ouroboros.domain.events import BrokerEvent, OrderCancelRejected
from ouroboros.domain.fills import Fill
from ouroboros.domain.ids import ClientOrderId, InstrumentId, VenueOrderId
from ouroboros.domain.instrument import Instrument
from ouroboros.domain.money import Price, Quantity
from ouroboros.domain.orders import Order, OrderStatus, OrderType, TimeInForce
from ouroboros.errors import InvariantError, OrderRejected, OuroborosError
from ouroboros.execution.ports import (
    BalanceReport,
    BrokerCapabilities,
    OrderReport,
    PositionReport,
    SubmitAck,
)

log = logging.getLogger("ouroboros.brokers.alpaca")

Now = Callable[[], dt.datetime]
Sleep = Callable[[float], Awaitable[None]]
FINAL = frozenset({"filled", "canceled", "expired", "rejected", "replaced"})
WASH_POLICIES = frozenset({"reject", "cancel_opposite"})
POLL_LOOKBACK = dt.timedelta(days=3)
"""How far back the polling fallback looks (older GTC orders that fill are fetched by id)."""


class AlpacaBroker:
    def __init__(
        self,
        client: AlpacaClient,
        *,
        now: Now,
        sleep: Sleep = asyncio.sleep,
        paper: bool = True,
        wash_trade: str = "reject",
        cancel_wait_polls: int = 40,
        cancel_poll_interval: float = 0.05,
        stream: TradeUpdateStream | None = None,
        poll_interval: float = 2.0,
    ) -> None:
        if wash_trade not in WASH_POLICIES:
            raise ValueError(
                f"wash_trade must be one of {sorted(WASH_POLICIES)}, was {wash_trade!r}"
            )
        self.client = client
        self._now, self._sleep = now, sleep
        self.paper = paper
        self.wash_trade = wash_trade
        self._cancel_polls, self._cancel_interval = cancel_wait_polls, cancel_poll_interval
        self.tracker = EventTracker()
        self._live: dict[str, WireOrder] = {}  # our client id -> its current Alpaca order
        self._unknown: set[str] = set()  # ids whose last send has no known outcome
        self._instruments: dict[str, InstrumentId] = {}
        self._leg_owner: dict[str, str] = {}  # bracket/OTO leg order id -> <parent>-tp / -sl
        self.stream = stream
        self.poll_interval = poll_interval
        self.polls = 0
        self._poller: asyncio.Task[None] | None = None
        if stream is not None:
            stream.listeners.append(self._on_update)
        self._capabilities = BrokerCapabilities(
            name=f"alpaca-{'paper' if paper else 'live'}",
            order_types=frozenset(mp.TYPES),
            time_in_force=frozenset(mp.TIFS),
            venues=frozenset({"NASDAQ", "NYSE", "AMEX"}),
            fractional_shares=True,
            short_selling=True,
            supports_modify=True,
            max_requests_per_second=client.requests_per_minute / 60,
            notes=(
                "fractional quantities only for market DAY orders on fractionable assets",
                "wash-trade rule: an order that could cross our own opposite open order is "
                f"refused (policy: {wash_trade})",
                "replace creates a new Alpaca order (<id>.r<n>); the old one becomes replaced",
                "fees are not reported per fill (fee = 0); regulatory fees settle in the account",
                "client order ids up to 40 characters (Alpaca's 48 minus the replacement suffix)",
            ),
        )

    @classmethod
    def from_settings(cls, settings: AlpacaSettings, *, now: Now, **kw: Any) -> AlpacaBroker:
        client = AlpacaClient(
            settings.trading_url,
            settings.api_key.get_secret_value(),
            settings.secret_key.get_secret_value(),
            timeout=settings.timeout,
            requests_per_minute=settings.requests_per_minute,
        )
        stream = TradeUpdateStream(
            settings.trade_stream_url,
            settings.api_key.get_secret_value(),
            settings.secret_key.get_secret_value(),
        )
        return cls(client, now=now, paper=settings.paper, stream=stream, **kw)

    def __repr__(self) -> str:
        return f"AlpacaBroker({self.client!r}, paper={self.paper})"

    @property
    def capabilities(self) -> BrokerCapabilities:
        return self._capabilities

    async def connect(self) -> None:
        account = parse_account(await self.client.get("/v2/account"))
        if account.trading_blocked or account.account_blocked:
            raise OrderRejected(f"alpaca account {account.account_number} is blocked")
        if self.stream is not None:
            self.stream.start()
            self._poller = asyncio.create_task(self._poll_while_down(), name="alpaca-poll")

    async def close(self) -> None:
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
        if self.stream is not None:
            await self.stream.stop()
        await self.client.close()

    async def _poll_while_down(self) -> None:
        """The fallback: while trade_updates is down, poll orders and fills for events."""
        if self.stream is None:
            raise InvariantError("the trade_updates stream was used before it was attached")
        while True:
            await self._sleep(self.poll_interval)
            if self.stream.healthy:
                continue
            since = self._now() - POLL_LOOKBACK
            try:
                await self.order_reports(since)
                await self.fill_reports(since)
                self.polls += 1
            except OuroborosError as exc:  # rate limit, 5xx, a malformed reply: try next time
                log.warning("alpaca polling fallback failed: %s", exc)

    def _on_update(self, update: WireTradeUpdate) -> None:
        order = update.order
        cid = mp.our_client_id(self._name(order))
        current = self._live.get(cid.value)
        if current is None or current.id == order.id or order.replaces == current.id:
            self._live[cid.value] = order
        at = update.timestamp
        if update.event in ("fill", "partial_fill") and update.qty is not None:
            iid = mp.instrument_for(order.symbol, "", self._instruments)
            price = update.price if update.price is not None else order.filled_avg_price
            key = fill_id(order.id, order.filled_qty)
            self.tracker.fill(
                key, cid, iid, mp.side_of(order.side), update.qty, price or Decimal(0), at
            )
        elif update.event == "new":
            self.tracker.accepted(cid, order.id, at)
        elif update.event in ("canceled", "expired", "rejected"):
            self.tracker.final(cid, order.id, mp.status_of(order), at)

    def drain_events(self) -> list[BrokerEvent]:
        return self.tracker.drain()

    # -- submit ----------------------------------------------------------------------------
    def _local_check(self, order: Order) -> str:
        if len(order.client_order_id.value) > mp.MAX_BASE_ID:
            return (
                f"client order id {order.client_order_id} is longer than {mp.MAX_BASE_ID} "
                "characters (Alpaca allows 48; 8 are kept for replacements)"
            )
        if order.order_type not in mp.TYPES or order.time_in_force not in mp.TIFS:
            return (
                f"Alpaca adapter does not take {order.order_type.value}/{order.time_in_force.value}"
            )
        qty = order.quantity.value
        if qty != qty.to_integral_value() and (
            order.order_type is not OrderType.MARKET or order.time_in_force is not TimeInForce.DAY
        ):
            return f"fractional quantity {qty} needs a market DAY order"
        inst = Instrument.for_venue(order.instrument_id)
        for name, price in (("limit", order.limit_price), ("stop", order.stop_price)):
            if price is not None and not inst.is_valid_price(price):
                tick = inst.tick_size(price)
                return f"{name} {price} is off the US tick grid (tick {tick}; Alpaca: sub-penny)"
        return ""

    async def submit(self, order: Order) -> SubmitAck:
        cid = order.client_order_id
        self._instruments[order.instrument_id.symbol] = order.instrument_id
        known = self._live.get(cid.value)
        if known is not None:
            return self._ack(cid, known)
        problem = self._local_check(order)
        if problem:
            return SubmitAck(cid, False, reason=problem)
        if cid.value in self._unknown:
            found = await self._lookup(cid.value)
            if found is not None:
                return self._ack(cid, found)
        return await self._send(order, allow_wash_cancel=self.wash_trade == "cancel_opposite")

    async def submit_protected(
        self, order: Order, take_profit: Price | None, stop_loss: Price | None
    ) -> SubmitAck:
        """An entry with venue-held exits: a bracket (both levels) or OTO (one), ref §4.2.
        The legs report as ``<id>-tp`` / ``<id>-sl``; Alpaca starts them once the entry is
        fully filled. Where this does not fit (IOC/FOK entries, no levels) exits stay
        engine-held and the caller uses :meth:`submit`."""
        if take_profit is None and stop_loss is None:
            return await self.submit(order)
        if order.time_in_force not in (TimeInForce.DAY, TimeInForce.GTC):
            reason = f"bracket orders take DAY or GTC, was {order.time_in_force.value}"
            return SubmitAck(order.client_order_id, False, reason=reason)
        extra: dict[str, Any] = {"order_class": "bracket" if take_profit and stop_loss else "oto"}
        if take_profit is not None:
            extra["take_profit"] = {"limit_price": mp.plain(take_profit.value)}
        if stop_loss is not None:
            extra["stop_loss"] = {"stop_price": mp.plain(stop_loss.value)}
        known = self._live.get(order.client_order_id.value)
        if known is not None:
            return self._ack(order.client_order_id, known)
        problem = self._local_check(order)
        if problem:
            return SubmitAck(order.client_order_id, False, reason=problem)
        return await self._send(order, allow_wash_cancel=False, extra=extra)

    async def _send(
        self, order: Order, *, allow_wash_cancel: bool, extra: dict[str, Any] | None = None
    ) -> SubmitAck:
        cid = order.client_order_id
        body = mp.ticket(order, cid.value) | (extra or {})
        try:
            reply = parse_order(
                await self.client.request("POST", "/v2/orders", body=body, order_request=True)
            )
        except AlpacaDuplicateClientOrderId:
            found = await self._lookup(cid.value)
            if found is None:
                raise AlpacaOutcomeUnknown(
                    f"{cid}: Alpaca says the id is taken but has no order"
                ) from None
            return self._ack(cid, found)
        except AlpacaWashTrade as refusal:
            if allow_wash_cancel and await self._cancel_opposite(order):
                return await self._send(order, allow_wash_cancel=False, extra=extra)
            reason = f"{refusal}; an opposite open order on {order.instrument_id.symbol} blocks it"
            return SubmitAck(cid, False, reason=reason)
        except AlpacaRejected as refusal:
            return SubmitAck(cid, False, reason=str(refusal))
        except AlpacaOutcomeUnknown:
            self._unknown.add(cid.value)
            found = await self._lookup(cid.value)
            if found is not None:
                return self._ack(cid, found)
            raise
        for leg in reply.legs or []:
            self._remember_leg(reply, leg)
        return self._ack(cid, reply)

    async def _lookup(self, wire_id: str) -> WireOrder | None:
        """The order Alpaca holds under ``wire_id`` (following replacements), or None."""
        try:
            raw = await self.client.get(
                "/v2/orders:by_client_order_id", {"client_order_id": wire_id}
            )
        except AlpacaNotFound:
            return None
        except AlpacaServerError as exc:
            raise AlpacaOutcomeUnknown(
                f"{wire_id}: outcome unknown and Alpaca is unreachable"
            ) from exc
        order = parse_order(raw)
        while order.replaced_by:
            order = parse_order(await self.client.get(f"/v2/orders/{order.replaced_by}"))
        return order

    def _ack(self, cid: ClientOrderId, order: WireOrder) -> SubmitAck:
        self._unknown.discard(cid.value)
        self._live[cid.value] = order
        if order.status == "rejected":
            self.tracker.final(cid, order.id, OrderStatus.REJECTED, order.created_at)
            return SubmitAck(cid, False, VenueOrderId(order.id), "rejected by Alpaca after entry")
        self.tracker.accepted(cid, order.id, order.updated_at or order.created_at)
        return SubmitAck(cid, True, VenueOrderId(order.id))

    async def _cancel_opposite(self, order: Order) -> bool:
        side = "sell" if order.side.value == "BUY" else "buy"
        params = {"status": "open", "symbols": order.instrument_id.symbol, "side": side}
        blockers = parse_orders(await self.client.get("/v2/orders", params))
        for blocker in blockers:
            log.warning(
                "wash-trade rule: canceling %s before %s", blocker.id, order.client_order_id
            )
            await self._cancel_and_wait(blocker.id)
        return bool(blockers)

    # -- cancel / modify -------------------------------------------------------------------
    async def _current(self, order: Order) -> WireOrder:
        found = await self._lookup(order.client_order_id.value)
        if found is None:
            raise OrderRejected(f"{order.client_order_id}: not an order Alpaca has")
        self._live[order.client_order_id.value] = found
        return found

    async def _cancel_and_wait(self, venue_id: str) -> WireOrder | None:
        """DELETE, then poll until the order is final (cancel is a request, reference §9.5).
        A DELETE whose answer was lost is settled by the same polling."""
        unknown: AlpacaOutcomeUnknown | None = None
        try:
            await self.client.request("DELETE", f"/v2/orders/{venue_id}", order_request=True)
        except AlpacaOutcomeUnknown as exc:
            unknown = exc
        for _ in range(self._cancel_polls):
            state = parse_order(await self.client.get(f"/v2/orders/{venue_id}"))
            if state.status in FINAL:
                return state
            if unknown is not None and state.status != "pending_cancel":
                raise unknown  # the cancel did not arrive: the caller may send it again
            await self._sleep(self._cancel_interval)
        return None

    async def cancel(self, order: Order) -> None:
        cid = order.client_order_id
        current = await self._current(order)
        try:
            state = await self._cancel_and_wait(current.id)
        except AlpacaNotCancelable as refusal:
            self.tracker.events.append(OrderCancelRejected(cid, str(refusal), self._now()))
            return
        if state is None:
            log.warning("%s: still pending_cancel after %d polls", cid, self._cancel_polls)
            return
        self._live[cid.value] = state
        self.tracker.final(cid, state.id, mp.status_of(state), state.updated_at or self._now())

    async def modify(
        self, order: Order, quantity: Quantity | None, limit_price: Price | None
    ) -> SubmitAck:
        cid = order.client_order_id
        current = await self._current(order)
        if limit_price is not None and not Instrument.for_venue(order.instrument_id).is_valid_price(
            limit_price
        ):
            return SubmitAck(cid, False, reason=f"limit {limit_price} is off the tick grid")
        _base, n = mp.base_client_id(current.client_order_id)
        body: dict[str, Any] = {"client_order_id": mp.wire_client_id(cid, n + 1)}
        if quantity is not None:
            done = await self._filled_before(cid.value, current)
            if quantity.value <= done:
                return SubmitAck(
                    cid, False, reason=f"quantity {quantity} is not above filled {done}"
                )
            body["qty"] = mp.plain(quantity.value - done)  # Alpaca's new order is for the rest
        if limit_price is not None:
            body["limit_price"] = mp.plain(limit_price.value)
        try:
            raw = await self.client.request(
                "PATCH", f"/v2/orders/{current.id}", body=body, order_request=True
            )
        except AlpacaRejected as refusal:
            return SubmitAck(cid, False, reason=str(refusal))
        except AlpacaOutcomeUnknown:  # a replace can fail yet succeed (reference §9.4)
            after = await self._lookup(cid.value)
            if after is None or after.id == current.id:
                raise
            new = after
        else:
            new = parse_order(raw)
        self._live[cid.value] = new
        return SubmitAck(cid, True, VenueOrderId(new.id))

    async def _filled_before(self, cid: str, current: WireOrder) -> Decimal:
        orders = await self._orders()
        chain = [o for o in orders if mp.base_client_id(self._name(o))[0] == cid]
        return (
            sum((o.filled_qty for o in chain if o.id != current.id), Decimal(0))
            + current.filled_qty
        )

    # -- reports ---------------------------------------------------------------------------
    async def _orders(self, since: dt.datetime | None = None) -> list[WireOrder]:
        """Every order since ``since`` (all statuses), paging by submission time."""
        seen: dict[str, WireOrder] = {}
        after = since
        while True:
            params: dict[str, Any] = {
                "status": "all", "limit": 500, "direction": "asc", "nested": "true",
            }  # fmt: skip
            if after is not None:
                params["after"] = (after - dt.timedelta(microseconds=1)).isoformat()
            page = parse_orders(await self.client.get("/v2/orders", params))
            fresh = [o for o in page if o.id not in seen]
            for parent in fresh:
                seen[parent.id] = parent
                for leg in parent.legs or []:
                    self._remember_leg(parent, leg)
                    seen[leg.id] = leg
            if len(page) < 500 or not fresh:
                return list(seen.values())
            after = page[-1].created_at

    def _remember_leg(self, parent: WireOrder, leg: WireOrder) -> None:
        base, _n = mp.base_client_id(parent.client_order_id)
        self._leg_owner[leg.id] = mp.leg_client_id(base, leg.type)

    def _name(self, order: WireOrder) -> str:
        """The wire id an order is known by here: its own, or ``<parent>-tp``/``-sl`` for a leg."""
        return self._leg_owner.get(order.id, order.client_order_id)

    def _report(self, cid: ClientOrderId, chain: list[WireOrder]) -> OrderReport:
        last = chain[-1]
        filled = sum((o.filled_qty for o in chain), Decimal(0))
        value = sum((o.filled_qty * (o.filled_avg_price or 0) for o in chain), Decimal(0))
        earlier = sum((o.filled_qty for o in chain[:-1]), Decimal(0))
        quantity = earlier + (last.qty if last.qty is not None else last.filled_qty)
        status = mp.status_of(last)
        if status is OrderStatus.ACCEPTED and filled > 0:
            status = OrderStatus.PARTIALLY_FILLED
        symbol = last.symbol
        return OrderReport(
            client_order_id=cid,
            venue_order_id=VenueOrderId(last.id),
            instrument_id=mp.instrument_for(symbol, "", self._instruments),
            side=mp.side_of(last.side),
            order_type=mp.type_of(last.type),
            quantity=Quantity(quantity),
            filled_quantity=Quantity(filled),
            status=status,
            ts=last.updated_at or last.created_at,
            limit_price=None if last.limit_price is None else Price(last.limit_price),
            average_fill_price=(value / filled) if filled else None,
        )

    def _chains(self, orders: list[WireOrder]) -> dict[str, list[WireOrder]]:
        chains: dict[str, list[WireOrder]] = {}
        for o in sorted(orders, key=lambda o: (mp.base_client_id(self._name(o))[1], o.created_at)):
            chains.setdefault(mp.base_client_id(self._name(o))[0], []).append(o)
        return chains

    async def _resolve(self, symbols: set[str]) -> None:
        """Learn the venue of symbols we did not trade in this process (from their asset)."""
        for symbol in sorted(symbols - set(self._instruments)):
            asset = await venue_info.asset(self.client, symbol)
            exchange = asset.exchange if asset is not None else ""
            self._instruments[symbol] = mp.instrument_for(symbol, exchange, {})

    async def order_reports(self, since: dt.datetime | None = None) -> list[OrderReport]:
        reports = []
        orders = await self._orders(since)
        await self._resolve({o.symbol for o in orders})
        for base, chain in self._chains(orders).items():
            cid = mp.our_client_id(base)
            report = self._report(cid, chain)
            self._live[cid.value] = chain[-1]
            self.tracker.final(cid, chain[-1].id, report.status, report.ts)
            reports.append(report)
        return reports

    async def _activities(self, since: dt.datetime | None) -> list[WireActivity]:
        out: list[WireActivity] = []
        params: dict[str, Any] = {"activity_types": "FILL", "direction": "asc", "page_size": 100}
        if since is not None:
            params["after"] = since.isoformat()
        while True:
            page = parse_activities(await self.client.get("/v2/account/activities", params))
            out += page
            if len(page) < 100:
                return out
            params["page_token"] = page[-1].id

    async def fill_reports(self, since: dt.datetime | None = None) -> list[Fill]:
        activities = await self._activities(since)
        orders = {o.id: o for o in await self._orders(since)}
        for order_id in sorted({a.order_id for a in activities} - set(orders)):
            try:  # an order submitted before ``since`` that filled after it
                orders[order_id] = parse_order(await self.client.get(f"/v2/orders/{order_id}"))
            except AlpacaNotFound:
                continue
        await self._resolve({a.symbol for a in activities})
        out: list[Fill] = []
        for act in activities:
            order = orders.get(act.order_id)
            cid = mp.our_client_id(self._name(order) if order else f"ALPACA-{act.order_id}")
            key = fill_id(act.order_id, act.cum_qty)
            iid = mp.instrument_for(act.symbol, "", self._instruments)
            side = mp.side_of(act.side)
            self.tracker.fill(key, cid, iid, side, act.qty, act.price, act.transaction_time)
            out.append(self.tracker.fills[key])
        return out

    async def position_reports(self) -> list[PositionReport]:
        rows = parse_positions(await self.client.get("/v2/positions"))
        return sorted(
            (
                PositionReport(
                    mp.instrument_for(p.symbol, p.exchange, self._instruments),
                    p.qty,
                    p.avg_entry_price,
                )
                for p in rows
            ),
            key=lambda p: str(p.instrument_id),
        )

    async def balance_reports(self) -> list[BalanceReport]:
        account = parse_account(await self.client.get("/v2/account"))
        return [BalanceReport(Currency.parse(account.currency), account.cash, account.buying_power)]
