"""trade_updates into the adapter's events, and the polling fallback while the stream is down."""

from __future__ import annotations

import asyncio

from ouroboros.brokers.alpaca.stream import TradeUpdateStream
from ouroboros.domain.events import OrderCanceled, OrderFilled
from ouroboros.domain.orders import OrderSide
from ouroboros.sandbox.alpaca import AlpacaSandbox

from .conftest import MakeBroker
from .test_adapter import order


def stream_for(box: AlpacaSandbox, **kw: object) -> TradeUpdateStream:
    return TradeUpdateStream(box.trade_stream_url, box.config.key_id, box.config.secret_key, **kw)  # type: ignore[arg-type]


async def until(condition: object, what: str) -> None:
    for _ in range(2000):  # up to 20 s on a loaded machine
        if condition():  # type: ignore[operator]
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"timed out waiting for {what}")


async def test_fills_and_cancels_arrive_over_the_stream(
    sandbox: AlpacaSandbox, make_broker: MakeBroker
) -> None:
    stream = stream_for(sandbox)
    broker = await make_broker(stream=stream, poll_interval=3600)
    await asyncio.wait_for(stream.up.wait(), 30)
    await until(lambda: any(c.listening for c in sandbox.hub.conns), "listening")
    resting = order("s-1", OrderSide.BUY, "2", "185.00")
    await broker.submit(resting)
    broker.drain_events()
    sandbox.set_price("AAPL", "184.00")  # the resting order fills at the venue
    events: list[object] = []
    await until(lambda: events.extend(broker.drain_events()) or events, "a pushed fill")
    [fill] = [e for e in events if isinstance(e, OrderFilled)]
    assert fill.fill.client_order_id.value == "s-1"
    assert fill.fill.quantity.value == 2
    [report] = await broker.fill_reports()  # the same execution polled: not booked twice
    assert report.fill_id == fill.fill.fill_id
    assert not [e for e in broker.drain_events() if isinstance(e, OrderFilled)]
    assert broker.polls == 0


async def test_polling_takes_over_while_the_stream_is_down(
    sandbox: AlpacaSandbox, make_broker: MakeBroker
) -> None:
    stream = stream_for(sandbox, backoff=(3600.0, 3600.0))  # stays down once dropped
    broker = await make_broker(stream=stream, poll_interval=0.02)
    await asyncio.wait_for(stream.up.wait(), 30)
    resting = order("d-1", OrderSide.BUY, "2", "150.00")
    await broker.submit(resting)
    await until(lambda: any(c.listening for c in sandbox.hub.conns), "listening")
    assert sandbox.drop_streams() == 1
    await until(lambda: not stream.healthy, "the drop to be seen")
    sandbox.set_price("AAPL", "149.00")
    events: list[object] = []
    await until(
        lambda: (
            events.extend(broker.drain_events()) or any(isinstance(e, OrderFilled) for e in events)
        ),
        "a polled fill",
    )
    assert broker.polls >= 1
    assert stream.drops == 1


async def test_cancel_event_from_the_stream(
    sandbox: AlpacaSandbox, make_broker: MakeBroker
) -> None:
    stream = stream_for(sandbox)
    broker = await make_broker(stream=stream, poll_interval=3600)
    await asyncio.wait_for(stream.up.wait(), 30)
    await until(lambda: any(c.listening for c in sandbox.hub.conns), "listening")
    resting = order("sc-1", OrderSide.BUY, "1", "150.00")
    await broker.submit(resting)
    venue_id = sandbox.orders()[0].id
    sandbox.book.cancel(venue_id)  # canceled at the venue, not by us
    events: list[object] = []
    await until(
        lambda: (
            events.extend(broker.drain_events())
            or any(isinstance(e, OrderCanceled) for e in events)
        ),
        "cancel",
    )


async def test_bad_keys_stop_the_stream_for_good(sandbox: AlpacaSandbox) -> None:
    stream = TradeUpdateStream(sandbox.trade_stream_url, "wrong", "keys")
    await asyncio.wait_for(stream.run(), 10)
    assert stream.failure is not None
    assert "not authorized" in str(stream.failure)
