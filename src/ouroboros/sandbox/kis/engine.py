"""The sandbox venue: accounts, an order book per instrument, and matching against the prices.

Rules (kept simple and stated, so tests can reason about them):

* An order that is marketable on arrival fills at the current price; an order that rests and
  is later crossed fills at its own limit (the price passed through it). Market orders fill at
  the current price.
* Each price step offers a limited volume; fills take from it in time priority, so a large
  order fills partially and continues on later steps.
* A buy reserves cash (limit × quantity; market orders at the +30 % upper limit); a sell
  reserves shares. Refusals use KIS codes where the reference (or community code) gives one
  (APBK0952 cash, APBK0400 quantity, APBK0656 product) and ``SBX…`` codes where it does not.
* No fees or taxes by default, so cash + holdings at cost change only by realized P&L (see
  docs/kis.md); with ``fees`` (``SandboxConfig.charge_fees``) each execution also pays its
  market's schedule from ``execution/fees.py``, as a real account does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import Enum

from ouroboros.domain.currency import Currency
from ouroboros.domain.ids import InstrumentId
from ouroboros.domain.instrument import VENUE_CURRENCY, Instrument
from ouroboros.domain.money import Price, Quantity
from ouroboros.domain.orders import OrderSide
from ouroboros.domain.ticks import PriceRounding
from ouroboros.execution.fees import FeeSchedule
from ouroboros.sandbox.kis.prices import PriceSource

UPPER_LIMIT = Decimal("1.3")


class Reject(Exception):
    """A KIS-style refusal: becomes ``{"rt_cd", "msg_cd", "msg1"}`` with HTTP 200."""

    def __init__(self, msg_cd: str, msg1: str, rt_cd: str = "1") -> None:
        super().__init__(f"{msg_cd} {msg1}")
        self.msg_cd, self.msg1, self.rt_cd = msg_cd, msg1, rt_cd


class Status(Enum):
    OPEN = "open"
    FILLED = "filled"
    CANCELED = "canceled"
    REPLACED = "replaced"
    CONFIRMED = "confirmed"  # a cancel row, done on arrival


class Kind(Enum):
    NEW = "new"
    MODIFY = "modify"
    CANCEL = "cancel"


@dataclass(slots=True)
class SbFill:
    quantity: Decimal
    price: Decimal
    ts: datetime


@dataclass(slots=True)
class SbOrder:
    odno: str
    org_no: str
    account: str
    instrument: InstrumentId
    side: OrderSide
    ord_dvsn: str
    quantity: Decimal
    limit: Decimal | None
    created: datetime
    kind: Kind = Kind.NEW
    orgn_odno: str = ""
    status: Status = Status.OPEN
    filled: Decimal = Decimal(0)
    amount: Decimal = Decimal(0)
    canceled: Decimal = Decimal(0)
    reserve_unit: Decimal = Decimal(0)
    fills: list[SbFill] = field(default_factory=list)

    @property
    def leaves(self) -> Decimal:
        if self.status is not Status.OPEN:
            return Decimal(0)
        return self.quantity - self.filled - self.canceled

    @property
    def currency(self) -> Currency:
        return VENUE_CURRENCY[self.instrument.venue]

    @property
    def average(self) -> Decimal:
        return self.amount / self.filled if self.filled else Decimal(0)


@dataclass(slots=True)
class Holding:
    quantity: Decimal = Decimal(0)
    cost: Decimal = Decimal(0)
    reserved: Decimal = Decimal(0)

    @property
    def average(self) -> Decimal:
        return self.cost / self.quantity if self.quantity else Decimal(0)


@dataclass(slots=True)
class SbAccount:
    number: str
    cash: dict[Currency, Decimal]
    reserved: dict[Currency, Decimal] = field(default_factory=dict)
    holdings: dict[InstrumentId, Holding] = field(default_factory=dict)

    def available(self, currency: Currency) -> Decimal:
        return self.cash.get(currency, Decimal(0)) - self.reserved.get(currency, Decimal(0))


@dataclass(slots=True)
class MarketState:
    price: Decimal
    volume: Decimal
    open: Decimal
    high: Decimal
    low: Decimal
    prev_close: Decimal
    acml_vol: Decimal = Decimal(0)
    acml_amount: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class ExecEvent:
    """Something an execution notice reports: accept, fill, cancel, modify or refusal."""

    kind: str
    order: SbOrder
    quantity: Decimal = Decimal(0)
    price: Decimal = Decimal(0)
    ts: datetime | None = None


Listener = Callable[[ExecEvent], None]
PriceListener = Callable[[InstrumentId, MarketState], None]


class Exchange:
    """The venue's books. Not thread-safe: the sandbox runs it on its server loop only."""

    def __init__(
        self,
        prices: PriceSource,
        now: Callable[[], datetime],
        fees: Callable[[Instrument], FeeSchedule] | None = None,
    ) -> None:
        self._prices = prices
        self._now = now
        self._fees = fees
        self.accounts: dict[str, SbAccount] = {}
        self.orders: dict[str, SbOrder] = {}
        self.markets: dict[InstrumentId, MarketState] = {}
        self._next_odno = 100001
        self.listeners: list[Listener] = []
        self.price_listeners: list[PriceListener] = []

    # -- accounts and market state ---------------------------------------------------------
    def open_account(self, number: str, cash: dict[Currency, Decimal]) -> SbAccount:
        account = self.accounts.get(number)
        if account is None:
            account = SbAccount(number, dict(cash))
            self.accounts[number] = account
        return account

    def market(self, instrument: InstrumentId) -> MarketState:
        state = self.markets.get(instrument)
        if state is None:
            try:
                tick = self._prices.start(instrument)
            except KeyError:
                raise Reject("APBK0656", "해당 종목정보가 없습니다.") from None
            p = tick.price
            state = MarketState(p, tick.volume, p, p, p, p)
            self.markets[instrument] = state
        return state

    def knows(self, instrument: InstrumentId) -> bool:
        try:
            self.market(instrument)
        except Reject:
            return False
        return True

    def _emit(self, event: ExecEvent) -> None:
        for listener in list(self.listeners):
            listener(event)

    # -- orders ----------------------------------------------------------------------------
    def _new_odno(self) -> str:
        odno = f"{self._next_odno:010d}"
        self._next_odno += 1
        return odno

    def _check_price(self, inst: Instrument, price: Decimal) -> None:
        if price <= 0 or not inst.is_valid_price(price):
            tick = inst.tick_size(max(price, Decimal(0)))
            raise Reject("SBX00001", f"호가단위 오류입니다 (price {price}, tick {tick}).")

    def submit(
        self,
        account_no: str,
        instrument: InstrumentId,
        side: OrderSide,
        quantity: Decimal,
        limit: Decimal | None,
        ord_dvsn: str,
        org_no: str,
    ) -> SbOrder:
        account = self.accounts.get(account_no)
        if account is None:
            raise Reject("OPSQ2000", "ERROR : INPUT INVALID_CHECK_ACNO")
        state = self.market(instrument)
        inst = Instrument.for_venue(instrument)
        if quantity <= 0 or quantity != quantity.to_integral_value():
            raise Reject("SBX00004", f"주문수량 오류입니다 (quantity {quantity}).")
        if not inst.is_valid_quantity(quantity, side):
            raise Reject("SBX00002", f"주문단위 오류입니다 (lot {inst.lot_for(side)}).")
        if limit is not None:
            self._check_price(inst, limit)
        order = SbOrder(
            self._new_odno(),
            org_no,
            account_no,
            instrument,
            side,
            ord_dvsn,
            quantity,
            limit,
            self._now(),
        )
        self._reserve(account, inst, order, state)
        self.orders[order.odno] = order
        self._emit(ExecEvent("accept", order, ts=order.created))
        self._fill_on_arrival(order, state)
        return order

    def _reserve(
        self, account: SbAccount, inst: Instrument, order: SbOrder, state: MarketState
    ) -> None:
        if order.side is OrderSide.BUY:
            unit = order.limit
            if unit is None:
                unit = inst.round_price(state.price * UPPER_LIMIT, PriceRounding.DOWN).value
            need = unit * order.quantity
            if need > account.available(inst.currency):
                raise Reject("APBK0952", "주문가능금액을 초과 했습니다", rt_cd="7")
            order.reserve_unit = unit
            account.reserved[inst.currency] = account.reserved.get(inst.currency, Decimal(0)) + need
        else:
            holding = account.holdings.get(order.instrument, Holding())
            if holding.quantity - holding.reserved < order.quantity:
                raise Reject("APBK0400", "주문 가능한 수량을 초과했습니다")
            holding.reserved += order.quantity
            account.holdings[order.instrument] = holding

    def _release(self, order: SbOrder, quantity: Decimal) -> None:
        account = self.accounts[order.account]
        if order.side is OrderSide.BUY:
            cur = order.currency
            account.reserved[cur] = (
                account.reserved.get(cur, Decimal(0)) - order.reserve_unit * quantity
            )
        else:
            account.holdings[order.instrument].reserved -= quantity

    def _restore(self, order: SbOrder, quantity: Decimal) -> None:
        self._release(order, -quantity)

    def _marketable(self, order: SbOrder, price: Decimal) -> bool:
        if order.limit is None:
            return True
        return price <= order.limit if order.side is OrderSide.BUY else price >= order.limit

    def _fill_on_arrival(self, order: SbOrder, state: MarketState) -> None:
        if self._marketable(order, state.price):
            self._execute(order, state, state.price)

    def _execute(self, order: SbOrder, state: MarketState, price: Decimal) -> None:
        quantity = min(order.leaves, state.volume)
        if quantity <= 0:
            return
        state.volume -= quantity
        state.acml_vol += quantity
        state.acml_amount += quantity * price
        ts = self._now()
        order.filled += quantity
        order.amount += quantity * price
        order.fills.append(SbFill(quantity, price, ts))
        self._release(order, quantity)
        account = self.accounts[order.account]
        holding = account.holdings.setdefault(order.instrument, Holding())
        cur = order.currency
        if self._fees is not None:
            inst = Instrument.for_venue(order.instrument)
            cost = self._fees(inst).fee(order.side, Price(price), Quantity(quantity), cur)
            account.cash[cur] = account.cash.get(cur, Decimal(0)) - cost.amount
        if order.side is OrderSide.BUY:
            account.cash[cur] = account.cash.get(cur, Decimal(0)) - quantity * price
            holding.quantity += quantity
            holding.cost += quantity * price
        else:
            account.cash[cur] = account.cash.get(cur, Decimal(0)) + quantity * price
            removed = holding.cost * quantity / holding.quantity
            holding.quantity -= quantity
            holding.cost = holding.cost - removed if holding.quantity else Decimal(0)
        if order.filled + order.canceled == order.quantity:
            order.status = Status.FILLED
        self._emit(ExecEvent("fill", order, quantity, price, ts))

    def cancel(
        self, account_no: str, odno: str, org_no: str, quantity: Decimal | None = None
    ) -> SbOrder:
        """Cancel all remaining shares, or ``quantity`` of them (QTY_ALL_ORD_YN = N)."""
        original = self._open_order(account_no, odno)
        leaves = original.leaves
        if quantity is not None and 0 < quantity < leaves:
            leaves = quantity
        original.canceled += leaves
        if original.leaves == 0:
            original.status = Status.CANCELED
        self._release(original, leaves)
        row = SbOrder(
            self._new_odno(),
            org_no,
            account_no,
            original.instrument,
            original.side,
            original.ord_dvsn,
            leaves,
            original.limit,
            self._now(),
            Kind.CANCEL,
            original.odno,
            Status.CONFIRMED,
        )
        self.orders[row.odno] = row
        self._emit(ExecEvent("cancel", row, leaves, ts=row.created))
        return row

    def modify(
        self,
        account_no: str,
        odno: str,
        quantity: Decimal | None,
        limit: Decimal | None,
        ord_dvsn: str,
        org_no: str,
    ) -> SbOrder:
        original = self._open_order(account_no, odno)
        leaves = original.leaves
        new_qty = leaves if quantity is None or quantity == 0 else quantity
        if new_qty > leaves:
            raise Reject("SBX00004", f"정정수량이 잔량을 초과합니다 (leaves {leaves}).")
        inst = Instrument.for_venue(original.instrument)
        if limit is not None:
            self._check_price(inst, limit)
        account = self.accounts[account_no]
        self._release(original, leaves)
        replacement = SbOrder(
            self._new_odno(),
            org_no,
            account_no,
            original.instrument,
            original.side,
            ord_dvsn,
            new_qty,
            limit,
            self._now(),
            Kind.MODIFY,
            original.odno,
        )
        try:
            self._reserve(account, inst, replacement, self.market(original.instrument))
        except Reject:
            self._restore(original, leaves)  # the modify failed; the original keeps working
            raise
        original.canceled += leaves
        original.status = Status.REPLACED
        self.orders[replacement.odno] = replacement
        self._emit(ExecEvent("modify", replacement, new_qty, ts=replacement.created))
        self._fill_on_arrival(replacement, self.market(original.instrument))
        return replacement

    def _open_order(self, account_no: str, odno: str) -> SbOrder:
        order = self.orders.get(odno.strip().zfill(10))
        if order is None or order.account != account_no:
            raise Reject("SBX00003", "원주문번호가 존재하지 않습니다.", rt_cd="7")
        if order.leaves <= 0:
            raise Reject("SBX00003", "정정/취소할 수량이 없습니다.", rt_cd="7")
        return order

    # -- market movement -------------------------------------------------------------------
    def set_price(
        self, instrument: InstrumentId, price: Decimal, volume: Decimal | None = None
    ) -> None:
        state = self.market(instrument)
        inst = Instrument.for_venue(instrument)
        self._check_price(inst, price)
        state.price = price
        if volume is not None:
            state.volume = volume
        self._after_move(instrument, state)

    def set_volume(self, instrument: InstrumentId, volume: Decimal) -> None:
        self.market(instrument).volume = volume

    def step(self, instrument: InstrumentId | None = None, steps: int = 1) -> None:
        targets = [instrument] if instrument is not None else list(self.markets)
        for _ in range(steps):
            for inst_id in targets:
                state = self.market(inst_id)
                tick = self._prices.next(inst_id, state.price)
                state.price, state.volume = tick.price, tick.volume
                self._after_move(inst_id, state)

    def _after_move(self, instrument: InstrumentId, state: MarketState) -> None:
        state.high = max(state.high, state.price)
        state.low = min(state.low, state.price)
        for order in [o for o in self.orders.values() if o.instrument == instrument]:
            if order.leaves > 0 and self._marketable(order, state.price):
                fill_at = state.price if order.limit is None else order.limit
                self._execute(order, state, fill_at)
        for listener in list(self.price_listeners):
            listener(instrument, state)
