"""The engine's risk gate: every order the loop wants goes through one ``RiskManager``, and the
circuit breaker sees every mark of the account.

The gate turns the engine's books (ledger cash, positions marked at the last close, working
orders at the venue) into the risk manager's ``AccountView`` at the moment of each intent, so
limits are checked against the account as it is *now*, not as it was at the last snapshot. It
also keeps the day's P&L (equity against the last mark before the breaker's trading-day
rollover, realized from closed trades) because the daily-loss trigger needs it and the ledger
does not know what a trading day is.

The market state of each intent is the truth as the run knows it: whether the instrument's
market is open at the order's time (its calendar; an order at a session's close instant goes
into the closing auction, so the session counts as open then), the price the order will go at
with that price's own timestamp, and the price the decision was made at as the reference. So
the market-open, stale-price and price-deviation checks can deny.

In a broker session the breaker runs on ``breaker_clock`` (the wall clock: cooldowns, error
windows and the trading day are real time even when the decisions replay past sessions), and
``trading`` reads the account's kill switch before every order.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from ouroboros.domain.currency import Currency
from ouroboros.domain.fx import FxRateSource
from ouroboros.domain.ids import InstrumentId, Venue
from ouroboros.domain.instrument import Instrument
from ouroboros.domain.money import Money, Price, Quantity, to_decimal
from ouroboros.domain.orders import Order, OrderSide
from ouroboros.domain.portfolio import Portfolio
from ouroboros.execution.order_manager import EventSink
from ouroboros.markets import (
    CalendarCoverageError,
    MarketCalendar,
    get_calendar,
    market_for_venue,
)
from ouroboros.risk import (
    AccountView,
    BreakerEvent,
    CheckStatus,
    CircuitBreaker,
    IntentSource,
    MarketState,
    OrderIntent,
    PositionView,
    RiskDecision,
    RiskManager,
)
from ouroboros.risk.breaker import carry_over
from ouroboros.risk.breaker.triggers import trading_day

_CONFIDENCE_PLACES = Decimal("0.0001")
_INSTANT = timedelta(microseconds=1)


@functools.cache
def _calendar(venue: Venue) -> MarketCalendar:
    return get_calendar(market_for_venue(venue).code)


MarketHours = Callable[[Instrument, datetime], "bool | None"]
"""Whether an instrument's market trades at an instant (None: unknown, which denies)."""


def calendar_hours(instrument: Instrument, at: datetime) -> bool | None:
    """The market calendar's answer: open during continuous trading and at the instant trading
    stops (a session's close, or the start of a lunch break: an order there goes into that
    session's closing auction); None when no calendar covers ``at`` or the venue has no market."""
    try:
        calendar = _calendar(instrument.venue)
        return calendar.is_open(at) or calendar.is_open(at - _INSTANT)
    except (KeyError, CalendarCoverageError):
        return None


@dataclass(frozen=True, slots=True)
class EntryRequest:
    """What the loop knows when it wants to trade one instrument.

    ``price`` is what the order will go at and ``price_at`` that price's own time (None: the
    price cannot be aged, which denies); ``reference`` the price the decision was made at.
    """

    instrument: Instrument
    side: OrderSide
    price: Decimal
    confidence: float
    quantity: Quantity | None
    stop_loss: float = math.nan
    atr: float = math.nan
    risk_reducing: bool = False
    decision_id: str | None = None
    price_at: datetime | None = None
    reference: Decimal | None = None


class RiskGate:
    """Builds the risk manager's inputs from the engine's state and audits every verdict."""

    def __init__(
        self,
        manager: RiskManager,
        source: IntentSource,
        portfolio: Portfolio,
        fx: FxRateSource,
        sink: EventSink,
        *,
        hours: MarketHours = calendar_hours,
        breaker_clock: Callable[[], datetime] | None = None,
        trading: Callable[[datetime], bool | None] | None = None,
    ) -> None:
        self.manager = manager
        self.source = source
        self._portfolio = portfolio
        self._fx = fx
        self._sink = sink
        self._hours = hours
        self._breaker_clock = breaker_clock
        self._trading = trading
        self._carry = False
        self._base = portfolio.base_currency
        self._day: date | None = None
        self._day_start: Decimal | None = None
        self._last_equity: Decimal | None = None
        self._realized_today = Decimal(0)

    @property
    def breaker(self) -> CircuitBreaker | None:
        return self.manager.breaker

    def adopt_breaker(self, breaker: CircuitBreaker, *, carry_over: bool = False) -> None:
        """Continue with ``breaker`` (restored from the record after a restart).

        ``carry_over``: it was written by an earlier session on other books (a broker account's
        breaker): its equity marks move onto this session's books at the first mark.
        """
        self.manager = RiskManager(self.manager.limits, breaker=breaker, live=self.manager.live)
        self._carry = carry_over

    def breaker_now(self, now: datetime) -> datetime:
        """The breaker's time for an event at engine time ``now``."""
        return self._breaker_clock() if self._breaker_clock is not None else now

    # -- the account as the risk manager sees it ------------------------------------------

    def account(
        self,
        equity: Decimal,
        marks: Mapping[InstrumentId, Decimal],
        working: Iterable[Order],
        instruments: Mapping[InstrumentId, Instrument],
    ) -> AccountView:
        """The account now: ``marks`` are the last prices of held instruments (missing = unknown,
        which denies new risk), ``working`` the venue's open orders."""
        cash: dict[Currency, Decimal] = dict(self._portfolio.cash)
        buys: dict[InstrumentId, Decimal] = {}
        sells: dict[InstrumentId, Decimal] = {}
        unvalued_buy = False
        for order in working:
            leaves = order.quantity.value - order.filled_quantity.value
            iid = order.instrument_id
            if order.side is OrderSide.BUY:
                price = order.limit_price.value if order.limit_price else marks.get(iid)
                if price is None:
                    # A buy we cannot value commits cash we cannot count: cash is unknown,
                    # which denies new risk (exits need no cash).
                    unvalued_buy = True
                    continue
                currency = instruments[iid].currency
                buys[iid] = buys.get(iid, Decimal(0)) + leaves * price
                cash[currency] = cash.get(currency, Decimal(0)) - leaves * price
            else:
                # Protective pairs (stop + take-profit) cover the same shares: count the largest.
                sells[iid] = max(sells.get(iid, Decimal(0)), leaves)
        positions: dict[InstrumentId, PositionView] = {}
        held = {iid: p.quantity for iid, p in self._portfolio.positions.items() if p.quantity}
        for iid in held.keys() | buys.keys():
            qty = held.get(iid, Decimal(0))
            currency = instruments[iid].currency
            mark = marks.get(iid)
            positions[iid] = PositionView(
                iid,
                qty,
                Money(qty * mark, currency) if mark is not None else None,
                Money(buys[iid], currency) if iid in buys else None,
                sells.get(iid, Decimal(0)),
            )
        return self._view(
            equity,
            None if unvalued_buy else {c: Money(max(v, Decimal(0)), c) for c, v in cash.items()},
            positions,
        )

    def _view(
        self,
        equity: Decimal,
        cash: Mapping[Currency, Money] | None,
        positions: Mapping[InstrumentId, PositionView] | None,
    ) -> AccountView:
        """Equity with today's P&L: realized from closed trades, the rest unrealized (both
        unknown before the first mark of the breaker's trading day)."""
        start = self._day_start
        return AccountView(
            base_currency=self._base,
            equity=Money(equity, self._base),
            cash_available=cash,
            positions=positions,
            fx=self._fx,
            day_start_equity=Money(start, self._base) if start is not None else None,
            realized_pnl_today=Money(self._realized_today, self._base),
            unrealized_pnl_today=(
                Money(equity - start - self._realized_today, self._base)
                if start is not None
                else None
            ),
        )

    # -- intents --------------------------------------------------------------------------

    def evaluate(self, request: EntryRequest, account: AccountView, now: datetime) -> RiskDecision:
        """Ask the risk manager; the verdict and every check it made join the audit trail."""
        inst = request.instrument
        price = inst.round_price(request.price).value if request.price > 0 else None
        reference = request.reference
        if reference is not None:
            reference = inst.round_price(reference).value if reference > 0 else None
        intent = OrderIntent(
            instrument=inst,
            side=request.side,
            confidence=Decimal(repr(min(max(request.confidence, 0.0), 1.0))).quantize(
                _CONFIDENCE_PLACES
            ),
            source=self.source,
            quantity=request.quantity,
            reference_price=Price(reference) if reference is not None else None,
            stop_loss=_stop(request.stop_loss, request.price),
            atr=_positive(request.atr),
            risk_reducing=request.risk_reducing,
            decision_id=request.decision_id,
        )
        priced = price is not None and request.price_at is not None
        market = MarketState(
            inst.id,
            is_open=self._hours(inst, now),
            last_price=Price(price) if priced and price is not None else None,
            last_price_at=request.price_at if priced else None,
        )
        decision = self.manager.evaluate(
            intent,
            account,
            market,
            now,
            trading_enabled=self._trading(now) if self._trading is not None else True,
            breaker_now=self.breaker_now(now),
        )
        self._sink.emit(f"risk.{decision.verdict.value.lower()}", now, _decision_payload(decision))
        return decision

    # -- the breaker ----------------------------------------------------------------------

    def observe(
        self, now: datetime, equity: Decimal, closed_pnl: Iterable[Money]
    ) -> list[BreakerEvent]:
        """Feed one mark of the account (and the trades closed since the last) to the breaker."""
        breaker = self.breaker
        if breaker is None:
            return []
        at = self.breaker_now(now)
        if self._carry:
            self._carry_over(breaker, equity, at)
        day = trading_day(at, breaker.config)
        if day != self._day:
            self._day = day
            self._day_start = self._last_equity if self._last_equity is not None else equity
            self._realized_today = Decimal(0)
        events: list[BreakerEvent] = []
        for pnl in closed_pnl:
            base_pnl = self._to_base(pnl)
            self._realized_today += base_pnl
            events += breaker.record_trade(base_pnl, at)
        events += breaker.update(self._view(equity, None, None), at)
        self._last_equity = equity
        for event in events:
            self._sink.emit(f"breaker.{type(event).__name__}", now, _breaker_payload(event))
        return events

    def _carry_over(self, breaker: CircuitBreaker, equity: Decimal, at: datetime) -> None:
        """Move an earlier session's breaker onto these books (once, at the first mark)."""
        self._carry = False
        state, day = carry_over(breaker.state, equity, at)
        breaker.replace_state(state)
        if day is not None:
            self._day, self._day_start = day.day, day.day_start_equity
            self._realized_today = day.realized_today

    def record_error(self, now: datetime) -> None:
        """A broker/API failure: error bursts trip the breaker like losses do."""
        if self.breaker is None:
            return
        for event in self.breaker.record_error(self.breaker_now(now)):
            self._sink.emit(f"breaker.{type(event).__name__}", now, _breaker_payload(event))

    def _to_base(self, money: Money) -> Decimal:
        if money.currency is self._base:
            return money.amount
        return money.amount * self._fx.rate(money.currency, self._base)


def _positive(value: float) -> Decimal | None:
    if math.isnan(value) or value <= 0:
        return None
    return to_decimal(value)


def _stop(stop: float, price: Decimal) -> Price | None:
    """A protective stop below the entry; anything else is no stop (the ATR bound applies)."""
    if math.isnan(stop) or stop <= 0 or to_decimal(stop) >= price:
        return None
    return Price(to_decimal(stop))


def _decision_payload(decision: RiskDecision) -> dict[str, Any]:
    intent = decision.intent
    return {
        "instrument_id": str(intent.instrument.id),
        "side": intent.side.value,
        "verdict": decision.verdict.value,
        "quantity": str(decision.quantity),
        "requested": str(decision.requested) if decision.requested is not None else None,
        "confidence": str(intent.confidence),
        "source": intent.source.value,
        "decision_id": intent.decision_id,
        "summary": decision.summary(),
        "checks": [
            {"code": c.code.value, "status": c.status.value, "message": c.message}
            for c in decision.checks
            if c.status is not CheckStatus.PASS
        ],
    }


def _breaker_payload(event: BreakerEvent) -> dict[str, Any]:
    payload: dict[str, Any] = {"at": event.at.isoformat()}
    for f in fields(event):
        value = getattr(event, f.name)
        if f.name == "at" or value is None:
            continue
        if isinstance(value, tuple):
            payload[f.name] = [str(v) for v in value]
        elif isinstance(value, (bool, str)):
            payload[f.name] = value
        else:
            payload[f.name] = str(value)
    return payload
