"""Reconciliation as a pure function: every difference typed, the safe ones adopted, the rest
refused with a message that says why."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from ouroboros.domain.currency import Currency
from ouroboros.domain.events import OrderAccepted, OrderCanceled, OrderFilled, OrderRejected
from ouroboros.domain.fills import Fill
from ouroboros.domain.ids import ClientOrderId, InstrumentId, VenueOrderId
from ouroboros.domain.money import Money, Price, Quantity
from ouroboros.domain.orders import Order, OrderEventKind, OrderSide, OrderStatus, OrderType
from ouroboros.execution.fees import FeeTolerance
from ouroboros.execution.ports import BalanceReport, OrderReport, PositionReport
from ouroboros.execution.reconcile import (
    BrokerBooks,
    DifferenceKind,
    OurBooks,
    ReconciliationError,
    catch_up,
    reconcile,
)

T0 = datetime(2026, 11, 20, 0, 0, tzinfo=UTC)
SAMSUNG = InstrumentId.parse("005930.KRX")
HYNIX = InstrumentId.parse("000660.KRX")


def order(
    cid: str, qty: int = 10, *, side: OrderSide = OrderSide.BUY, accepted: bool = True
) -> Order:
    o = Order(ClientOrderId(cid), SAMSUNG, side, OrderType.MARKET, Quantity(Decimal(qty)), T0)
    o.apply(OrderEventKind.SUBMIT, T0)
    if accepted:
        o.venue_order_id = VenueOrderId(f"V{cid}")
        o.apply(OrderEventKind.ACCEPT, T0)
    return o


def fill(cid: str, qty: int, price: str, n: int = 1, side: OrderSide = OrderSide.BUY) -> Fill:
    return Fill(
        f"F-{cid}-{n}",
        ClientOrderId(cid),
        SAMSUNG,
        side,
        Quantity(Decimal(qty)),
        Price(Decimal(price)),
        Money.zero(Currency.KRW),
        T0 + timedelta(minutes=n),
    )


def report(
    cid: str | None, qty: int, filled: int, status: OrderStatus, iid: InstrumentId = SAMSUNG
) -> OrderReport:
    return OrderReport(
        client_order_id=None if cid is None else ClientOrderId(cid),
        venue_order_id=VenueOrderId(f"V{cid or 'X'}"),
        instrument_id=iid,
        side=OrderSide.BUY,
        order_type=OrderType.MARKET,
        quantity=Quantity(Decimal(qty)),
        filled_quantity=Quantity(Decimal(filled)),
        status=status,
        ts=T0,
    )


def books(
    orders: list[OrderReport],
    fills: list[Fill],
    positions: dict[InstrumentId, int],
    krw: str = "1000000",
) -> BrokerBooks:
    return BrokerBooks(
        orders,
        fills,
        [PositionReport(i, Decimal(q), Decimal(0)) for i, q in positions.items()],
        [BalanceReport(Currency.KRW, Decimal(krw), Decimal(krw))],
    )


def test_identical_books_agree() -> None:
    o = order("a")
    f = fill("a", 10, "70000")
    o.apply_fill(f.quantity, f.price, f.ts)
    ours = OurBooks([o], [f], {SAMSUNG: Decimal(10)}, {Currency.KRW: Decimal(300000)})
    rec = reconcile(
        ours,
        books([report("a", 10, 10, OrderStatus.FILLED)], [f], {SAMSUNG: 10}, "300000"),
        T0,
        adopt_cash=False,
    )
    assert rec.agrees
    assert rec.adoptions == ()
    rec.raise_if_irreconcilable("test")


def test_missed_fill_is_adopted_and_explains_position_and_cash() -> None:
    """Down while the order filled: the fill is booked, the position and cash then agree."""
    o = order("a")
    f = fill("a", 10, "70000")
    ours = OurBooks([o], [], {}, {Currency.KRW: Decimal(1_000_000)})
    theirs = books([report("a", 10, 10, OrderStatus.FILLED)], [f], {SAMSUNG: 10}, "300000")
    rec = reconcile(ours, theirs, T0, adopt_cash=False)
    assert [type(e) for e in rec.adoptions] == [OrderFilled]
    assert {d.kind for d in rec.differences} == {DifferenceKind.MISSED_FILL}
    assert all(d.adoptable for d in rec.differences)
    rec.raise_if_irreconcilable("test")


def test_open_order_settled_at_broker_with_fills_first_then_cancel() -> None:
    o = order("a")
    partial = fill("a", 4, "70100")
    theirs = books([report("a", 10, 4, OrderStatus.CANCELED)], [partial], {SAMSUNG: 4}, "719600")
    rec = reconcile(
        OurBooks([o], [], {}, {Currency.KRW: Decimal(1_000_000)}), theirs, T0, adopt_cash=False
    )
    assert [type(e) for e in rec.adoptions] == [OrderFilled, OrderCanceled]
    kinds = [d.kind for d in rec.differences]
    assert kinds == [DifferenceKind.MISSED_FILL, DifferenceKind.ORDER_SETTLED]
    assert rec.agrees is False
    assert rec.irreconcilable == []


def test_in_flight_order_is_bound_then_filled() -> None:
    o = order("a", accepted=False)
    f = fill("a", 10, "70000")
    events, diffs = catch_up(o, set(), report("a", 10, 10, OrderStatus.FILLED), [f], T0)
    assert [type(e) for e in events] == [OrderAccepted, OrderFilled]
    assert diffs[0].kind is DifferenceKind.ORDER_ACCEPTED


def test_terminal_report_waits_for_its_fills() -> None:
    """Never close an order before every fill the broker counts is booked."""
    o = order("a")
    events, diffs = catch_up(o, set(), report("a", 10, 6, OrderStatus.CANCELED), [], T0)
    assert events == []
    assert [d.kind for d in diffs] == [DifferenceKind.FILLED_QUANTITY]


def test_refusal_of_an_accepted_order_closes_it_as_canceled() -> None:
    o = order("a")
    events, _ = catch_up(o, set(), report("a", 10, 0, OrderStatus.REJECTED), [], T0)
    assert isinstance(events[0], OrderCanceled)
    pending = order("b", accepted=False)
    events, _ = catch_up(pending, set(), report("b", 10, 0, OrderStatus.REJECTED), [], T0)
    assert isinstance(events[0], OrderRejected)


def test_order_that_never_reached_the_broker_is_closed() -> None:
    lost = order("a", accepted=False)
    rec = reconcile(OurBooks([lost], [], {}), books([], [], {}), T0, adopt_cash=True)
    assert [type(e) for e in rec.adoptions] == [OrderRejected]
    assert rec.differences[0].kind is DifferenceKind.ORDER_NEVER_ARRIVED
    rec.raise_if_irreconcilable("test")


def test_accepted_order_missing_at_broker_is_irreconcilable() -> None:
    rec = reconcile(OurBooks([order("a")], [], {}), books([], [], {}), T0, adopt_cash=True)
    assert [d.kind for d in rec.irreconcilable] == [DifferenceKind.ORDER_MISSING]


def test_unknown_order_and_unexplained_position_refuse_to_start() -> None:
    """An order placed by hand (no client id) that bought 5 shares: two reasons to refuse."""
    foreign = Fill(
        "F-x",
        ClientOrderId("KIS-0000100009"),
        HYNIX,
        OrderSide.BUY,
        Quantity(Decimal(5)),
        Price(Decimal(180000)),
        Money.zero(Currency.KRW),
        T0,
    )
    theirs = books([report(None, 5, 5, OrderStatus.FILLED, HYNIX)], [foreign], {HYNIX: 5})
    rec = reconcile(OurBooks([], [], {}), theirs, T0, adopt_cash=True)
    kinds = {d.kind for d in rec.irreconcilable}
    assert kinds == {
        DifferenceKind.UNKNOWN_ORDER,
        DifferenceKind.UNKNOWN_FILL,
        DifferenceKind.POSITION,
    }
    with pytest.raises(ReconciliationError) as refused:
        rec.raise_if_irreconcilable("session start")
    message = str(refused.value)
    assert "refusing to trade" in message
    assert "000660.KRX: the broker holds 5, our fills explain 0" in message
    assert "never created" in message
    assert len(refused.value.differences) == 3


def test_baseline_explains_holdings_from_earlier_sessions() -> None:
    theirs = books([], [], {SAMSUNG: 7})
    rec = reconcile(
        OurBooks([], [], {}), theirs, T0, adopt_cash=True, baseline={SAMSUNG: Decimal(7)}
    )
    assert rec.agrees


def test_cash_difference_adopted_at_start_refused_at_end() -> None:
    ours = OurBooks([], [], {}, {Currency.KRW: Decimal(1_000_000)})
    theirs = books([], [], {}, "999000")
    start = reconcile(ours, theirs, T0, adopt_cash=True)
    assert [d.kind for d in start.differences] == [DifferenceKind.CASH]
    assert start.irreconcilable == []
    assert start.broker_cash == {Currency.KRW: Decimal(999000)}
    end = reconcile(ours, theirs, T0, adopt_cash=False)
    assert [d.kind for d in end.irreconcilable] == [DifferenceKind.CASH]
    assert end.irreconcilable[0].ours == "1000000"
    assert end.irreconcilable[0].theirs == "999000"


def test_fill_we_booked_that_the_broker_does_not_report_is_irreconcilable() -> None:
    o = order("a")
    f = fill("a", 10, "70000")
    o.apply_fill(f.quantity, f.price, f.ts)
    theirs = books([report("a", 10, 10, OrderStatus.FILLED)], [], {SAMSUNG: 10})
    rec = reconcile(OurBooks([o], [f], {SAMSUNG: Decimal(10)}), theirs, T0, adopt_cash=False)
    assert DifferenceKind.FILL_CONFLICT in {d.kind for d in rec.irreconcilable}


def test_more_fills_at_broker_than_the_order_allows_is_a_conflict() -> None:
    o = order("a", qty=5)
    fills = [fill("a", 5, "70000", 1), fill("a", 5, "70000", 2)]
    events, diffs = catch_up(o, set(), report("a", 10, 10, OrderStatus.FILLED), fills, T0)
    assert [type(e) for e in events] == [OrderFilled]
    assert DifferenceKind.FILL_CONFLICT in {d.kind for d in diffs}


def test_difference_payload_is_plain_json() -> None:
    o = order("a")
    rec = reconcile(OurBooks([o], [], {}), books([], [], {}), T0, adopt_cash=True)
    payload = rec.differences[0].as_payload()
    assert payload["kind"] == "order_missing"
    assert payload["adoptable"] is False
    assert payload["client_order_id"] == "a"
    assert all(isinstance(v, str | bool) for v in payload.values())


def _filled_books(our_cash: str, broker_cash: str) -> tuple[OurBooks, BrokerBooks]:
    """A 10 x 70,000 KRW sell whose modelled fee (1,505 KRW: 0.015 % + 0.20 %) is in our cash."""
    o = order("a", side=OrderSide.SELL)
    f = replace(fill("a", 10, "70000", side=OrderSide.SELL), fee=Money(Decimal(1505), Currency.KRW))
    o.apply_fill(f.quantity, f.price, f.ts)
    ours = OurBooks([o], [f], {}, {Currency.KRW: Decimal(our_cash)})
    theirs = books([report("a", 10, 10, OrderStatus.FILLED)], [f], {}, broker_cash)
    return ours, theirs


def test_a_small_cash_gap_the_fees_explain_is_adopted_as_a_fee_adjustment() -> None:
    """The broker took 140 KRW more than the modelled 1,505 (its tax rate is a little higher):
    within 25 % of the modelled fees + 1 KRW for the fill."""
    ours, theirs = _filled_books("1698495", "1698355")
    rec = reconcile(ours, theirs, T0, adopt_cash=False, fee_tolerance=FeeTolerance())
    assert rec.irreconcilable == [], [d.message for d in rec.differences]
    assert [d.kind for d in rec.differences] == [DifferenceKind.FEE_ADJUSTMENT]
    assert rec.fee_adjustments == {Currency.KRW: Decimal(-140)}
    assert "within the 377" in rec.differences[0].message


def test_a_cash_gap_larger_than_the_fee_tolerance_stays_irreconcilable() -> None:
    """A broker that charged no fee at all: the whole 1,505 KRW is more than 377."""
    ours, theirs = _filled_books("1698495", "1700000")
    rec = reconcile(ours, theirs, T0, adopt_cash=False, fee_tolerance=FeeTolerance())
    assert [d.kind for d in rec.irreconcilable] == [DifferenceKind.CASH]
    assert "more than the 377 fees can explain" in rec.irreconcilable[0].message
    assert rec.fee_adjustments == {}


def test_a_cash_gap_with_no_fills_is_never_a_fee_adjustment() -> None:
    ours = OurBooks([], [], {}, {Currency.KRW: Decimal(1_000_000)})
    rec = reconcile(
        ours, books([], [], {}, "999999"), T0, adopt_cash=False, fee_tolerance=FeeTolerance()
    )
    assert [d.kind for d in rec.irreconcilable] == [DifferenceKind.CASH]


def test_cash_on_one_side_only_is_reported_not_skipped() -> None:
    """Regression: a broker balance in a currency the books do not keep, and our cash in one the
    broker does not report, were skipped without a word."""
    ours = OurBooks([], [], {}, {Currency.KRW: Decimal(1_000_000), Currency.JPY: Decimal(500)})
    theirs = books([], [], {})
    theirs = BrokerBooks(
        [], [], [], [*theirs.balances, BalanceReport(Currency.USD, Decimal(250), Decimal(250))]
    )
    rec = reconcile(ours, theirs, T0, adopt_cash=False)
    assert rec.agrees
    assert rec.notes == (
        "USD cash: 250 at the broker, in a currency these books do not keep (left alone)",
        "JPY cash: 500 in our books, the broker reports no JPY cash (not compared)",
    )
