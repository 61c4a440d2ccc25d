"""Fill simulator rules: market, limit and stop fills, gaps, partial fills, latency, rejections."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from ouroboros.domain import (
    ClientOrderId,
    Currency,
    Instrument,
    Money,
    Order,
    OrderSide,
    OrderType,
    Portfolio,
    Price,
    Quantity,
    TimeInForce,
)
from ouroboros.domain.events import OrderCanceled, OrderExpired, OrderFilled, OrderRejected
from ouroboros.execution.fees import DEFAULT_FEES, FeeSchedule
from ouroboros.execution.simulator import BarPoint, FillAt, FillModel, FillSimulator

T0 = datetime(2026, 3, 2, 14, 30, tzinfo=UTC)
AAPL = Instrument.for_venue("AAPL.NASDAQ")
SAMSUNG = Instrument.for_venue("005930.KRX")


def sim(model: FillModel | None = None, cash: str = "100000", shares: int = 0) -> FillSimulator:
    books = Portfolio(Currency.USD)
    books.deposit(Money.of(cash, "USD"))
    books.deposit(Money.of("100000000", "KRW"))
    s = FillSimulator(
        {AAPL.id: AAPL, SAMSUNG.id: SAMSUNG},
        lambda _i: FeeSchedule.flat("0.001"),
        model or FillModel.frictionless(),
        books,
    )
    if shares:
        buy = order(OrderSide.BUY, shares, "M0")
        s.submit(buy, T0, Decimal(100))
        s.on_open(AAPL.id, bar(100, 100, 100, 100))
        s.drain()
    return s


def bar(o: float, h: float, low: float, c: float, v: float = 1e6, ts: datetime = T0) -> BarPoint:
    return BarPoint.from_floats(ts, o, h, low, c, v)


def order(
    side: OrderSide,
    qty: int,
    cid: str,
    kind: OrderType = OrderType.MARKET,
    limit: str | None = None,
    stop: str | None = None,
    inst: Instrument = AAPL,
    tif: TimeInForce = TimeInForce.DAY,
) -> Order:
    return Order(
        ClientOrderId(cid),
        inst.id,
        side,
        kind,
        Quantity.of(qty),
        T0,
        limit_price=Price.of(limit) if limit else None,
        stop_price=Price.of(stop) if stop else None,
        time_in_force=tif,
    )


def fills(s: FillSimulator) -> list[tuple[str, Decimal, Decimal]]:
    return [
        (e.fill.client_order_id.value, e.fill.quantity.value, e.fill.price.value)
        for e in s.drain()
        if isinstance(e, OrderFilled)
    ]


def test_market_buy_pays_half_spread_plus_slippage_rounded_up_to_the_tick() -> None:
    s = sim(FillModel(spread_pct=Decimal("0.0005"), slippage_pct=Decimal("0.0015")))
    s.submit(order(OrderSide.BUY, 10, "A"), T0, Decimal(100))
    s.on_open(AAPL.id, bar(100.00, 101, 99, 100.5))
    # 100 * (1 + 0.00025 + 0.0015) = 100.175 -> 100.18
    assert fills(s) == [("A", Decimal(10), Decimal("100.18"))]


def test_limit_buy_gapping_below_the_limit_fills_at_the_open() -> None:
    s = sim()
    s.submit(order(OrderSide.BUY, 5, "L", OrderType.LIMIT, limit="95.00"), T0, None)
    s.on_bar(AAPL.id, bar(93, 96, 92, 95.5))
    assert fills(s) == [("L", Decimal(5), Decimal("93"))]


def test_limit_buy_inside_the_range_fills_at_the_limit_and_out_of_range_rests() -> None:
    s = sim()
    s.submit(order(OrderSide.BUY, 5, "L", OrderType.LIMIT, limit="95.00"), T0, None)
    s.on_bar(AAPL.id, bar(98, 99, 96, 97))
    assert fills(s) == []
    s.on_bar(AAPL.id, bar(97, 98, 94, 96))
    assert fills(s) == [("L", Decimal(5), Decimal("95.00"))]


def test_sell_stop_gapping_through_fills_at_the_worse_open() -> None:
    s = sim(shares=10)
    s.submit(
        order(OrderSide.SELL, 10, "S", OrderType.STOP, stop="90.00", tif=TimeInForce.GTC), T0, None
    )
    s.on_bar(AAPL.id, bar(85, 88, 84, 86))
    assert fills(s) == [("S", Decimal(10), Decimal("85"))]


def test_sell_stop_touched_intrabar_fills_at_the_stop() -> None:
    s = sim(shares=10)
    s.submit(
        order(OrderSide.SELL, 10, "S", OrderType.STOP, stop="90.00", tif=TimeInForce.GTC), T0, None
    )
    s.on_bar(AAPL.id, bar(95, 96, 89, 91))
    assert fills(s) == [("S", Decimal(10), Decimal("90.00"))]


def test_stop_limit_triggers_then_waits_for_its_limit() -> None:
    s = sim(shares=10)
    s.submit(
        order(OrderSide.SELL, 10, "SL", OrderType.STOP_LIMIT, limit="92.00", stop="90.00"), T0, None
    )
    s.on_bar(AAPL.id, bar(88, 91, 87, 89))  # triggered, 92 never reached
    assert fills(s) == []
    s.on_bar(AAPL.id, bar(90, 93, 89, 92))
    assert fills(s) == [("SL", Decimal(10), Decimal("92.00"))]


def test_partial_fills_follow_the_participation_cap_and_the_rest_expires_at_the_close() -> None:
    s = sim(
        FillModel.frictionless().__class__(
            spread_pct=Decimal(0), slippage_pct=Decimal(0), participation_rate=Decimal("0.1")
        )
    )
    s.submit(order(OrderSide.BUY, 250, "P"), T0, Decimal(100))
    s.on_open(AAPL.id, bar(100, 100, 100, 100, v=1000))
    assert fills(s) == [("P", Decimal(100), Decimal("100"))]
    s.on_open(AAPL.id, bar(101, 101, 101, 101, v=1000, ts=T0 + timedelta(days=1)))
    assert fills(s) == [("P", Decimal(100), Decimal("101"))]
    s.end_of_session({AAPL.id}, T0 + timedelta(days=1, hours=7))
    assert [type(e) for e in s.drain()] == [OrderExpired]


def test_a_resting_gtc_limit_under_the_participation_cap_fills_on_every_bar() -> None:
    """Regression: the per-bar count was reset only at the open, which resting orders never see,
    so a limit filled one bar's share and then never again."""
    s = sim(
        FillModel(spread_pct=Decimal(0), slippage_pct=Decimal(0), participation_rate=Decimal("0.1"))
    )
    limit = order(OrderSide.BUY, 250, "G", OrderType.LIMIT, limit="100.00", tif=TimeInForce.GTC)
    s.submit(limit, T0, None)
    got = []
    for day in range(4):
        s.on_bar(AAPL.id, bar(101, 102, 99, 100, v=1000, ts=T0 + timedelta(days=day)))
        got.append([q for _cid, q, _p in fills(s)])
    assert got == [[Decimal(100)], [Decimal(100)], [Decimal(50)], []]
    assert not s.is_working(ClientOrderId("G"))


def test_a_stop_cut_short_by_the_cap_keeps_filling_on_later_bars_never_twice_on_one() -> None:
    s = sim(
        FillModel(spread_pct=Decimal(0), slippage_pct=Decimal(0), participation_rate=Decimal("0.1"))
    )
    stop = order(OrderSide.BUY, 250, "ST", OrderType.STOP, stop="101.00", tif=TimeInForce.GTC)
    assert s.submit(stop, T0, Decimal(101))
    s.on_bar(AAPL.id, bar(100, 102, 99, 101, v=1000))
    s.on_bar(AAPL.id, bar(100, 102, 99, 101, v=1000))  # the same bar again adds nothing
    s.on_bar(AAPL.id, bar(100, 102, 99, 101, v=1000, ts=T0 + timedelta(days=1)))
    assert [q for _c, q, _p in fills(s)] == [Decimal(100), Decimal(100)]


def test_latency_delays_the_first_tradable_bar() -> None:
    s = sim(FillModel(spread_pct=Decimal(0), slippage_pct=Decimal(0), latency=timedelta(minutes=2)))
    s.submit(order(OrderSide.BUY, 1, "LAT"), T0, Decimal(100))
    s.on_open(AAPL.id, bar(100, 100, 100, 100, ts=T0 + timedelta(minutes=1)))
    assert fills(s) == []
    s.on_open(AAPL.id, bar(102, 102, 102, 102, ts=T0 + timedelta(minutes=2)))
    assert fills(s) == [("LAT", Decimal(1), Decimal("102"))]


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (order(OrderSide.BUY, 10_000, "C1"), "insufficient cash"),
        (order(OrderSide.SELL, 1, "C2"), "insufficient shares"),
        (order(OrderSide.BUY, 1, "C3", OrderType.LIMIT, limit="100.005"), "off the tick grid"),
        (
            order(OrderSide.BUY, 1, "C4", OrderType.LIMIT, limit="71250", inst=SAMSUNG),
            "off the tick grid",
        ),
    ],
)
def test_rejections_carry_a_reason(bad: Order, reason: str) -> None:
    s = sim()
    assert not s.submit(bad, T0, Decimal(100))
    events = s.drain()
    assert isinstance(events[0], OrderRejected)
    assert reason in events[0].reason


def test_closed_market_rejects() -> None:
    s = FillSimulator(
        {AAPL.id: AAPL},
        lambda _i: FeeSchedule(),
        FillModel(),
        Portfolio(Currency.USD),
        market_open=lambda _i, _t: False,
    )
    assert not s.submit(order(OrderSide.BUY, 1, "X"), T0, Decimal(1))
    assert "market closed" in s.drain()[0].reason  # type: ignore[union-attr]


def test_one_cancels_other_protective_pair() -> None:
    s = sim(shares=10)
    stop = order(OrderSide.SELL, 10, "STOP", OrderType.STOP, stop="90.00", tif=TimeInForce.GTC)
    take = order(OrderSide.SELL, 10, "TP", OrderType.LIMIT, limit="110.00", tif=TimeInForce.GTC)
    assert s.submit(stop, T0, None)
    assert s.submit(take, T0, None, oco_with=stop.client_order_id)
    s.drain()
    s.on_bar(AAPL.id, bar(105, 111, 104, 110))
    events = s.drain()
    assert [type(e) for e in events] == [OrderFilled, OrderCanceled]
    assert not s.working_orders()


def test_close_mode_fills_market_orders_at_the_close() -> None:
    s = sim(FillModel.frictionless(FillAt.CLOSE))
    s.submit(order(OrderSide.BUY, 3, "CL"), T0, Decimal(100))
    s.on_close(AAPL.id, bar(100, 105, 99, 104))
    assert fills(s) == [("CL", Decimal(3), Decimal("104"))]


def test_default_fee_schedules_round_up_and_charge_sell_taxes() -> None:
    krx = DEFAULT_FEES[SAMSUNG.venue]
    buy = krx.fee(OrderSide.BUY, Price.of(71200), Quantity.of(10), Currency.KRW)
    sell = krx.fee(OrderSide.SELL, Price.of(71200), Quantity.of(10), Currency.KRW)
    assert buy == Money.of(107, "KRW")  # 712,000 x 0.015 % = 106.8 -> 107
    assert sell == Money.of(107 + 1424, "KRW")  # + 0.20 % transaction tax
