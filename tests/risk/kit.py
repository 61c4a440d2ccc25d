"""Hand-written builders for risk tests: one realistic account, instruments and prices.

The default world: a KRW account with 100,000,000 equity and 50,000,000 cash, no positions,
Samsung (005930.KRX, lot 1) at 70,000, Toyota (7203.TSE, lot 100) at 3,000 JPY, Apple at
200 USD, FX 1 USD = 1,400 KRW and 1 JPY = 9.5 KRW; ``NOW`` is 11:00 in Seoul.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from ouroboros.domain import (
    Currency,
    Instrument,
    InstrumentId,
    Money,
    OrderSide,
    OrderType,
    Price,
    Quantity,
    Quote,
    StaticFxRates,
)
from ouroboros.risk import (
    AccountView,
    IntentSource,
    MarketState,
    OrderIntent,
    PositionView,
)

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
KRW, USD, JPY = Currency.KRW, Currency.USD, Currency.JPY
SAMSUNG = Instrument.for_venue("005930.KRX", name="Samsung Electronics", sector="Tech")
HYNIX = Instrument.for_venue("000660.KRX", name="SK hynix", sector="Tech")
HYUNDAI = Instrument.for_venue("005380.KRX", name="Hyundai Motor", sector="Auto")
TOYOTA = Instrument.for_venue("7203.TSE", name="Toyota", sector="Auto")
APPLE = Instrument.for_venue("AAPL.NASDAQ", name="Apple", sector="Tech")
FX = StaticFxRates(KRW, {USD: Decimal(1) / Decimal(1400), JPY: Decimal(1) / Decimal("9.5")})
PRICES: dict[InstrumentId, Decimal] = {
    SAMSUNG.id: Decimal(70_000),
    HYNIX.id: Decimal(200_000),
    HYUNDAI.id: Decimal(250_000),
    TOYOTA.id: Decimal(3_000),
    APPLE.id: Decimal(200),
}


def d(value: str | int) -> Decimal:
    return Decimal(value)


def krw(amount: str | int) -> Money:
    return Money(Decimal(amount), KRW)


def intent(
    instrument: Instrument = SAMSUNG,
    side: OrderSide = OrderSide.BUY,
    *,
    quantity: str | int | None = None,
    notional: Money | None = None,
    confidence: str = "0.9",
    source: IntentSource = IntentSource.PLAYBOOK,
    order_type: OrderType = OrderType.MARKET,
    limit: str | int | None = None,
    stop: str | int | None = None,
    stop_loss: str | int | None = None,
    atr: str | int | None = "1000",
    volatility: str | int | None = None,
    risk_reducing: bool = False,
    reference: str | int | None = None,
) -> OrderIntent:
    return OrderIntent(
        instrument=instrument,
        side=side,
        confidence=Decimal(confidence),
        source=source,
        order_type=order_type,
        quantity=Quantity(Decimal(quantity)) if quantity is not None else None,
        notional=notional,
        limit_price=Price(Decimal(limit)) if limit is not None else None,
        stop_price=Price(Decimal(stop)) if stop is not None else None,
        stop_loss=Price(Decimal(stop_loss)) if stop_loss is not None else None,
        reference_price=Price(Decimal(reference)) if reference is not None else None,
        atr=Decimal(atr) if atr is not None else None,
        volatility_score=Decimal(volatility) if volatility is not None else None,
        risk_reducing=risk_reducing,
        decision_id="d-1",
    )


#: Sectors of every instrument a kit position was made for; ``account`` passes them on.
SECTORS: dict[InstrumentId, str] = {}


def position(
    instrument: Instrument,
    quantity: str | int,
    *,
    price: str | int | None = None,
    open_buy: str | int | None = None,
    open_sells: str | int = 0,
) -> PositionView:
    if instrument.sector:
        SECTORS[instrument.id] = instrument.sector
    qty = Decimal(quantity)
    px = Decimal(price) if price is not None else PRICES[instrument.id]
    return PositionView(
        instrument_id=instrument.id,
        quantity=qty,
        market_value=Money(qty * px, instrument.currency),
        open_buy_value=Money(Decimal(open_buy), instrument.currency) if open_buy else None,
        open_sell_quantity=Decimal(open_sells),
    )


def account(
    *,
    equity: str | int | None = 100_000_000,
    cash: Mapping[Currency, str | int] | None = None,
    positions: Sequence[PositionView] | None = (),
    sectors: Mapping[InstrumentId, str] | None = None,
    realized: str | int | None = 0,
    unrealized: str | int | None = 0,
    day_start: str | int | None = None,
    peak: str | int | None = None,
    fx: StaticFxRates | None = FX,
    no_cash: bool = False,
) -> AccountView:
    balances = {KRW: 50_000_000} if cash is None else cash
    return AccountView(
        base_currency=KRW,
        equity=krw(equity) if equity is not None else None,
        cash_available=None if no_cash else {c: Money(Decimal(v), c) for c, v in balances.items()},
        positions=None if positions is None else {p.instrument_id: p for p in positions},
        fx=fx,
        sectors=dict(sectors)
        if sectors is not None
        else {
            p.instrument_id: SECTORS[p.instrument_id]
            for p in positions or ()
            if p.instrument_id in SECTORS
        },
        peak_equity=krw(peak) if peak is not None else None,
        day_start_equity=krw(day_start) if day_start is not None else None,
        realized_pnl_today=krw(realized) if realized is not None else None,
        unrealized_pnl_today=krw(unrealized) if unrealized is not None else None,
    )


def market(
    instrument: Instrument = SAMSUNG,
    price: str | int | None = None,
    *,
    age: timedelta = timedelta(seconds=3),
    is_open: bool | None = True,
    bid: str | int | None = None,
    ask: str | int | None = None,
    quote_age: timedelta = timedelta(seconds=1),
    now: datetime = NOW,
) -> MarketState:
    px = Decimal(price) if price is not None else PRICES[instrument.id]
    quote = None
    if bid is not None and ask is not None:
        quote = Quote(instrument.id, now - quote_age, Price(Decimal(bid)), Price(Decimal(ask)))
    return MarketState(
        instrument_id=instrument.id,
        is_open=is_open,
        last_price=Price(px),
        last_price_at=now - age,
        quote=quote,
    )


def no_price(instrument: Instrument = SAMSUNG) -> MarketState:
    return MarketState(instrument_id=instrument.id, is_open=True)
