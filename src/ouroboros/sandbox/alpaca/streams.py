"""The two WebSockets: ``/stream`` (trade_updates, JSON in binary frames as paper sends them)
and ``/v2/{feed}`` (market data: msgpack with Timestamp ext values when the client sends
``Content-Type: application/msgpack`` as alpaca-py does, JSON otherwise). Reference §5, §7.

Events reach a connection through its own queue; publishers may run on any thread, so they
hand frames over with ``call_soon_threadsafe``.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

import msgpack
from starlette.websockets import WebSocket, WebSocketDisconnect

from ouroboros.sandbox.alpaca.gateway import Gateway

CHANNELS = ("trades", "quotes", "bars", "updatedBars", "dailyBars", "statuses", "lulds")
LETTER = {
    "t": "trades",
    "q": "quotes",
    "b": "bars",
    "u": "updatedBars",
    "d": "dailyBars",
    "s": "statuses",
}


@dataclass(slots=True, eq=False)
class Conn:
    ws: WebSocket
    loop: asyncio.AbstractEventLoop
    kind: str
    msgpack: bool = False
    authed: bool = False
    listening: bool = False
    subs: dict[str, set[str]] = field(default_factory=lambda: {c: set() for c in CHANNELS})
    outbox: asyncio.Queue[bytes | str | None] = field(default_factory=asyncio.Queue)

    def put(self, frame: bytes | str | None) -> None:
        self.loop.call_soon_threadsafe(self.outbox.put_nowait, frame)

    def wants(self, channel: str, symbol: str) -> bool:
        chosen = self.subs[channel]
        return symbol in chosen or "*" in chosen


def _pack_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return msgpack.Timestamp.from_datetime(value)
    return value


class Hub:
    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway
        self.conns: set[Conn] = set()
        self.frames_sent = 0

    # -- publishing (any thread) -----------------------------------------------------------
    def publish_trade_update(self, message: dict[str, Any]) -> None:
        frame = json.dumps(message).encode()
        for conn in list(self.conns):
            if conn.kind == "trading" and conn.listening:
                conn.put(frame)

    def publish_market(self, item: dict[str, Any]) -> None:
        """One market message (``T`` letter, ``S`` symbol, ``t`` an aware datetime)."""
        channel = LETTER.get(item["T"])
        for conn in list(self.conns):
            if conn.kind == "data" and conn.authed and channel and conn.wants(channel, item["S"]):
                conn.put(self._encode(conn, [item]))

    def _encode(self, conn: Conn, items: list[dict[str, Any]]) -> bytes | str:
        if conn.msgpack:
            return bytes(msgpack.packb([{k: _pack_value(v) for k, v in i.items()} for i in items]))
        return json.dumps(
            [
                {
                    k: (v.isoformat().replace("+00:00", "Z") if isinstance(v, dt.datetime) else v)
                    for k, v in i.items()
                }
                for i in items
            ]
        )

    async def drop_all(self) -> int:
        """Close every connection (a dropped stream; clients reconnect)."""
        conns = list(self.conns)
        for conn in conns:
            conn.outbox.put_nowait(None)
        return len(conns)

    # -- serving ---------------------------------------------------------------------------
    async def _writer(self, conn: Conn) -> None:
        while True:
            frame = await conn.outbox.get()
            if frame is None:
                with contextlib.suppress(Exception):
                    await conn.ws.close(code=1011)
                return
            if isinstance(frame, bytes):
                await conn.ws.send_bytes(frame)
            else:
                await conn.ws.send_text(frame)
            self.frames_sent += 1

    async def _serve(self, conn: Conn, first: bytes | str | None, handle: Any) -> None:
        await conn.ws.accept()
        self.conns.add(conn)
        writer = asyncio.create_task(self._writer(conn))
        try:
            if first is not None:
                conn.outbox.put_nowait(first)
            while not writer.done():
                receive = asyncio.ensure_future(conn.ws.receive())
                done, _ = await asyncio.wait({receive, writer}, return_when=asyncio.FIRST_COMPLETED)
                if receive not in done:
                    receive.cancel()
                    break
                message = receive.result()
                if message["type"] == "websocket.disconnect":
                    break
                raw = message.get("bytes") or message.get("text") or b""
                handle(conn, raw)
        except WebSocketDisconnect:
            pass
        finally:
            self.conns.discard(conn)
            writer.cancel()

    async def trading(self, ws: WebSocket) -> None:
        conn = Conn(ws, asyncio.get_running_loop(), "trading")
        await self._serve(conn, None, self._on_trading)

    def _on_trading(self, conn: Conn, raw: bytes | str) -> None:
        try:
            msg = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError):
            conn.outbox.put_nowait(
                json.dumps(
                    {"stream": "error", "data": {"error_message": "invalid syntax"}}
                ).encode()
            )
            return
        action, data = msg.get("action"), msg.get("data") or {}
        if action == "authenticate":
            conn.authed = self.gateway.authorized(data.get("key_id"), data.get("secret_key"))
            status = "authorized" if conn.authed else "unauthorized"
            reply = {
                "stream": "authorization",
                "data": {"status": status, "action": "authenticate"},
            }
            conn.outbox.put_nowait(json.dumps(reply).encode())
        elif action == "listen":
            if not conn.authed:
                reply = {
                    "stream": "authorization",
                    "data": {"status": "unauthorized", "action": "listen"},
                }
                conn.outbox.put_nowait(json.dumps(reply).encode())
                return
            streams = [s for s in data.get("streams", []) if s == "trade_updates"]
            conn.listening = bool(streams)
            conn.outbox.put_nowait(
                json.dumps({"stream": "listening", "data": {"streams": streams}}).encode()
            )

    async def market(self, ws: WebSocket) -> None:
        packed = ws.headers.get("content-type", "").lower() == "application/msgpack"
        conn = Conn(ws, asyncio.get_running_loop(), "data", msgpack=packed)
        await self._serve(
            conn, self._encode(conn, [{"T": "success", "msg": "connected"}]), self._on_market
        )

    def _on_market(self, conn: Conn, raw: bytes | str) -> None:
        try:
            msg = (
                msgpack.unpackb(raw) if isinstance(raw, bytes) and conn.msgpack else json.loads(raw)
            )
        except (ValueError, msgpack.ExtraData, UnicodeDecodeError):
            conn.outbox.put_nowait(
                self._encode(conn, [{"T": "error", "code": 400, "msg": "invalid syntax"}])
            )
            return
        action = msg.get("action") if isinstance(msg, dict) else None
        if action == "auth":
            if conn.authed:
                reply = {"T": "error", "code": 403, "msg": "already authenticated"}
            elif self.gateway.authorized(msg.get("key"), msg.get("secret")):
                conn.authed = True
                reply = {"T": "success", "msg": "authenticated"}
            else:
                reply = {"T": "error", "code": 402, "msg": "auth failed"}
            conn.outbox.put_nowait(self._encode(conn, [reply]))
        elif action in ("subscribe", "unsubscribe"):
            if not conn.authed:
                conn.outbox.put_nowait(
                    self._encode(conn, [{"T": "error", "code": 401, "msg": "not authenticated"}])
                )
                return
            for channel in CHANNELS:
                symbols = set(msg.get(channel) or [])
                if action == "subscribe":
                    conn.subs[channel] |= symbols
                else:
                    conn.subs[channel] -= symbols
            reply = {"T": "subscription", **{c: sorted(conn.subs[c]) for c in CHANNELS}}
            conn.outbox.put_nowait(self._encode(conn, [reply]))
        else:
            conn.outbox.put_nowait(
                self._encode(conn, [{"T": "error", "code": 400, "msg": "invalid syntax"}])
            )
