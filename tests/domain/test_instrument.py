from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ouroboros.domain import (
    Currency,
    Instrument,
    InstrumentId,
    OrderSide,
    Price,
    PriceRounding,
    Quantity,
    Venue,
    tick_table_for,
)


@pytest.mark.parametrize(
    ("price", "tick"),
    [
        ("1999", "1"),
        ("2000", "5"),
        ("4995", "5"),
        ("5000", "10"),
        ("19990", "10"),
        ("20000", "50"),
        ("49950", "50"),
        ("50000", "100"),
        ("199900", "100"),
        ("200000", "500"),
        ("499500", "500"),
        ("500000", "1000"),
    ],
)
def test_krx_tick_bands(price: str, tick: str) -> None:
    samsung = Instrument.for_venue("005930.KRX")
    assert samsung.tick_size(Decimal(price)) == Decimal(tick)


def test_krx_rounding_snaps_to_the_band_tick() -> None:
    samsung = Instrument.for_venue("005930.KRX")
    assert samsung.round_price(Price.of(71234), PriceRounding.DOWN) == Price.of(71200)
    assert samsung.round_price(Price.of(71234), PriceRounding.UP) == Price.of(71300)
    assert samsung.round_price(Price.of(71249), PriceRounding.NEAREST) == Price.of(71200)
    assert not samsung.is_valid_price(Price.of(71250))
    assert samsung.is_valid_price(Price.of(71300))


def test_us_sub_dollar_ticks() -> None:
    penny = Instrument.for_venue("ABCD.NASDAQ")
    assert penny.tick_size(Decimal("0.5")) == Decimal("0.0001")
    assert penny.tick_size(Decimal("1.00")) == Decimal("0.01")
    assert penny.is_valid_price(Decimal("0.1234"))
    assert not penny.is_valid_price(Decimal("1.234"))


def test_hkex_spread_table_changed_on_2025_08_04() -> None:
    before = tick_table_for(Venue.HKEX, date(2025, 8, 1))
    after = tick_table_for(Venue.HKEX, date(2025, 8, 4))
    assert before.tick_for(Decimal("15")) == Decimal("0.02")
    assert after.tick_for(Decimal("15")) == Decimal("0.01")
    assert before.tick_for(Decimal("30")) == Decimal("0.05")
    assert after.tick_for(Decimal("30")) == Decimal("0.02")
    assert after.tick_for(Decimal("5")) == Decimal("0.01")


def test_tse_hose_hnx_and_china_ticks() -> None:
    assert Instrument.for_venue("7203.TSE").tick_size(Decimal("3000")) == Decimal("5")
    assert Instrument.for_venue("7203.TSE").tick_size(Decimal("2999")) == Decimal("1")
    assert Instrument.for_venue("VNM.HOSE").tick_size(Decimal("9990")) == Decimal("10")
    assert Instrument.for_venue("VNM.HOSE").tick_size(Decimal("60000")) == Decimal("100")
    assert Instrument.for_venue("SHS.HNX").tick_size(Decimal("12300")) == Decimal("100")
    assert Instrument.for_venue("600519.SSE").tick_size(Decimal("1500.01")) == Decimal("0.01")


def test_board_lots_and_odd_lot_sells() -> None:
    toyota = Instrument.for_venue("7203.TSE")
    assert toyota.round_quantity(Quantity.of(250), OrderSide.BUY) == Quantity.of(200)
    moutai = Instrument.for_venue("600519.SSE")
    assert moutai.round_quantity(Quantity.of(150), OrderSide.BUY) == Quantity.of(100)
    assert moutai.round_quantity(Quantity.of(150), OrderSide.SELL) == Quantity.of(150)
    hsbc = Instrument.for_venue("0005.HKEX", lot_size=400)
    assert hsbc.round_quantity(Quantity.of(1000), OrderSide.BUY) == Quantity.of(800)
    assert Instrument.for_venue("AAPL.NASDAQ").currency is Currency.USD


def test_instrument_ids_parse_at_the_last_dot() -> None:
    assert InstrumentId.parse("BRK.B.NYSE") == InstrumentId("BRK.B", Venue.NYSE)
    assert str(InstrumentId.parse("005930.KRX")) == "005930.KRX"
    with pytest.raises(ValueError, match=r"SYMBOL\.VENUE"):
        InstrumentId.parse("AAPL")
    with pytest.raises(ValueError, match="unknown venue"):
        InstrumentId.parse("AAPL.MOON")


venues = st.sampled_from(list(Venue))
prices = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("2000000"), places=4)
quantities = st.decimals(min_value=0, max_value=10**7, places=2)


@given(venues, prices, st.sampled_from(list(PriceRounding)))
def test_rounded_prices_are_always_valid(venue: Venue, price: Decimal, mode: PriceRounding) -> None:
    inst = Instrument.for_venue(InstrumentId("SYN", venue))
    rounded = inst.round_price(price, mode).value
    assert inst.is_valid_price(rounded)
    if mode is PriceRounding.DOWN:
        assert rounded <= price or rounded == inst.tick_size(price)
    if mode is PriceRounding.UP:
        assert rounded >= price


@given(venues, quantities, st.sampled_from(list(OrderSide)))
def test_quantity_rounding_never_exceeds_the_request(
    venue: Venue, qty: Decimal, side: OrderSide
) -> None:
    inst = Instrument.for_venue(InstrumentId("SYN", venue))
    rounded = inst.round_quantity(qty, side).value
    assert 0 <= rounded <= qty
    assert qty - rounded < inst.lot_for(side)
    assert rounded % inst.lot_for(side) == 0
