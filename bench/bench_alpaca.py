"""Alpaca sandbox throughput: order submits/s through our adapter (and raw httpx), bars/s
served by /v2/stocks/bars (paged, as the adapter and alpaca-py read them), and trade_updates
delivered/s over the stream.

Run: ``bash bench/run.sh bench/bench_alpaca.py``. The sandbox runs in its own process (as
``ouroboros alpaca-sandbox`` does; in-process, client and server share one GIL and the figures
say more about that than about either); client-side pacing is off.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import multiprocessing
import socket
import time
from decimal import Decimal

import httpx

from ouroboros.brokers.alpaca import AlpacaBroker, AlpacaClient
from ouroboros.brokers.alpaca.market_data import AlpacaMarketData
from ouroboros.brokers.alpaca.stream import TradeUpdateStream
from ouroboros.domain.ids import ClientOrderId, InstrumentId
from ouroboros.domain.money import Price, Quantity
from ouroboros.domain.orders import Order, OrderSide, OrderType
from ouroboros.sandbox.alpaca import AlpacaSandbox, SandboxConfig

AAPL = InstrumentId.parse("AAPL.NASDAQ")
T0 = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)


class Remote:
    """An AlpacaSandbox served by a child process; only its URLs and keys are known here."""

    def __init__(self) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.config = SandboxConfig()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.trade_stream_url = f"ws://127.0.0.1:{self.port}/stream"
        self.process = multiprocessing.Process(target=_serve, args=(self.port,), daemon=True)

    def __enter__(self) -> Remote:
        self.process.start()
        for _ in range(600):
            try:
                httpx.get(f"{self.base_url}/_sandbox/state", timeout=1)
                return self
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("sandbox process did not start")

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        self.process.join(10)

    def stats(self) -> object:
        return httpx.get(f"{self.base_url}/_sandbox/state", timeout=5).json()


def _serve(port: int) -> None:
    box = AlpacaSandbox(SandboxConfig(), port=port)
    box.book.cash = Decimal(10**9)
    box.serve_forever()


def client(box: Remote) -> AlpacaClient:
    return AlpacaClient(
        box.base_url, box.config.key_id, box.config.secret_key, requests_per_minute=10**9
    )


async def orders_per_second(box: Remote, count: int, concurrency: int) -> float:
    broker = AlpacaBroker(client(box), now=lambda: T0)
    await broker.connect()
    gate = asyncio.Semaphore(concurrency)

    async def one(i: int) -> None:
        async with gate:
            order = Order(
                ClientOrderId(f"bench-{concurrency}-{i}"), AAPL, OrderSide.BUY, OrderType.LIMIT,
                Quantity(Decimal(1)), T0, limit_price=Price(Decimal("150.00")),
            )  # fmt: skip
            ack = await broker.submit(order)
            assert ack.accepted, ack.reason

    start = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(count)))
    elapsed = time.perf_counter() - start
    await broker.close()
    return count / elapsed


async def bars_per_second(box: Remote, timeframe: str, days: int) -> tuple[float, int]:
    data = AlpacaMarketData(client(box))
    end = dt.datetime(2025, 12, 31, tzinfo=dt.UTC)
    start = end - dt.timedelta(days=days)
    t = time.perf_counter()
    bars = await data.bars(["AAPL", "MSFT", "SPY", "IBM"], timeframe, start, end)
    elapsed = time.perf_counter() - t
    total = sum(len(v) for v in bars.values())
    await data.close()
    return total / elapsed, total


def raw_bars_per_second(box: Remote) -> tuple[float, int]:
    """The sandbox alone: one 10k-bar page fetched and JSON-decoded, no model parsing."""
    headers = {"APCA-API-KEY-ID": box.config.key_id, "APCA-API-SECRET-KEY": box.config.secret_key}
    params = {"symbols": "AAPL,MSFT,SPY,IBM", "timeframe": "1Day", "limit": 10_000,
              "start": "2016-01-01T00:00:00Z", "end": "2025-12-31T00:00:00Z"}  # fmt: skip
    t = time.perf_counter()
    body = httpx.get(f"{box.base_url}/v2/stocks/bars", params=params, headers=headers).json()
    elapsed = time.perf_counter() - t
    total = sum(len(v) for v in body["bars"].values())
    return total / elapsed, total


async def updates_per_second(box: Remote, count: int) -> float:
    stream = TradeUpdateStream(box.trade_stream_url, box.config.key_id, box.config.secret_key)
    got = asyncio.Event()
    seen = 0

    def on_update(_u: object) -> None:
        nonlocal seen
        seen += 1
        if seen >= count:
            got.set()

    stream.listeners.append(on_update)
    stream.start()
    await asyncio.wait_for(stream.up.wait(), 10)
    await asyncio.sleep(0.5)  # the listen reply
    rest = client(box)
    body = {"symbol": "MSFT", "qty": "1", "side": "buy", "type": "market", "time_in_force": "day"}
    t = time.perf_counter()
    for _ in range(count // 2):  # each market order streams "new" then "fill"
        await rest.request("POST", "/v2/orders", body=body, order_request=True)
    await asyncio.wait_for(got.wait(), 120)
    elapsed = time.perf_counter() - t
    await stream.stop()
    return count / elapsed


async def main() -> None:
    with Remote() as box:
        for concurrency in (1, 8):
            rate = await orders_per_second(box, 300, concurrency)
            print(f"orders/s (adapter submit, concurrency {concurrency}): {rate:,.0f}")
        for timeframe, days in (("1Day", 3650), ("1Min", 30)):
            rate, total = await bars_per_second(box, timeframe, days)
            print(
                f"bars/s through AlpacaMarketData ({timeframe}, 4 symbols, {total:,} bars): "
                f"{rate:,.0f}"
            )
        rate, total = raw_bars_per_second(box)
        print(f"bars/s served (1Day, raw JSON, {total:,} bars in one page): {rate:,.0f}")
        rate = await updates_per_second(box, 1000)
        print(f"trade_updates/s delivered (new + fill per REST order): {rate:,.0f}")
        print(f"sandbox stats: {box.stats()}")


if __name__ == "__main__":
    asyncio.run(main())
