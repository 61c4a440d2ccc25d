"""The market-data WebSocket (reference §7): msgpack frames, ``t`` as msgpack Timestamps.

Handshake: the server's first frame must be ``[{"T":"success","msg":"connected"}]``; then
``auth``, then ``subscribe`` (the reply always carries the full current set). Minute bars
(``T:"b"``), trades (``t``) and quotes (``q``) go to the listeners as :class:`StreamBar`,
:class:`StreamTrade` and :class:`StreamQuote`. Auth failure (402) and an insufficient
subscription (409) stop the stream for good; anything else reconnects with a growing backoff
and resubscribes.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import msgpack
import websockets
from websockets.asyncio.client import ClientConnection

from ouroboros.brokers.alpaca.errors import AlpacaAuthError

log = logging.getLogger("ouroboros.brokers.alpaca.data_stream")

Sleep = Callable[[float], Awaitable[None]]
FATAL = {402: "auth failed", 409: "insufficient subscription"}


@dataclass(frozen=True, slots=True)
class StreamBar:
    symbol: str
    t: dt.datetime
    o: Decimal
    h: Decimal
    low: Decimal
    c: Decimal
    v: Decimal


@dataclass(frozen=True, slots=True)
class StreamTrade:
    symbol: str
    t: dt.datetime
    price: Decimal
    size: Decimal


@dataclass(frozen=True, slots=True)
class StreamQuote:
    symbol: str
    t: dt.datetime
    bid: Decimal
    ask: Decimal


StreamItem = StreamBar | StreamTrade | StreamQuote


def _time(value: Any) -> dt.datetime:
    if isinstance(value, msgpack.Timestamp):
        out: dt.datetime = value.to_datetime()
        return out
    if isinstance(value, str):  # the JSON variant
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    raise ValueError(f"bad time {value!r}")


def parse_item(msg: dict[str, Any]) -> StreamItem | None:
    """One data message, or None for a kind we do not use; ValueError/KeyError when malformed."""
    kind, symbol = msg.get("T"), str(msg.get("S", ""))

    def d(key: str) -> Decimal:
        return Decimal(str(msg[key]))

    if kind == "b":
        return StreamBar(symbol, _time(msg["t"]), d("o"), d("h"), d("l"), d("c"), d("v"))
    if kind == "t":
        return StreamTrade(symbol, _time(msg["t"]), d("p"), d("s"))
    if kind == "q":
        return StreamQuote(symbol, _time(msg["t"]), d("bp"), d("ap"))
    return None


@dataclass(slots=True)
class Subscription:
    bars: list[str] = field(default_factory=list)
    trades: list[str] = field(default_factory=list)
    quotes: list[str] = field(default_factory=list)


class MarketDataStream:
    def __init__(
        self,
        url: str,
        key_id: str,
        secret_key: str,
        subscription: Subscription,
        *,
        sleep: Sleep = asyncio.sleep,
        backoff: tuple[float, float] = (0.5, 30.0),
    ) -> None:
        self.url, self._key, self._secret = url, key_id, secret_key
        self.subscription = subscription
        self._sleep = sleep
        self.backoff = backoff
        self.listeners: list[Callable[[StreamItem], None]] = []
        self.up = asyncio.Event()
        self.drops = 0
        self.bad_messages = 0
        self.failure: BaseException | None = None
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self.run(), name="alpaca-market-data")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def run(self) -> None:
        wait = self.backoff[0]
        while True:
            try:
                headers = {"Content-Type": "application/msgpack"}
                async with websockets.connect(self.url, additional_headers=headers) as ws:
                    await self._handshake(ws)
                    wait = self.backoff[0]
                    await self._consume(ws)
            except AlpacaAuthError as exc:
                self.failure = exc
                log.error("%s", exc)
                return
            except (OSError, websockets.WebSocketException, TimeoutError) as exc:
                log.warning("market data stream dropped (%s); reconnecting in %.1fs", exc, wait)
            self.up.clear()
            self.drops += 1
            await self._sleep(wait)
            wait = min(self.backoff[1], wait * 2)

    async def _control(self, ws: ClientConnection) -> dict[str, Any]:
        frame = msgpack.unpackb(await ws.recv())
        first = frame[0] if isinstance(frame, list) and frame else {}
        if first.get("T") == "error":
            code = int(first.get("code", 0))
            message = f"alpaca market data: {first.get('msg')} ({code})"
            if code in FATAL:
                raise AlpacaAuthError(message)
            raise websockets.WebSocketException(message)
        return dict(first)

    async def _handshake(self, ws: ClientConnection) -> None:
        first = await self._control(ws)
        if first.get("msg") != "connected":
            raise websockets.WebSocketException(f"expected 'connected', got {first}")
        await ws.send(msgpack.packb({"action": "auth", "key": self._key, "secret": self._secret}))
        if (await self._control(ws)).get("msg") != "authenticated":
            raise AlpacaAuthError("alpaca market data: not authenticated")
        sub = self.subscription
        request = {
            "action": "subscribe",
            "bars": sub.bars,
            "trades": sub.trades,
            "quotes": sub.quotes,
        }
        await ws.send(msgpack.packb(request))
        ack = await self._control(ws)
        if ack.get("T") != "subscription":
            raise websockets.WebSocketException(f"expected a subscription reply, got {ack}")
        self.up.set()

    async def _consume(self, ws: ClientConnection) -> None:
        async for raw in ws:
            frame = msgpack.unpackb(raw) if isinstance(raw, bytes) else []
            for msg in frame if isinstance(frame, list) else []:
                try:
                    item = parse_item(msg)
                except (KeyError, ValueError, ArithmeticError) as exc:
                    self.bad_messages += 1
                    log.warning("alpaca market data: malformed %s message (%s)", msg.get("T"), exc)
                    continue
                if item is not None:
                    for listener in list(self.listeners):
                        listener(item)
