"""The broker contract: behaviours every BrokerPort adapter must show, whatever the venue."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from ouroboros.domain.events import OrderAccepted, OrderCanceled, OrderFilled
from ouroboros.domain.ids import ClientOrderId
from ouroboros.domain.instrument import Instrument
from ouroboros.domain.money import Price, Quantity
from ouroboros.domain.orders import Order, OrderSide, OrderStatus, OrderType
from ouroboros.errors import RetryError
from ouroboros.execution.ports import BrokerPort, OrderReport

from .harness import FAULTS, BrokerHarness

CREATED = datetime(2026, 1, 5, tzinfo=UTC)


def order(h: BrokerHarness, cid: str, side: OrderSide, qty: int, limit: Decimal | None) -> Order:
    kind = OrderType.MARKET if limit is None else OrderType.LIMIT
    return Order(
        ClientOrderId(cid),
        h.instrument,
        side,
        kind,
        Quantity(Decimal(qty)),
        CREATED,
        limit_price=None if limit is None else Price(limit),
    )


def ticks_from(h: BrokerHarness, n: int) -> Decimal:
    return Instrument.for_venue(h.instrument).tick_table.step(h.price(), n)


async def report_for(broker: BrokerPort, cid: str) -> OrderReport:
    reports = {str(r.client_order_id): r for r in await broker.order_reports()}
    return reports[cid]


async def test_limit_away_from_the_market_rests(harness: BrokerHarness) -> None:
    broker = await harness.make_broker()
    ack = await broker.submit(order(harness, "rest-1", OrderSide.BUY, 4, ticks_from(harness, -5)))
    assert ack.accepted
    assert ack.venue_order_id is not None
    report = await report_for(broker, "rest-1")
    assert report.status is OrderStatus.ACCEPTED
    assert report.filled_quantity == Quantity.zero()
    [venue] = harness.venue_orders()
    assert venue.leaves == 4
    assert any(isinstance(e, OrderAccepted) for e in broker.drain_events())


async def test_marketable_order_fills(harness: BrokerHarness) -> None:
    broker = await harness.make_broker()
    ack = await broker.submit(order(harness, "mkt-1", OrderSide.BUY, 3, None))
    assert ack.accepted
    report = await report_for(broker, "mkt-1")
    assert report.status is OrderStatus.FILLED
    fills = [f for f in await broker.fill_reports() if str(f.client_order_id) == "mkt-1"]
    assert sum(f.quantity.value for f in fills) == 3
    positions = {str(p.instrument_id): p.quantity for p in await broker.position_reports()}
    assert positions[str(harness.instrument)] == 3
    assert any(isinstance(e, OrderFilled) for e in broker.drain_events())


async def test_partial_fill_then_the_rest(harness: BrokerHarness) -> None:
    broker = await harness.make_broker()
    harness.set_liquidity(Decimal(2))
    await broker.submit(order(harness, "part-1", OrderSide.BUY, 5, ticks_from(harness, 2)))
    report = await report_for(broker, "part-1")
    assert report.status is OrderStatus.PARTIALLY_FILLED
    assert report.filled_quantity == Quantity.of(2)
    harness.move_price(harness.price())
    report = await report_for(broker, "part-1")
    assert report.status is OrderStatus.FILLED
    fills = [f for f in await broker.fill_reports() if str(f.client_order_id) == "part-1"]
    assert [f.quantity.value for f in fills] == [2, 3]
    assert len({f.fill_id for f in fills}) == 2


async def test_cancel_a_resting_order(harness: BrokerHarness) -> None:
    broker = await harness.make_broker()
    resting = order(harness, "cxl-1", OrderSide.BUY, 4, ticks_from(harness, -5))
    await broker.submit(resting)
    await broker.cancel(resting)
    report = await report_for(broker, "cxl-1")
    assert report.status is OrderStatus.CANCELED
    assert all(v.leaves == 0 for v in harness.venue_orders())
    assert any(isinstance(e, OrderCanceled) for e in broker.drain_events())


async def test_off_tick_limit_is_rejected_with_a_reason(harness: BrokerHarness) -> None:
    broker = await harness.make_broker()
    tick = Instrument.for_venue(harness.instrument).tick_size(harness.price())
    ack = await broker.submit(order(harness, "bad-1", OrderSide.BUY, 1, harness.price() - tick / 2))
    assert not ack.accepted
    assert "tick" in ack.reason
    assert harness.venue_orders() == []


async def test_unaffordable_order_is_rejected_with_a_reason(harness: BrokerHarness) -> None:
    broker = await harness.make_broker()
    ack = await broker.submit(order(harness, "poor-1", OrderSide.BUY, 10**7, harness.price()))
    assert not ack.accepted
    assert ack.reason
    assert all(v.leaves == 0 for v in harness.venue_orders())
    again = await broker.submit(order(harness, "poor-1", OrderSide.BUY, 10**7, harness.price()))
    assert not again.accepted


async def test_restart_reconciles_open_orders_and_positions(harness: BrokerHarness) -> None:
    first = await harness.make_broker()
    await first.submit(order(harness, "keep-1", OrderSide.BUY, 2, ticks_from(harness, -4)))
    await first.submit(order(harness, "keep-2", OrderSide.BUY, 3, None))
    before = {
        str(r.client_order_id): (r.status, r.filled_quantity) for r in await first.order_reports()
    }
    positions_before = await first.position_reports()
    second = await harness.make_broker()
    after = {
        str(r.client_order_id): (r.status, r.filled_quantity) for r in await second.order_reports()
    }
    assert after == before
    assert after["keep-1"][0] is OrderStatus.ACCEPTED
    assert await second.position_reports() == positions_before


async def test_resubmitting_a_client_order_id_creates_no_second_order(
    harness: BrokerHarness,
) -> None:
    broker = await harness.make_broker()
    intent = order(harness, "idem-1", OrderSide.BUY, 2, ticks_from(harness, -3))
    first = await broker.submit(intent)
    second = await broker.submit(intent)
    restarted = await harness.make_broker()
    third = await restarted.submit(intent)
    assert first.venue_order_id == second.venue_order_id == third.venue_order_id
    assert len(harness.venue_orders()) == 1


@pytest.mark.parametrize("fault", FAULTS)
async def test_transient_fault_on_submit_never_duplicates(
    harness: BrokerHarness, fault: str
) -> None:
    if not harness.supports_faults:
        pytest.skip(f"{harness.name} cannot inject faults")
    broker = await harness.make_broker()
    intent = order(
        harness, f"flt-{fault.replace('_', '-')}", OrderSide.BUY, 7, ticks_from(harness, -3)
    )
    harness.inject_submit_fault(fault)
    ack = None
    for _ in range(40):
        try:
            ack = await broker.submit(intent)
            break
        except RetryError:
            await asyncio.sleep(0.05)  # an order manager retries later, with the same id
    assert ack is not None
    assert ack.accepted
    assert len(harness.venue_orders()) == 1
    report = await report_for(broker, intent.client_order_id.value)
    assert report.venue_order_id == ack.venue_order_id
