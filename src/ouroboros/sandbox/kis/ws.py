"""The sandbox's real-time WebSocket: subscribe acks, data frames, encrypted execution notices,
PINGPONG heartbeats, the 40-subscription cap, and a switch to drop every connection.

Frames follow reference §7, their layouts read from the official data (``kisspec``): every
column is filled, in order. A client must echo PINGPONG (as PK does) before the next one is
due, else the connection is closed, as KIS drops silent sessions.

Value conventions follow the official samples: HDFSCNT0 carries RSYM first, exchange-local
XYMD/XHMS, Korean KYMD/KHMS and prices with ZDIV decimals; the overseas notice H0GSCNI0 carries
CNTG_UNPR without a decimal point (implied decimals per country, US 4); RFUS_YN is 0/1.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect

from ouroboros.domain.ids import InstrumentId
from ouroboros.domain.orders import OrderSide
from ouroboros.sandbox.kis import vocab as kx
from ouroboros.sandbox.kis._fmt import hms, num, ymd
from ouroboros.sandbox.kis.aes import encrypt
from ouroboros.sandbox.kis.engine import ExecEvent, Kind, MarketState
from ouroboros.sandbox.kis.frames import (
    domestic_book,
    domestic_trade,
    overseas_book,
    overseas_trade,
)
from ouroboros.sandbox.kis.state import SandboxState
from ouroboros.sandbox.kis.vocab import COLUMNS, ENCRYPTED

KNOWN_TR_IDS = frozenset(COLUMNS) | {"H0STANC0"}


@dataclass(slots=True, eq=False)
class Conn:
    ws: WebSocket
    app_key: str = ""
    outbox: asyncio.Queue[str | None] = field(default_factory=asyncio.Queue)
    subs: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    ponged: bool = True


def ack(
    tr_id: str,
    tr_key: str,
    code: str,
    msg: str,
    rt_cd: str = "0",
    keys: tuple[str, str] | None = None,
) -> str:
    body: dict[str, Any] = {"rt_cd": rt_cd, "msg_cd": code, "msg1": msg}
    if keys is not None:
        body["output"] = {"iv": keys[1], "key": keys[0]}
    header = {"tr_id": tr_id, "tr_key": tr_key, "encrypt": "Y" if tr_id in ENCRYPTED else "N"}
    return json.dumps({"header": header, "body": body})


def frame(tr_id: str, values: dict[str, str], key_iv: tuple[str, str] | None = None) -> str:
    payload = "^".join(values.get(c, "") for c in COLUMNS[tr_id])
    if key_iv is not None:
        return f"1|{tr_id}|001|{encrypt(key_iv[0], key_iv[1], payload)}"
    return f"0|{tr_id}|001|{payload}"


class Hub:
    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self.conns: set[Conn] = set()
        self.sent_frames = 0
        state.exchange.listeners.append(self.on_exec)
        state.exchange.price_listeners.append(self.on_price)

    async def endpoint(self, ws: WebSocket) -> None:
        await ws.accept()
        conn = Conn(ws)
        self.conns.add(conn)
        sender = asyncio.create_task(self._send_loop(conn))
        pinger = asyncio.create_task(self._ping_loop(conn))
        try:
            while True:
                text = await ws.receive_text()
                self._on_message(conn, text)
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            self.conns.discard(conn)
            pinger.cancel()
            conn.outbox.put_nowait(None)
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await sender

    async def _send_loop(self, conn: Conn) -> None:
        while (text := await conn.outbox.get()) is not None:
            try:
                await conn.ws.send_text(text)
            except Exception:
                return

    async def _ping_loop(self, conn: Conn) -> None:
        interval = self.state.config.ping_interval
        while True:
            await asyncio.sleep(interval)
            if not conn.ponged:
                with contextlib.suppress(Exception):
                    await conn.ws.close(code=1000)
                return
            conn.ponged = False
            stamp = self.state.clock.now()
            conn.outbox.put_nowait(
                json.dumps({"header": {"tr_id": "PINGPONG", "datetime": ymd(stamp) + hms(stamp)}})
            )

    def _on_message(self, conn: Conn, text: str) -> None:
        try:
            message = json.loads(text)
            header = message["header"]
        except (json.JSONDecodeError, KeyError, TypeError):
            conn.outbox.put_nowait(ack("", "", "OPSP9999", "JSON PARSING ERROR", "1"))
            return
        if header.get("tr_id") == "PINGPONG":
            conn.ponged = True
            return
        body = message.get("body", {}).get("input", {})
        tr_id, tr_key = str(body.get("tr_id", "")), str(body.get("tr_key", ""))
        app_key = self.state.tokens.approval_keys.get(str(header.get("approval_key", "")))
        if app_key is None:
            conn.outbox.put_nowait(
                ack(tr_id, tr_key, "OPSP0011", "invalid approval : NOT FOUND", "1")
            )
            return
        conn.app_key = app_key
        if tr_id not in KNOWN_TR_IDS:
            conn.outbox.put_nowait(ack(tr_id, tr_key, "OPSP0009", "invalid tr_id", "1"))
            return
        sub = (tr_id, tr_key)
        if str(header.get("tr_type", "1")) == "2":
            if conn.subs.pop(sub, None) is None:
                conn.outbox.put_nowait(
                    ack(tr_id, tr_key, "OPSP0003", "UNSUBSCRIBE ERROR(not found!)", "1")
                )
            else:
                conn.outbox.put_nowait(ack(tr_id, tr_key, "OPSP0001", "UNSUBSCRIBE SUCCESS"))
            return
        if sub in conn.subs:
            conn.outbox.put_nowait(ack(tr_id, tr_key, "OPSP0002", "ALREADY IN SUBSCRIBE", "1"))
            return
        if len(conn.subs) >= self.state.config.max_subscriptions:
            conn.outbox.put_nowait(ack(tr_id, tr_key, "OPSP0008", "MAX SUBSCRIBE OVER", "1"))
            return
        keys = (secrets.token_hex(16), secrets.token_hex(8))
        conn.subs[sub] = keys
        conn.outbox.put_nowait(ack(tr_id, tr_key, "OPSP0000", "SUBSCRIBE SUCCESS", keys=keys))

    def _publish(self, tr_id: str, tr_key: str, values: dict[str, str], app_key: str = "") -> None:
        for conn in list(self.conns):
            keys = conn.subs.get((tr_id, tr_key))
            if keys is None or (app_key and conn.app_key != app_key):
                continue
            conn.outbox.put_nowait(frame(tr_id, values, keys if tr_id in ENCRYPTED else None))
            self.sent_frames += 1

    def on_price(self, iid: InstrumentId, st: MarketState) -> None:
        if not self.conns:
            return
        market = kx.MARKETS[iid.venue]
        now = self.state.clock.now()
        args = (self.state, iid, st, now)
        if market.domestic:
            self._publish(kx.WS_TRADE, iid.symbol, domestic_trade(self.state, iid, st, now))
            self._publish(kx.WS_ORDERBOOK, iid.symbol, domestic_book(self.state, iid, st, now))
        else:
            values = overseas_trade(self.state, iid, st, now)
            self._publish(kx.WS_OVERSEAS_TRADE, values["RSYM"], values)
            self._publish(kx.WS_OVERSEAS_BOOK, values["RSYM"], overseas_book(*args))

    def on_exec(self, event: ExecEvent) -> None:
        if not self.conns:
            return
        order = event.order
        app = next(a for a in self.state.config.effective_apps() if order.account in a.accounts)
        market = kx.MARKETS[order.instrument.venue]
        notice = kx.WS_NOTICE if market.domestic else kx.WS_OVERSEAS_NOTICE
        tr_id = notice.pick(self.state.config.virtual)
        fill = event.kind == "fill"
        qty = event.quantity if event.kind in ("fill", "cancel") else order.quantity
        price = event.price if fill else (order.limit or Decimal(0))
        # domestic: whole won; overseas: no decimal point, implied decimals per country
        places = market.notice_price_decimals
        unpr = str(int((price * Decimal(10) ** places).to_integral_value())).zfill(9)
        values = {
            "CUST_ID": app.hts_id,
            "ACNT_NO": order.account.replace("-", ""),
            "ODER_NO": order.odno,
            "OODER_NO": order.orgn_odno,
            "SELN_BYOV_CLS": "02" if order.side is OrderSide.BUY else "01",
            "RCTF_CLS": {Kind.NEW: "0", Kind.MODIFY: "1", Kind.CANCEL: "2"}[order.kind],
            "ODER_KIND": order.ord_dvsn,
            "ODER_KIND2": "2" if order.limit is not None else "1",  # 1 market, 2 limit
            "ODER_COND": "6" if market.ovrs_excg_cd == "NASD" else "",  # only 6 is documented
            "STCK_SHRN_ISCD": order.instrument.symbol,
            "CNTG_QTY": num(qty),
            "CNTG_UNPR": unpr if not market.domestic else num(price),
            "STCK_CNTG_HOUR": hms(event.ts or self.state.clock.now()),
            "RFUS_YN": "1" if event.kind == "reject" else "0",
            "CNTG_YN": "2" if fill else "1",
            "ACPT_YN": "2" if event.kind == "cancel" else "1",
            "BRNC_NO": order.org_no,
            "ODER_QTY": num(order.quantity),
            "ACNT_NAME": "SANDBOX",
            "CNTG_ISNM40": f"SANDBOX {order.instrument.symbol}",
            "CNTG_ISNM": order.instrument.symbol,
            "ODER_PRC": num(order.limit or 0),
            "ORD_EXG_GB": "1",
            "POPUP_YN": "N",
            "CRDT_CLS": "10",
        }
        self._publish(tr_id, app.hts_id, values, app.app_key)

    async def drop_all(self) -> int:
        dropped = 0
        for conn in list(self.conns):
            with contextlib.suppress(Exception):
                await conn.ws.close(code=1012)
                dropped += 1
        return dropped
