from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ouroboros.domain import Currency, Money, Price, Quantity, notional, to_decimal

amounts = st.decimals(min_value=-(10**12), max_value=10**12, allow_nan=False, places=4)
currencies = st.sampled_from(list(Currency))


def test_minor_units_match_iso_4217() -> None:
    assert {c.value: c.minor_units for c in Currency} == {
        "KRW": 0,
        "JPY": 0,
        "VND": 0,
        "USD": 2,
        "HKD": 2,
        "CNY": 2,
    }


def test_mixed_currency_arithmetic_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot combine USD with KRW"):
        _ = Money.of("1", "USD") + Money.of("1", "KRW")
    with pytest.raises(ValueError, match="cannot combine"):
        _ = Money.of("1", "USD") < Money.of("1", "KRW")


def test_money_times_money_is_refused() -> None:
    with pytest.raises(TypeError):
        _ = Money.of(1, "USD") * Money.of(1, "USD")


def test_to_decimal_reads_floats_as_written() -> None:
    assert to_decimal(0.1) == Decimal("0.1")
    assert to_decimal(1234.5678, places=2) == Decimal("1234.57")
    with pytest.raises(ValueError, match="not a finite number"):
        to_decimal(float("nan"))
    with pytest.raises(TypeError):
        to_decimal(True)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "make",
    [
        lambda: Money(0.1, Currency.USD),  # type: ignore[arg-type]
        lambda: Price(10.5),  # type: ignore[arg-type]
        lambda: Quantity(3.0),  # type: ignore[arg-type]
        lambda: Money(Decimal(1), Currency.USD) * 0.5,  # type: ignore[operator]
        lambda: Money(Decimal(1), Currency.USD) / 3.0,  # type: ignore[operator]
    ],
)
def test_money_types_refuse_floats_and_name_the_door(make: object) -> None:
    """Regression: ``Money(0.1, USD)`` was accepted and silently converted."""
    with pytest.raises(TypeError, match="float"):
        make()  # type: ignore[operator]


def test_money_types_take_decimals_and_ints_and_to_decimal_converts_floats() -> None:
    assert Money(7, Currency.KRW).amount == Decimal(7)
    assert Money(to_decimal(0.1), Currency.USD).amount == Decimal("0.1")
    with pytest.raises(TypeError, match="must be a Decimal, was str"):
        Money("1.5", Currency.USD)  # type: ignore[arg-type]


def test_negative_price_and_quantity_are_invalid() -> None:
    with pytest.raises(ValueError, match="invalid price, was -1"):
        Price.of(-1)
    with pytest.raises(ValueError, match="invalid quantity, was -3"):
        Quantity.of(-3)


def test_notional_rounds_to_the_cash_unit() -> None:
    assert notional(Price.of("0.1234"), Quantity.of(7), Currency.USD).amount == Decimal("0.86")
    assert notional(Price.of("71200"), Quantity.of(3), Currency.KRW).amount == Decimal("213600")


@given(amounts, amounts, amounts, currencies)
def test_addition_is_associative_and_commutative(
    a: Decimal, b: Decimal, c: Decimal, cur: Currency
) -> None:
    x, y, z = Money(a, cur), Money(b, cur), Money(c, cur)
    assert (x + y) + z == x + (y + z)
    assert x + y == y + x
    assert x - x == Money.zero(cur)
    assert -x + x == Money.zero(cur)


@given(amounts, currencies)
def test_rounding_lands_on_the_minor_unit_and_moves_less_than_half_a_unit(
    a: Decimal, cur: Currency
) -> None:
    rounded = Money(a, cur).rounded()
    assert rounded.amount == rounded.amount.quantize(cur.quantum)
    assert abs(rounded.amount - a) <= cur.quantum / 2
    assert rounded.rounded() == rounded


@given(amounts, currencies)
def test_split_and_rejoin_conserves_value(a: Decimal, cur: Currency) -> None:
    whole = Money(a, cur).rounded()
    third = (whole / 3).rounded()
    rest = whole - third - third
    assert third + third + rest == whole
