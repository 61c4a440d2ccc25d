"""``KisBroker``: the :class:`~ouroboros.execution.ports.BrokerPort` for KIS domestic and overseas
accounts.

Idempotency: an intent is committed to the main database before sending (:class:`OrderStore`);
an answered order is bound to its ODNO; an order whose answer was lost
(:class:`KisOutcomeUnknown`) is looked up in the daily order list - by symbol, side, quantity,
price and time, among ODNOs of that trade date not bound to another intent - before any resend.
Only if the broker has no such order is it sent again.

One clock: the adapter, its client and its market data read the ``now`` the composition hands in
(the session's clock, the same one the broker venue uses).

Market orders: domestic ones are ``ORD_DVSN 01``; overseas markets have no plain market order
for buys (and virtual accounts take ``00`` only), so they are emulated as a marketable limit at
the last price ± ``slippage`` on the tick grid (PK does the same at the daily limit).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from ouroboros.brokers.kis import account as acct
from ouroboros.brokers.kis import orders as ko
from ouroboros.brokers.kis._time import KST, Now
from ouroboros.brokers.kis.client import KisClient
from ouroboros.brokers.kis.config import KisAccount, KisSettings
from ouroboros.brokers.kis.errors import KisOutcomeUnknown
from ouroboros.brokers.kis.exchanges import MARKETS, WS_NOTICE, WS_OVERSEAS_NOTICE, KisMarket
from ouroboros.brokers.kis.feed import KisMarketData
from ouroboros.brokers.kis.notices import apply_notice
from ouroboros.brokers.kis.orderstore import OrderRecord, OrderStore, trade_date
from ouroboros.brokers.kis.parsers import VenueOrderState
from ouroboros.brokers.kis.realtime import KisRealtime, RealtimeMessage
from ouroboros.brokers.kis.reconcile import build_reports
from ouroboros.brokers.kis.tracker import FillTracker
from ouroboros.domain.events import (
    BrokerEvent,
    OrderAccepted,
    OrderCancelRejected,
)
from ouroboros.domain.fills import Fill
from ouroboros.domain.ids import ClientOrderId, InstrumentId, Venue, VenueOrderId
from ouroboros.domain.instrument import Instrument
from ouroboros.domain.money import Price, Quantity
from ouroboros.domain.orders import Order, OrderSide, OrderType, TimeInForce
from ouroboros.domain.ticks import PriceRounding
from ouroboros.errors import OrderRejected, TemporaryBrokerError
from ouroboros.execution.ports import (
    BalanceReport,
    BrokerCapabilities,
    OrderReport,
    PositionReport,
    SubmitAck,
)
from ouroboros.store.session import Bind


def store_account(settings: KisSettings) -> str:
    """How the order store names a KIS account: environment and account number."""
    env = "virtual" if settings.is_virtual else "real"
    return f"kis-{env}:{settings.account}"


class KisBroker:
    """KIS behind the broker port. Build with :meth:`from_settings` or inject the parts."""

    def __init__(
        self,
        client: KisClient,
        account: KisAccount,
        store: OrderStore,
        *,
        venues: frozenset[Venue] = frozenset({Venue.KRX}),
        market_data: KisMarketData | None = None,
        now: Now,
        slippage: Decimal = Decimal("0.05"),
        lookup_tolerance: timedelta = timedelta(seconds=60),
        resend_after: timedelta = timedelta(seconds=30),
    ) -> None:
        self.client = client
        self.account = account
        self.store = store
        self.venues = venues
        self.market_data = market_data or KisMarketData(client, now=now)
        self._now = now
        self._slippage = slippage
        self._tolerance = lookup_tolerance
        self._resend_after = resend_after
        self.tracker = FillTracker(store, now)
        self._orphans: list[RealtimeMessage] = []
        env = "virtual" if client.virtual else "real"
        self._capabilities = BrokerCapabilities(
            name=f"kis-{env}",
            order_types=frozenset({OrderType.MARKET, OrderType.LIMIT}),
            time_in_force=frozenset({TimeInForce.DAY}),
            venues=frozenset(v.value for v in venues),
            fractional_shares=False,
            short_selling=False,
            supports_modify=True,
            max_requests_per_second=client.limiter.total,
            notes=(
                "KRX regular session 09:00-15:30 KST; US 23:30-06:00 KST (22:30-05:00 in DST)",
                "overseas market orders are marketable limits (last price +/- slippage)",
                "fees are not reported per fill; the broker venue books the modelled costs",
            ),
            reports_fees=False,
        )

    @classmethod
    def from_settings(cls, settings: KisSettings, *, database: Bind, now: Now) -> KisBroker:
        """The production wiring: client, the order store in the main ``database`` (opened and
        checked now: an unreadable intent refuses the start) and venues from ``KIS_*``."""
        client = KisClient(settings, now=now)
        store = OrderStore(database, store_account(settings), now)
        return cls(
            client,
            settings.account,
            store,
            venues=settings.venue_set,
            now=now,
            slippage=settings.market_slippage,
            resend_after=timedelta(seconds=max(30.0, 3 * settings.timeout)),
        )

    def __repr__(self) -> str:
        return f"KisBroker({self.client!r}, venues={sorted(v.value for v in self.venues)})"

    @property
    def capabilities(self) -> BrokerCapabilities:
        return self._capabilities

    async def connect(self) -> None:
        await self.client.tokens.token()

    async def close(self) -> None:
        await self.client.close()

    def drain_events(self) -> list[BrokerEvent]:
        return self.tracker.drain()

    def _on_realtime(self, message: RealtimeMessage) -> None:
        if not apply_notice(self.store, self.tracker, message):
            self._orphans.append(message)
            del self._orphans[:-1000]

    def _retry_orphans(self) -> None:
        waiting, self._orphans = self._orphans, []
        for message in waiting:
            self._on_realtime(message)

    async def attach_realtime(self, realtime: KisRealtime, hts_id: str) -> None:
        """Book fills and cancels from execution notices as they arrive (REST stays the truth)."""
        realtime.listeners.append(self._on_realtime)
        virtual = self.client.virtual
        if any(v is Venue.KRX for v in self.venues):
            await realtime.subscribe(WS_NOTICE.pick(virtual), hts_id)
        if any(v is not Venue.KRX for v in self.venues):
            await realtime.subscribe(WS_OVERSEAS_NOTICE.pick(virtual), hts_id)

    # -- submit ----------------------------------------------------------------------------
    def _local_check(self, order: Order) -> str:
        if order.order_type not in (OrderType.MARKET, OrderType.LIMIT):
            return f"KIS does not take {order.order_type.value} orders"
        if order.time_in_force is not TimeInForce.DAY:
            return f"KIS orders are DAY orders, was {order.time_in_force.value}"
        inst = Instrument.for_venue(order.instrument_id)
        if not inst.is_valid_quantity(order.quantity, order.side):
            return f"quantity {order.quantity} is not a multiple of lot {inst.lot_for(order.side)}"
        if order.limit_price is not None and not inst.is_valid_price(order.limit_price):
            tick = inst.tick_size(order.limit_price)
            venue = order.instrument_id.venue.value
            return f"limit {order.limit_price} is off the {venue} tick grid (tick {tick})"
        return ""

    async def _ticket(self, order: Order) -> ko.OrderTicket:
        market = MARKETS[order.instrument_id.venue]
        symbol = order.instrument_id.symbol
        if order.order_type is OrderType.LIMIT:
            if order.limit_price is None:
                raise OrderRejected(f"{order.client_order_id}: a limit order needs a limit price")
            return ko.OrderTicket(
                market, symbol, order.side, order.quantity.value, order.limit_price.value, ko.LIMIT
            )
        if market.domestic:
            return ko.OrderTicket(
                market, symbol, order.side, order.quantity.value, Decimal(0), ko.MARKET
            )
        last = (await self.market_data.price(order.instrument_id)).price.value
        inst = Instrument.for_venue(order.instrument_id)
        if order.side is OrderSide.BUY:
            limit = inst.round_price(last * (1 + self._slippage), PriceRounding.UP)
        else:
            limit = inst.round_price(last * (1 - self._slippage), PriceRounding.DOWN)
        return ko.OrderTicket(
            market, symbol, order.side, order.quantity.value, limit.value, ko.LIMIT
        )

    async def submit(self, order: Order) -> SubmitAck:
        cid = order.client_order_id
        record = self.store.get(str(cid))
        if record is not None and record.state == "acked":
            return SubmitAck(cid, True, VenueOrderId(record.odnos[0]))
        if record is not None and record.state == "rejected":
            return SubmitAck(cid, False, reason=record.reason)
        if record is not None:
            found = await self._find_at_venue(record)
            if found is not None:
                return self._bind(record, found.odno, "")
            self._check_settled(record)
            ticket = await self._ticket(order) if order.order_type is OrderType.MARKET else None
        else:
            problem = self._local_check(order)
            if problem:
                self.store.put(self._record(order, "0", "", "rejected", problem))
                return SubmitAck(cid, False, reason=problem)
            ticket = await self._ticket(order)
            record = self._record(order, ko.plain(ticket.price), ticket.ord_dvsn, "pending", "")
            self.store.put(record)
        if ticket is None:
            ticket = await self._ticket(order)
        if ko.plain(ticket.price) != record.sent_price:
            record.sent_price = ko.plain(ticket.price)  # a re-priced emulated market order
            self.store.put(record)
        record.last_sent = self._now().isoformat()
        self.store.put(record)
        try:
            output = await ko.place(self.client, self.account, ticket)
        except KisOutcomeUnknown:
            found = await self._find_at_venue(record)
            if found is not None:
                return self._bind(record, found.odno, "")
            raise
        except OrderRejected as refusal:
            record.state, record.reason = "rejected", str(refusal)
            self.store.put(record)
            return SubmitAck(cid, False, reason=str(refusal))
        return self._bind(record, output.ODNO.strip(), output.KRX_FWDG_ORD_ORGNO.strip())

    def _check_settled(self, record: OrderRecord) -> None:
        """A lost request may still be in flight: resend only once it can no longer arrive."""
        if not record.last_sent:
            return
        age = self._now() - datetime.fromisoformat(record.last_sent)
        if age < self._resend_after:
            wait = (self._resend_after - age).total_seconds()
            raise KisOutcomeUnknown(
                f"{record.client_order_id}: not in KIS's order list yet and the last send may "
                f"still be in flight; not resending for another {wait:.1f}s"
            )

    def _record(self, order: Order, price: str, dvsn: str, state: str, reason: str) -> OrderRecord:
        at = self._now()
        return OrderRecord(
            client_order_id=str(order.client_order_id),
            instrument=str(order.instrument_id),
            side=order.side.value,
            order_type=order.order_type.value,
            quantity=str(order.quantity.value),
            sent_price=price,
            ord_dvsn=dvsn,
            created=at.isoformat(),
            trade_date=trade_date(at),
            state=state,
            reason=reason,
            limit_price=None if order.limit_price is None else str(order.limit_price.value),
        )

    def _bind(self, record: OrderRecord, odno: str, org_no: str) -> SubmitAck:
        record.state = "acked"
        record.odnos = [odno.zfill(10)]
        record.org_no = org_no or record.org_no
        self.store.put(record)
        cid = ClientOrderId(record.client_order_id)
        self.tracker.events.append(OrderAccepted(cid, VenueOrderId(record.odnos[0]), self._now()))
        self._retry_orphans()
        return SubmitAck(cid, True, VenueOrderId(record.odnos[0]))

    async def _venue_orders(
        self, markets: set[KisMarket], since: datetime
    ) -> list[VenueOrderState]:
        start = since.astimezone(KST).date()
        end = self._now().astimezone(KST).date()
        out: list[VenueOrderState] = []
        for market in sorted(markets, key=lambda m: m.venue.value):
            if market.domestic:
                out += await acct.domestic_orders(self.client, self.account, start, end)
            else:
                out += await acct.overseas_orders(self.client, self.account, market, start, end)
        return out

    async def _find_at_venue(self, record: OrderRecord) -> VenueOrderState | None:
        """The unbound broker order matching a pending intent, if KIS has one."""
        iid = InstrumentId.parse(record.instrument)
        created = datetime.fromisoformat(record.created)
        try:
            rows = await self._venue_orders({MARKETS[iid.venue]}, created)
        except TemporaryBrokerError as exc:
            raise KisOutcomeUnknown(
                f"{record.client_order_id}: outcome unknown and the order list is unreachable"
            ) from exc
        return self._match(record, rows)

    def _match(self, record: OrderRecord, rows: list[VenueOrderState]) -> VenueOrderState | None:
        iid = InstrumentId.parse(record.instrument)
        earliest = datetime.fromisoformat(record.created) - self._tolerance
        candidates = [
            r
            for r in rows
            if r.kind == "new"
            and r.instrument_id == iid
            and r.side.value == record.side
            and r.quantity == Decimal(record.quantity)
            and r.limit_price == Decimal(record.sent_price)
            and r.ts >= earliest
            and self.store.owner(r.odno, trade_date(r.ts)) is None
        ]
        return min(candidates, key=lambda r: (r.ts, r.odno)) if candidates else None

    # -- cancel / modify -------------------------------------------------------------------
    async def _acked(self, order: Order) -> OrderRecord:
        record = self.store.get(str(order.client_order_id))
        if record is None or record.state == "rejected":
            raise OrderRejected(f"{order.client_order_id}: not an order KIS accepted")
        if record.state == "pending":
            found = await self._find_at_venue(record)
            if found is None:
                raise KisOutcomeUnknown(f"{order.client_order_id}: not found at KIS yet")
            self._bind(record, found.odno, "")
        return record

    async def cancel(self, order: Order) -> None:
        record = await self._acked(order)
        iid = InstrumentId.parse(record.instrument)
        market = MARKETS[iid.venue]
        body = ko.revise_body(
            self.account,
            market,
            iid.symbol,
            record.odnos[-1],
            record.org_no,
            cancel=True,
            quantity=None,
            price=None,
        )
        try:
            output = await ko.revise(self.client, market, body)
        except OrderRejected as refusal:
            self.tracker.events.append(
                OrderCancelRejected(order.client_order_id, str(refusal), self._now())
            )
            return
        record.cancel_odnos.append(output.ODNO.strip().zfill(10))
        self.store.put(record)

    async def modify(
        self, order: Order, quantity: Quantity | None, limit_price: Price | None
    ) -> SubmitAck:
        record = await self._acked(order)
        iid = InstrumentId.parse(record.instrument)
        if limit_price is not None and not Instrument.for_venue(iid).is_valid_price(limit_price):
            return SubmitAck(
                order.client_order_id, False, reason=f"limit {limit_price} is off the tick grid"
            )
        market = MARKETS[iid.venue]
        price = (
            limit_price.value if limit_price else Decimal(record.limit_price or record.sent_price)
        )
        body = ko.revise_body(
            self.account,
            market,
            iid.symbol,
            record.odnos[-1],
            record.org_no,
            cancel=False,
            quantity=None if quantity is None else quantity.value,
            price=price,
        )
        try:
            output = await ko.revise(self.client, market, body)
        except OrderRejected as refusal:
            return SubmitAck(order.client_order_id, False, reason=str(refusal))
        new = output.ODNO.strip().zfill(10)
        record.odnos.append(new)
        record.limit_price = str(price)
        self.store.put(record)
        return SubmitAck(order.client_order_id, True, VenueOrderId(new))

    # -- reports ---------------------------------------------------------------------------
    def _markets(self) -> set[KisMarket]:
        venues = set(self.venues) | {
            InstrumentId.parse(r.instrument).venue for r in self.store.records()
        }
        return {MARKETS[v] for v in venues}

    async def order_reports(self, since: datetime | None = None) -> list[OrderReport]:
        start = since or self._now()
        rows = await self._venue_orders(self._markets(), start)
        for record in self.store.records():
            if record.state == "pending":
                found = self._match(record, rows)
                if found is not None:
                    self._bind(record, found.odno, "")
        return build_reports(self.store, self.tracker, rows, self._now())

    async def fill_reports(self, since: datetime | None = None) -> list[Fill]:
        await self.order_reports(since)
        return self.tracker.fills(since)

    async def position_reports(self) -> list[PositionReport]:
        seen: dict[InstrumentId, PositionReport] = {}
        for market in sorted(self._markets(), key=lambda m: m.venue.value):
            if market.domestic:
                found = await acct.domestic_positions(self.client, self.account)
            else:
                found = await acct.overseas_positions(self.client, self.account, market)
            for report in found:
                if report.instrument_id.venue in {m.venue for m in self._markets()}:
                    seen[report.instrument_id] = report
        return sorted(seen.values(), key=lambda p: str(p.instrument_id))

    async def balance_reports(self) -> list[BalanceReport]:
        markets = self._markets()
        out: list[BalanceReport] = []
        if any(m.domestic for m in markets):
            out.append(await acct.domestic_balance(self.client, self.account))
        if any(not m.domestic for m in markets):
            out += await acct.overseas_balances(self.client, self.account)
        return out
