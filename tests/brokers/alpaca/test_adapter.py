"""AlpacaBroker behaviours beyond the shared contract: wash trades, replace chains, cancel
latency, 429s, fractional and long ids, reports, calendar cross-check."""

from __future__ import annotations

import asyncio
import datetime as dt
from decimal import Decimal

import pytest

from ouroboros.brokers.alpaca import venue_info
from ouroboros.brokers.alpaca.errors import AlpacaRateLimited
from ouroboros.domain.events import OrderCanceled, OrderFilled
from ouroboros.domain.ids import ClientOrderId, InstrumentId
from ouroboros.domain.money import Price, Quantity
from ouroboros.domain.orders import Order, OrderSide, OrderStatus, OrderType, TimeInForce
from ouroboros.errors import ConfigError, OutcomeUnknown
from ouroboros.markets.registry import get_calendar
from ouroboros.sandbox.alpaca import AlpacaSandbox

from .conftest import MakeBroker

AAPL = InstrumentId.parse("AAPL.NASDAQ")
T0 = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)


def order(cid: str, side: OrderSide, qty: str, limit: str | None = None, **kw: object) -> Order:
    kind = OrderType.MARKET if limit is None else OrderType.LIMIT
    return Order(
        ClientOrderId(cid),
        AAPL,
        side,
        kind,
        Quantity(Decimal(qty)),
        T0,
        limit_price=None if limit is None else Price(Decimal(limit)),
        **kw,  # type: ignore[arg-type]
    )


async def test_wash_trade_is_refused_once_with_its_reason(
    sandbox: AlpacaSandbox, make_broker: MakeBroker
) -> None:
    broker = await make_broker()
    await broker.submit(order("w-buy", OrderSide.BUY, "5"))
    await broker.submit(order("w-sell", OrderSide.SELL, "5", "200.00"))
    requests = sandbox.gateway.requests
    ack = await broker.submit(order("w-buy2", OrderSide.BUY, "1", "201.00"))
    assert not ack.accepted
    assert "wash trade" in ack.reason
    assert "AAPL" in ack.reason
    assert sandbox.gateway.requests == requests + 1  # one POST, no loop
    assert [o.status for o in sandbox.orders()] == ["filled", "new"]


async def test_wash_trade_policy_cancel_opposite_cancels_then_sends_once(
    sandbox: AlpacaSandbox, make_broker: MakeBroker
) -> None:
    broker = await make_broker(wash_trade="cancel_opposite")
    await broker.submit(order("c-buy", OrderSide.BUY, "5"))
    await broker.submit(order("c-sell", OrderSide.SELL, "5", "200.00"))
    ack = await broker.submit(order("c-buy2", OrderSide.BUY, "1", "201.00"))
    assert ack.accepted
    assert [o.status for o in sandbox.orders()] == ["filled", "canceled", "filled"]


async def test_replace_moves_to_a_new_order_and_keeps_our_id(
    sandbox: AlpacaSandbox, make_broker: MakeBroker
) -> None:
    broker = await make_broker()
    resting = order("r-1", OrderSide.BUY, "4", "180.00")
    first = await broker.submit(resting)
    second = await broker.modify(resting, Quantity.of(6), Price.of("181.00"))
    assert second.accepted
    assert second.venue_order_id != first.venue_order_id
    [old, new] = sandbox.orders()
    assert (old.status, new.status, new.client_order_id) == ("replaced", "new", "r-1.r1")
    sandbox.set_price("AAPL", "180.50")
    [report] = await broker.order_reports()
    assert (report.client_order_id, report.status) == (ClientOrderId("r-1"), OrderStatus.FILLED)
    assert report.quantity == Quantity.of(6)
    assert report.limit_price == Price.of("181")
    fills = await broker.fill_reports()
    assert [(f.client_order_id.value, f.quantity.value) for f in fills] == [("r-1", 6)]
    third = await broker.modify(resting, None, Price.of("182.00"))
    assert not third.accepted
    assert "filled" in third.reason


async def test_cancel_waits_for_canceled(sandbox: AlpacaSandbox, make_broker: MakeBroker) -> None:
    sandbox.book.cancel_latency_steps = 2
    polls: list[float] = []

    async def sleep(seconds: float) -> None:  # each poll lets the venue move one step
        polls.append(seconds)
        sandbox.step()

    broker = await make_broker(sleep=sleep)
    resting = order("x-1", OrderSide.BUY, "2", "150.00")
    await broker.submit(resting)
    await broker.cancel(resting)
    assert len(polls) == 2
    assert sandbox.orders()[0].status == "canceled"
    assert any(isinstance(e, OrderCanceled) for e in broker.drain_events())


async def test_cancel_of_a_filled_order_is_a_cancel_rejected_event(make_broker: MakeBroker) -> None:
    broker = await make_broker()
    done = order("f-1", OrderSide.BUY, "1")
    await broker.submit(done)
    broker.drain_events()
    await broker.cancel(done)
    [event] = broker.drain_events()
    assert type(event).__name__ == "OrderCancelRejected"


async def test_429_on_submit_is_retried_and_places_one_order(
    sandbox: AlpacaSandbox, make_broker: MakeBroker
) -> None:
    broker = await make_broker()
    sandbox.queue_fault("429", count=2, path_contains="/v2/orders", method="POST")
    ack = await broker.submit(order("rl-1", OrderSide.BUY, "1"))
    assert ack.accepted
    assert broker.client.rate_limited == 2
    assert len(sandbox.orders()) == 1


async def test_sandbox_rate_limit_answers_429_and_the_client_backs_off(
    sandbox: AlpacaSandbox, make_broker: MakeBroker
) -> None:
    broker = await make_broker()
    sandbox.config.rate_limit_per_minute = 3
    sandbox.gateway._window.clear()
    for _ in range(3):
        await broker.balance_reports()
    with pytest.raises(AlpacaRateLimited):
        await broker.balance_reports()  # the window lasts a minute: the retries give up
    assert broker.client.rate_limited == 4
    assert sandbox.gateway.rate_limited == 4


def test_default_pacing_stays_under_200_per_minute() -> None:
    from ouroboros.brokers.alpaca import AlpacaClient

    client = AlpacaClient("http://127.0.0.1:1", "k", "s")
    per_minute = client.limiter.max_rate * 60 / client.limiter.time_period
    assert client.limiter.max_rate + per_minute <= 200


async def test_in_flight_submit_is_found_by_client_order_id(
    sandbox: AlpacaSandbox, make_broker: MakeBroker
) -> None:
    broker = await make_broker()
    sandbox.queue_fault("timeout_after", path_contains="/v2/orders", method="POST")
    ack = await broker.submit(order("lost-1", OrderSide.BUY, "2", "150.00"))
    assert ack.accepted
    assert [o.client_order_id for o in sandbox.orders()] == ["lost-1"]


async def test_restart_after_a_lost_reply_resends_into_the_taken_id(
    sandbox: AlpacaSandbox, make_broker: MakeBroker
) -> None:
    first = await make_broker()
    intent = order("dup-1", OrderSide.BUY, "2", "150.00")
    await first.submit(intent)
    fresh = await make_broker()  # knows nothing: its POST meets the taken id (422)
    ack = await fresh.submit(intent)
    assert ack.accepted
    assert len(sandbox.orders()) == 1


async def test_local_checks_reject_before_sending(
    sandbox: AlpacaSandbox, make_broker: MakeBroker
) -> None:
    broker = await make_broker()
    frac = await broker.submit(order("fr-1", OrderSide.BUY, "0.5", "150.00"))
    assert not frac.accepted
    assert "fractional" in frac.reason
    long_id = await broker.submit(order("L" * 41, OrderSide.BUY, "1"))
    assert not long_id.accepted
    assert "40 characters" in long_id.reason
    assert sandbox.orders() == []
    ok = await broker.submit(order("fr-2", OrderSide.BUY, "0.5"))
    assert ok.accepted


async def test_positions_balances_and_fill_events(
    sandbox: AlpacaSandbox, make_broker: MakeBroker
) -> None:
    broker = await make_broker()
    await broker.submit(order("p-1", OrderSide.BUY, "3"))
    [position] = await broker.position_reports()
    assert (position.instrument_id, position.quantity) == (AAPL, 3)
    [balance] = await broker.balance_reports()
    assert balance.cash == Decimal(100_000) - 3 * Decimal(190)
    [fill] = await broker.fill_reports()
    assert fill.fill_id.endswith(":3")
    assert any(isinstance(e, OrderFilled) for e in broker.drain_events())


async def test_calendar_cross_check_reports_a_disagreement(
    sandbox: AlpacaSandbox, make_broker: MakeBroker
) -> None:
    broker = await make_broker()
    start, end = dt.date(2026, 1, 5), dt.date(2026, 1, 9)
    exchange = get_calendar("US_NYSE")
    days = await venue_info.calendar(broker.client, start, end)
    assert venue_info.disagreements(days, exchange, start, end) == []
    sandbox.trading.calendar_overrides[dt.date(2026, 1, 7)] = ("09:30", "13:00")
    days = await venue_info.calendar(broker.client, start, end)
    [diff] = venue_info.disagreements(days, exchange, start, end)
    assert diff.date == dt.date(2026, 1, 7)
    assert "18:00" in str(diff)
    clock = await venue_info.clock(broker.client)
    assert clock.is_open
    asset = await venue_info.asset(broker.client, "AAPL")
    assert asset is not None
    assert asset.fractionable
    assert await venue_info.asset(broker.client, "NOPE") is None


async def test_ioc_and_fok_time_in_force(sandbox: AlpacaSandbox, make_broker: MakeBroker) -> None:
    broker = await make_broker()
    sandbox.set_liquidity("AAPL", 2)
    await broker.submit(order("ioc-1", OrderSide.BUY, "5", "191.00", time_in_force=TimeInForce.IOC))
    await broker.submit(order("fok-1", OrderSide.BUY, "5", "191.00", time_in_force=TimeInForce.FOK))
    reports = {r.client_order_id.value: r for r in await broker.order_reports()}
    assert (reports["ioc-1"].status, reports["ioc-1"].filled_quantity) == (
        OrderStatus.CANCELED,
        Quantity.of(2),
    )
    assert (reports["fok-1"].status, reports["fok-1"].filled_quantity) == (
        OrderStatus.CANCELED,
        Quantity.zero(),
    )


async def test_bracket_exits_are_held_by_alpaca_and_report_under_our_id(
    sandbox: AlpacaSandbox, make_broker: MakeBroker
) -> None:
    broker = await make_broker()
    entry = order("br-1", OrderSide.BUY, "4", "185.00", time_in_force=TimeInForce.GTC)
    ack = await broker.submit_protected(entry, Price.of("200.00"), Price.of("180.00"))
    assert ack.accepted
    sandbox.set_price("AAPL", "185.00")
    reports = {r.client_order_id.value: r.status for r in await broker.order_reports()}
    accepted = OrderStatus.ACCEPTED
    assert reports == {"br-1": OrderStatus.FILLED, "br-1-tp": accepted, "br-1-sl": accepted}
    sandbox.set_price("AAPL", "201.00")
    reports = {r.client_order_id.value: r.status for r in await broker.order_reports()}
    assert (reports["br-1-tp"], reports["br-1-sl"]) == (OrderStatus.FILLED, OrderStatus.CANCELED)
    fills = {(f.client_order_id.value, f.side) for f in await broker.fill_reports()}
    assert fills == {("br-1", OrderSide.BUY), ("br-1-tp", OrderSide.SELL)}
    assert await broker.position_reports() == []
    ioc = order("br-2", OrderSide.BUY, "1", "185.00", time_in_force=TimeInForce.IOC)
    refused = await broker.submit_protected(ioc, None, Price.of("180.00"))
    assert not refused.accepted
    assert "DAY or GTC" in refused.reason


async def test_a_request_still_in_flight_is_not_resent_blindly(
    sandbox: AlpacaSandbox, make_broker: MakeBroker
) -> None:
    broker = await make_broker()
    sandbox.queue_fault("timeout", path_contains="/v2/orders", method="POST")  # held, then placed
    intent = order("fly-1", OrderSide.BUY, "2", "150.00")
    with pytest.raises(OutcomeUnknown):
        await broker.submit(intent)  # timed out; the lookup finds nothing yet
    for _ in range(200):
        if sandbox.orders():
            break
        await asyncio.sleep(0.01)
    ack = await broker.submit(intent)  # looked up first: the late order is found, not resent
    assert ack.accepted
    assert ack.venue_order_id is not None
    assert ack.venue_order_id.value == sandbox.orders()[0].id
    assert len(sandbox.orders()) == 1


async def test_bad_keys_fail_connect_with_a_config_error(sandbox: AlpacaSandbox) -> None:
    from ouroboros.brokers.alpaca import AlpacaBroker, AlpacaClient

    broker = AlpacaBroker(AlpacaClient(sandbox.base_url, "bad", "keys"), now=sandbox.clock.now)
    with pytest.raises(ConfigError, match="ALPACA_API_KEY"):
        await broker.connect()
    await broker.close()


async def test_a_fresh_adapter_learns_venues_from_assets(
    sandbox: AlpacaSandbox, make_broker: MakeBroker
) -> None:
    sandbox.book.submit(
        {"symbol": "IBM", "qty": "1", "side": "buy", "type": "market", "time_in_force": "day"}
    )
    broker = await make_broker()
    [report] = await broker.order_reports()
    assert str(report.instrument_id) == "IBM.NYSE"
    [fill] = await broker.fill_reports()
    assert str(fill.instrument_id) == "IBM.NYSE"
    [position] = await broker.position_reports()
    assert str(position.instrument_id) == "IBM.NYSE"


async def test_fills_since_a_time_include_older_orders(
    sandbox: AlpacaSandbox, make_broker: MakeBroker
) -> None:
    broker = await make_broker()
    await broker.submit(order("old-1", OrderSide.BUY, "2", "150.00", time_in_force=TimeInForce.GTC))
    sandbox.advance_clock(3600)
    since = sandbox.clock.now()
    sandbox.advance_clock(60)
    sandbox.set_price("AAPL", "149.00")
    [fill] = await broker.fill_reports(since)
    assert fill.client_order_id.value == "old-1"


async def test_modify_after_a_partial_fill_sends_the_rest(
    sandbox: AlpacaSandbox, make_broker: MakeBroker
) -> None:
    broker = await make_broker()
    sandbox.set_liquidity("AAPL", 2)
    intent = order("pm-1", OrderSide.BUY, "5", "191.00")
    await broker.submit(intent)
    ack = await broker.modify(intent, Quantity.of(6), None)
    assert ack.accepted
    assert sandbox.orders()[-1].qty == 4  # 6 wanted, 2 already filled on the replaced order
    [report] = await broker.order_reports()
    assert (report.quantity, report.filled_quantity) == (Quantity.of(6), Quantity.of(2))
    too_small = await broker.modify(intent, Quantity.of(2), None)
    assert not too_small.accepted
    assert "not above filled" in too_small.reason


async def test_a_replace_whose_answer_is_lost_is_found_by_lookup(
    sandbox: AlpacaSandbox, make_broker: MakeBroker
) -> None:
    broker = await make_broker()
    intent = order("rl-2", OrderSide.BUY, "3", "150.00")
    await broker.submit(intent)
    sandbox.queue_fault("5xx_after", path_contains="/v2/orders/", method="PATCH")
    ack = await broker.modify(intent, None, Price.of("151.00"))
    assert ack.accepted
    assert ack.venue_order_id is not None
    assert ack.venue_order_id.value == sandbox.orders()[-1].id
    assert [o.status for o in sandbox.orders()] == ["replaced", "new"]


async def test_a_cancel_whose_answer_is_lost_is_settled_by_polling(
    sandbox: AlpacaSandbox, make_broker: MakeBroker
) -> None:
    broker = await make_broker()
    intent = order("cl-2", OrderSide.BUY, "3", "150.00")
    await broker.submit(intent)
    sandbox.queue_fault("5xx_after", path_contains="/v2/orders/", method="DELETE")
    await broker.cancel(intent)
    assert any(isinstance(e, OrderCanceled) for e in broker.drain_events())
    sandbox.queue_fault("500", path_contains="/v2/orders/", method="DELETE")  # never arrived
    other = order("cl-3", OrderSide.BUY, "1", "150.00")
    await broker.submit(other)
    with pytest.raises(OutcomeUnknown):
        await broker.cancel(other)
    assert sandbox.orders()[-1].status == "new"
