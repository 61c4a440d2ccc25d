from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ouroboros.domain import (
    ClientOrderId,
    Currency,
    Fill,
    Instrument,
    Money,
    OrderSide,
    Portfolio,
    Price,
    Quantity,
    StaticFxRates,
)
from ouroboros.errors import InsufficientFunds

T0 = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
AAPL = Instrument.for_venue("AAPL.NASDAQ")
SAMSUNG = Instrument.for_venue("005930.KRX")
FX = StaticFxRates(Currency.KRW, {Currency.USD: Decimal("1") / Decimal("1400")})


def fill(
    inst: Instrument, side: OrderSide, qty: int | str, price: str, fee: str = "0", n: int = 0
) -> Fill:
    return Fill(
        fill_id=f"f{n}",
        client_order_id=ClientOrderId(f"o{n}"),
        instrument_id=inst.id,
        side=side,
        quantity=Quantity.of(qty),
        price=Price.of(price),
        fee=Money.of(fee, inst.currency),
        ts=T0,
    )


def test_round_trip_realizes_pnl_and_charges_fees() -> None:
    book = Portfolio(Currency.USD)
    book.deposit(Money.of("10000", "USD"))
    book.apply_fill(fill(AAPL, OrderSide.BUY, 10, "150.00", "1.00", 1), AAPL)
    realized = book.apply_fill(fill(AAPL, OrderSide.SELL, 4, "160.00", "1.00", 2), AAPL)
    assert realized == Decimal("40.00")
    pos = book.positions[AAPL.id]
    assert pos.quantity == 6
    assert pos.average_price == Decimal("150")
    assert book.cash_of(Currency.USD).amount == Decimal("10000") - 1500 - 1 + 640 - 1
    assert book.ledger_imbalance(Currency.USD) == 0


def test_flip_from_long_to_short_opens_at_the_fill_price() -> None:
    book = Portfolio(Currency.USD, allow_negative_cash=True)
    book.deposit(Money.of("1000", "USD"))
    book.apply_fill(fill(AAPL, OrderSide.BUY, 5, "100", n=1), AAPL)
    realized = book.apply_fill(fill(AAPL, OrderSide.SELL, 8, "110", n=2), AAPL)
    pos = book.positions[AAPL.id]
    assert realized == Decimal("50")
    assert pos.quantity == -3
    assert pos.average_price == Decimal("110")
    assert book.ledger_imbalance(Currency.USD) == 0


def test_buying_beyond_cash_is_refused_and_books_nothing() -> None:
    book = Portfolio(Currency.KRW)
    book.deposit(Money.of("100000", "KRW"))
    with pytest.raises(InsufficientFunds, match="needs"):
        book.apply_fill(fill(SAMSUNG, OrderSide.BUY, 2, "71200"), SAMSUNG)
    assert book.cash_of(Currency.KRW).amount == 100000
    assert SAMSUNG.id not in book.positions or book.positions[SAMSUNG.id].is_flat


def test_equity_converts_through_the_named_fx_source() -> None:
    book = Portfolio(Currency.KRW)
    book.deposit(Money.of("1000000", "KRW"))
    book.deposit(Money.of("1000", "USD"))
    book.apply_fill(fill(AAPL, OrderSide.BUY, 2, "100"), AAPL)
    equity = book.equity({AAPL.id: Price.of("110")}, FX)
    assert equity == Money.of(1000000 + (800 + 220) * 1400, "KRW")


trade = st.tuples(
    st.sampled_from([OrderSide.BUY, OrderSide.SELL]),
    st.integers(min_value=1, max_value=500),
    st.decimals(min_value=Decimal("0.50"), max_value=Decimal("900"), places=4),
    st.decimals(min_value=0, max_value=Decimal("5"), places=2),  # fee models round to cents
)


@given(st.lists(trade, min_size=1, max_size=60), st.decimals(min_value=1, max_value=1000, places=2))
def test_ledger_conserves_value(
    trades: list[tuple[OrderSide, int, Decimal, Decimal]], mark: Decimal
) -> None:
    """cash + holdings changes only by P&L and fees, whatever the sequence of fills."""
    book = Portfolio(Currency.USD, allow_negative_cash=True)
    book.deposit(Money.of("50000", "USD"))
    for n, (side, qty, price, fee) in enumerate(trades):
        snapped = AAPL.round_price(Price(price)).value
        book.apply_fill(fill(AAPL, side, qty, str(snapped), str(fee), n), AAPL)
        assert book.ledger_imbalance(Currency.USD) == 0
    pos = book.positions[AAPL.id]
    mark_price = Price(mark)
    equity = book.cash_of(Currency.USD).amount + pos.market_value(mark_price).amount
    expected = (
        Decimal(50000)
        + book.realized_pnl(Currency.USD)
        + pos.unrealized_pnl(mark_price).amount
        - book.fees_paid[Currency.USD]
    )
    assert equity == expected
    assert book.cash_of(Currency.USD).amount == book.cash_of(Currency.USD).rounded().amount
