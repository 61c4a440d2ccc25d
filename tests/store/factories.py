"""Small builders for domain objects used across the store tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy.engine import Engine

from ouroboros.domain import (
    ClientOrderId,
    Currency,
    Fill,
    Instrument,
    InstrumentId,
    Money,
    Order,
    OrderEventKind,
    OrderSide,
    OrderType,
    Portfolio,
    Price,
    Quantity,
)
from ouroboros.store import (
    CapitalEvent,
    CapitalEventKind,
    CapitalEvents,
    FillRepository,
    OrderRepository,
    PositionRepository,
    SnapshotRecord,
    SnapshotRepository,
)

T0 = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
RUN = "run-1"
AAPL = InstrumentId.parse("AAPL.NASDAQ")
SAMSUNG = InstrumentId.parse("005930.KRX")


def order(
    cid: str = "o-1",
    *,
    side: OrderSide = OrderSide.BUY,
    qty: str = "10",
    instrument: InstrumentId = AAPL,
    limit: str | None = "150.25",
    at: datetime = T0,
    tag: str = "",
) -> Order:
    return Order(
        client_order_id=ClientOrderId(cid),
        instrument_id=instrument,
        side=side,
        order_type=OrderType.LIMIT if limit else OrderType.MARKET,
        quantity=Quantity.of(qty),
        created_at=at,
        limit_price=Price.of(limit) if limit else None,
        tag=tag,
    )


def fill(
    fill_id: str,
    cid: str = "o-1",
    *,
    side: OrderSide = OrderSide.BUY,
    qty: str = "10",
    price: str = "150.25",
    fee: str = "1.00",
    instrument: InstrumentId = AAPL,
    currency: Currency = Currency.USD,
    at: datetime = T0,
) -> Fill:
    return Fill(
        fill_id=fill_id,
        client_order_id=ClientOrderId(cid),
        instrument_id=instrument,
        side=side,
        quantity=Quantity.of(qty),
        price=Price.of(price),
        fee=Money(Decimal(fee), currency),
        ts=at,
    )


def minutes(n: int) -> datetime:
    return T0 + timedelta(minutes=n)


def book_clean_ledger(engine: Engine, run_id: str = RUN) -> Portfolio:
    """Write a small, consistent day of trading the way the engine would: deposit, buy, partial
    sell (with fees), positions and a snapshot computed by the domain ``Portfolio``."""
    portfolio = Portfolio(base_currency=Currency.USD)
    instrument = Instrument.for_venue(AAPL)
    deposit = CapitalEvent(
        run_id, CapitalEventKind.DEPOSIT, Money.of("100000.00", "USD"), T0, event_id="dep-1"
    )
    CapitalEvents(engine).record(deposit)
    portfolio.deposit(deposit.amount)
    orders, fills = OrderRepository(engine), FillRepository(engine)
    buy = order("o-buy", qty="100", limit="150.25", at=minutes(1))
    sell = order("o-sell", side=OrderSide.SELL, qty="60", limit="155.10", at=minutes(5))
    trades = [
        (buy, fill("f-1", "o-buy", qty="40", price="150.25", fee="0.40", at=minutes(2))),
        (buy, fill("f-2", "o-buy", qty="60", price="150.20", fee="0.61", at=minutes(3))),
        (
            sell,
            fill(
                "f-3",
                "o-sell",
                side=OrderSide.SELL,
                qty="60",
                price="155.10",
                fee="0.93",
                at=minutes(6),
            ),
        ),
    ]
    for o in (buy, sell):
        orders.insert(o, run_id=run_id, decision_id=f"d-{o.client_order_id}")
        o.apply(OrderEventKind.SUBMIT, o.created_at)
    for o, f in trades:
        o.apply_fill(f.quantity, f.price, f.ts)
        orders.update(o)
        fills.insert(f, run_id=run_id, broker="paper")
        portfolio.apply_fill(f, instrument)
    PositionRepository(engine).put(portfolio.position(instrument), run_id=run_id, at=minutes(6))
    SnapshotRepository(engine).add(
        SnapshotRecord(run_id, minutes(6), Currency.USD, dict(portfolio.cash), Decimal("106000"))
    )
    return portfolio
