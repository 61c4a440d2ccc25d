"""The ``trade_updates`` WebSocket (reference §5): authenticate, listen, hand each update over.

The first frame after ``authenticate`` must be the authorization reply; ``unauthorized`` is a
configuration error and stops the stream for good. Any other failure (a dropped connection, a
server close) marks the stream unhealthy, waits a growing backoff and reconnects; while it is
unhealthy the broker polls instead (see :meth:`AlpacaBroker.connect`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection

from ouroboros.brokers.alpaca.errors import AlpacaAuthError
from ouroboros.brokers.alpaca.wire import WireTradeUpdate, parse_trade_update
from ouroboros.errors import DataError

log = logging.getLogger("ouroboros.brokers.alpaca.stream")

Sleep = Callable[[float], Awaitable[None]]


class TradeUpdateStream:
    def __init__(
        self,
        url: str,
        key_id: str,
        secret_key: str,
        *,
        sleep: Sleep = asyncio.sleep,
        backoff: tuple[float, float] = (0.5, 30.0),
    ) -> None:
        self.url, self._key, self._secret = url, key_id, secret_key
        self._sleep = sleep
        self.backoff = backoff
        self.listeners: list[Callable[[WireTradeUpdate], None]] = []
        self.healthy = False
        self.connects = 0
        self.drops = 0
        self.bad_messages = 0
        self._task: asyncio.Task[None] | None = None
        self.failure: BaseException | None = None
        self.up = asyncio.Event()

    def __repr__(self) -> str:
        return f"TradeUpdateStream({self.url!r}, healthy={self.healthy})"

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self.run(), name="alpaca-trade-updates")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        self.healthy = False

    async def run(self) -> None:
        wait = self.backoff[0]
        while True:
            try:
                async with websockets.connect(self.url, open_timeout=10) as ws:
                    await self._handshake(ws)
                    wait = self.backoff[0]
                    await self._consume(ws)
            except AlpacaAuthError as exc:
                self.failure, self.healthy = exc, False
                log.error("%s", exc)
                return
            except (OSError, websockets.WebSocketException, TimeoutError) as exc:
                log.warning("trade_updates dropped (%s); reconnecting in %.1fs", exc, wait)
            self.healthy = False
            self.up.clear()
            self.drops += 1
            await self._sleep(wait)
            wait = min(self.backoff[1], wait * 2)

    async def _handshake(self, ws: ClientConnection) -> None:
        auth = {"key_id": self._key, "secret_key": self._secret}
        await ws.send(json.dumps({"action": "authenticate", "data": auth}))
        reply = _load(await ws.recv())
        status = (reply.get("data") or {}).get("status")
        if reply.get("stream") != "authorization" or status != "authorized":
            raise AlpacaAuthError(f"alpaca trade_updates: not authorized ({status or reply})")
        await ws.send(json.dumps({"action": "listen", "data": {"streams": ["trade_updates"]}}))
        self.connects += 1
        self.healthy = True
        self.up.set()

    async def _consume(self, ws: ClientConnection) -> None:
        async for raw in ws:
            message = _load(raw)
            if message.get("stream") != "trade_updates":
                continue
            try:
                update = parse_trade_update(message.get("data"))
            except DataError as exc:
                self.bad_messages += 1
                log.warning("%s", exc)
                continue
            for listener in list(self.listeners):
                listener(update)


def _load(raw: str | bytes) -> dict[str, Any]:
    try:
        value = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return {}
    return value if isinstance(value, dict) else {}
