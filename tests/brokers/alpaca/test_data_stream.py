"""Our market-data stream client on the sandbox's msgpack stream."""

from __future__ import annotations

import asyncio
import datetime as dt
from decimal import Decimal

from ouroboros.brokers.alpaca.data_stream import (
    MarketDataStream,
    StreamBar,
    StreamItem,
    StreamTrade,
    Subscription,
)
from ouroboros.sandbox.alpaca import AlpacaSandbox


async def until(condition: object, what: str) -> None:
    for _ in range(2000):  # up to 20 s on a loaded machine
        if condition():  # type: ignore[operator]
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"timed out waiting for {what}")


async def test_minute_bars_and_trades_arrive_and_survive_a_drop(sandbox: AlpacaSandbox) -> None:
    items: list[StreamItem] = []
    stream = MarketDataStream(
        sandbox.data_stream_url(), sandbox.config.key_id, sandbox.config.secret_key,
        Subscription(bars=["AAPL"], trades=["AAPL"]), backoff=(0.01, 0.05),
    )  # fmt: skip
    stream.listeners.append(items.append)
    stream.start()
    await asyncio.wait_for(stream.up.wait(), 30)
    sandbox.step()
    await until(lambda: any(isinstance(i, StreamBar) for i in items), "a minute bar")
    bar = next(i for i in items if isinstance(i, StreamBar))
    assert bar.symbol == "AAPL"
    assert bar.t == dt.datetime(2026, 1, 5, 15, 0, tzinfo=dt.UTC)
    assert bar.low <= bar.o <= bar.h
    sandbox.drop_streams()
    await until(lambda: stream.drops == 1 and stream.up.is_set(), "a reconnect")
    sandbox.set_price("AAPL", "190.55")
    await until(
        lambda: any(isinstance(i, StreamTrade) and i.price == Decimal("190.55") for i in items),
        "a trade after the reconnect",
    )
    await stream.stop()


async def test_bad_keys_stop_the_data_stream(sandbox: AlpacaSandbox) -> None:
    stream = MarketDataStream(sandbox.data_stream_url(), "bad", "keys", Subscription(bars=["*"]))
    await asyncio.wait_for(stream.run(), 10)
    assert stream.failure is not None
    assert "auth failed (402)" in str(stream.failure)
