"""The KIS real-time WebSocket client: subscribe, decode and decrypt frames, keep alive, recover.

* Subscriptions are remembered; after a drop the client reconnects with exponential backoff
  (with jitter) and re-subscribes everything.
* PINGPONG frames are echoed back as text (what PK does; the sandbox drops silent sessions).
* At most 40 subscriptions per session (reference §7): the 41st raises
  :class:`KisSubscriptionError` locally instead of waiting for the server's refusal.
* Encrypted execution notices are decrypted with the key/iv from that tr_id's subscribe ack.

Parsed messages go to every listener (synchronous callbacks, e.g. the broker adapter) and to
:attr:`KisRealtime.messages`, a bounded queue for consumers that prefer to ``await``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException

from ouroboros.brokers.kis._time import KST, Now, system_now
from ouroboros.brokers.kis.client import KisClient
from ouroboros.brokers.kis.crypto import decrypt
from ouroboros.brokers.kis.errors import KisSubscriptionError, map_error
from ouroboros.brokers.kis.exchanges import BY_EXCD
from ouroboros.brokers.kis.parsers import dec
from ouroboros.brokers.kis.realtime_fields import COLUMNS, NOTICE_TR_IDS
from ouroboros.domain.ids import InstrumentId, Venue
from ouroboros.domain.orders import OrderSide
from ouroboros.errors import OuroborosError

log = logging.getLogger("ouroboros.brokers.kis.realtime")
MAX_SUBSCRIPTIONS = 40


@dataclass(frozen=True, slots=True)
class TradeTick:
    instrument_id: InstrumentId
    price: Decimal
    volume: Decimal
    cumulative_volume: Decimal
    ts: datetime


@dataclass(frozen=True, slots=True)
class BookTop:
    instrument_id: InstrumentId
    bid: Decimal
    ask: Decimal
    bid_size: Decimal
    ask_size: Decimal
    ts: datetime


@dataclass(frozen=True, slots=True)
class ExecutionNotice:
    """H0STCNI0/9 (domestic) or H0GSCNI0/9 (overseas), decrypted."""

    tr_id: str
    odno: str
    orig_odno: str
    symbol: str
    side: OrderSide
    kind: str  # new | modify | cancel
    is_fill: bool
    refused: bool
    quantity: Decimal
    price_text: str  # CNTG_UNPR as sent; read it with :func:`notice_price` (implied decimals)
    order_quantity: Decimal
    ts: datetime
    fields: dict[str, str] = field(repr=False, default_factory=dict)


RealtimeMessage = TradeTick | BookTop | ExecutionNotice
Listener = Callable[[RealtimeMessage], None]


def _ts(hhmmss: str, now: datetime) -> datetime:
    local = now.astimezone(KST)
    try:
        h, m, s = int(hhmmss[0:2]), int(hhmmss[2:4]), int(hhmmss[4:6])
        return local.replace(hour=h, minute=m, second=s, microsecond=0).astimezone(now.tzinfo)
    except (ValueError, IndexError):
        return now


def _kst_ts(yyyymmdd: str, hhmmss: str, now: datetime) -> datetime:
    """A KIS Korean date + time (KYMD/KHMS) as an aware datetime in ``now``'s zone."""
    try:
        stamp = yyyymmdd.strip() + hhmmss.strip()
        local = datetime.strptime(stamp, "%Y%m%d%H%M%S").replace(tzinfo=KST)
    except ValueError:
        return _ts(hhmmss, now)
    return local.astimezone(now.tzinfo)


def notice_price(text: str, implied_decimals: int) -> Decimal:
    """CNTG_UNPR of an execution notice as a price.

    KIS documents the overseas notice price without a decimal point, with implied decimals per
    country (US 4: 148.0100 arrives as ``001480100``); domestic prices are whole won (0). A value
    that carries a decimal point is unambiguous and read as it stands. Anything else raises
    ``ValueError`` naming the value.
    """
    t = text.strip()
    if t.count(".") == 1 and t.replace(".", "", 1).isdigit():
        return Decimal(t)
    if t.isdigit():
        return Decimal(int(t)).scaleb(-implied_decimals)
    raise ValueError(f"KIS notice price (CNTG_UNPR) is not a number, was {text!r}")


def _odno(text: str) -> str:
    t = text.strip()
    return t.zfill(10) if t.isdigit() and int(t) else ""


def parse_record(
    tr_id: str, tr_key: str, row: dict[str, str], now: datetime
) -> RealtimeMessage | None:
    if tr_id == "H0STCNT0":
        return TradeTick(
            InstrumentId(row["MKSC_SHRN_ISCD"], Venue.KRX),
            dec(row["STCK_PRPR"]),
            dec(row["CNTG_VOL"]),
            dec(row["ACML_VOL"]),
            _ts(row["STCK_CNTG_HOUR"], now),
        )
    if tr_id == "H0STASP0":
        return BookTop(
            InstrumentId(row["MKSC_SHRN_ISCD"], Venue.KRX),
            dec(row["BIDP1"]),
            dec(row["ASKP1"]),
            dec(row["BIDP_RSQN1"]),
            dec(row["ASKP_RSQN1"]),
            _ts(row["BSOP_HOUR"], now),
        )
    if tr_id == "HDFSCNT0":
        key = row["RSYM"].strip() or tr_key  # D + EXCD + symbol, e.g. DNASAAPL
        market = BY_EXCD.get(key[1:4]) if len(key) > 4 else None
        if market is None:
            return None
        return TradeTick(
            InstrumentId(row["SYMB"].strip(), market.venue),
            dec(row["LAST"]),
            dec(row["EVOL"]),
            dec(row["TVOL"]),
            _kst_ts(row["KYMD"], row["KHMS"], now),
        )
    if tr_id in NOTICE_TR_IDS:
        kind = {"1": "modify", "2": "cancel"}.get(row.get("RCTF_CLS", "0").strip(), "new")
        return ExecutionNotice(
            tr_id=tr_id,
            odno=_odno(row["ODER_NO"]),
            orig_odno=_odno(row.get("OODER_NO", "")),
            symbol=row["STCK_SHRN_ISCD"].strip(),
            side=OrderSide.SELL if row["SELN_BYOV_CLS"].strip() == "01" else OrderSide.BUY,
            kind=kind,
            is_fill=row["CNTG_YN"].strip() == "2",
            refused=row["RFUS_YN"].strip().upper() in ("1", "Y"),  # documented: 0 ok, 1 refused
            quantity=dec(row["CNTG_QTY"]),
            price_text=row["CNTG_UNPR"],
            order_quantity=dec(row["ODER_QTY"]),
            ts=_ts(row["STCK_CNTG_HOUR"], now),
            fields=row,
        )
    return None


def parse_frame(
    text: str, keys: dict[str, tuple[str, str]], tr_key: str, now: datetime
) -> list[RealtimeMessage]:
    """``<enc>|<tr_id>|<count>|<payload>`` → messages (``count`` records back to back)."""
    enc, tr_id, count, payload = text.split("|", 3)
    columns = COLUMNS.get(tr_id)
    if columns is None:
        return []
    if enc == "1":
        key_iv = keys.get(tr_id)
        if key_iv is None:
            log.warning("encrypted %s frame before its subscribe ack; dropped", tr_id)
            return []
        payload = decrypt(key_iv[0], key_iv[1], payload)
    values = payload.split("^")
    n, out = len(columns), []
    for i in range(max(1, int(count or "1"))):
        chunk = values[i * n : (i + 1) * n]
        if len(chunk) < n:
            chunk += [""] * (n - len(chunk))  # tolerate fewer fields (the notice grew 23 → 26)
        message = parse_record(tr_id, tr_key, dict(zip(columns, chunk, strict=True)), now)
        if message is not None:
            out.append(message)
    return out


class KisRealtime:
    """One WebSocket session. ``await start()``, subscribe, read listeners/``messages``."""

    def __init__(
        self,
        client: KisClient,
        url: str | None = None,
        *,
        max_subscriptions: int = MAX_SUBSCRIPTIONS,
        reconnect_initial: float = 0.5,
        reconnect_max: float = 10.0,
        ack_timeout: float = 5.0,
        now: Now = system_now,
    ) -> None:
        self.client = client
        self.url = (url or client.settings.websocket_url).rstrip("/") + "/tryitout"
        self.max_subscriptions = max_subscriptions
        self._backoff = (reconnect_initial, reconnect_max)
        self._ack_timeout = ack_timeout
        self._now = now
        self._subs: dict[tuple[str, str], None] = {}
        self._keys: dict[str, tuple[str, str]] = {}
        self._acks: dict[tuple[str, str], asyncio.Future[None]] = {}
        self._ws: ClientConnection | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self.connected = asyncio.Event()
        self.listeners: list[Listener] = []
        self.messages: asyncio.Queue[RealtimeMessage] = asyncio.Queue(maxsize=10_000)
        self.reconnects = 0
        self.pongs = 0

    def __repr__(self) -> str:
        return f"KisRealtime({self.url}, {len(self._subs)} subscriptions)"

    @property
    def subscriptions(self) -> list[tuple[str, str]]:
        return list(self._subs)

    async def start(self, wait: float = 10.0) -> None:
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name="kis-realtime")
        await asyncio.wait_for(self.connected.wait(), wait)

    async def stop(self) -> None:
        self._stopping = True
        if self._ws is not None:
            with contextlib.suppress(Exception):
                await self._ws.close()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        self.connected.clear()

    async def subscribe(self, tr_id: str, tr_key: str) -> None:
        sub = (tr_id, tr_key)
        if sub in self._subs:
            return
        if len(self._subs) >= self.max_subscriptions:
            raise KisSubscriptionError(
                f"KIS allows at most {self.max_subscriptions} real-time subscriptions per session;"
                f" unsubscribe first (asked for {tr_id} {tr_key})"
            )
        self._subs[sub] = None
        if self._ws is not None:
            try:
                await self._send(self._ws, sub, "1", wait=True)
            except OuroborosError:
                self._subs.pop(sub, None)
                raise

    async def unsubscribe(self, tr_id: str, tr_key: str) -> None:
        sub = (tr_id, tr_key)
        if self._subs.pop(sub, 0) is not None and self._ws is not None:
            await self._send(self._ws, sub, "2", wait=False)

    async def _send(
        self, ws: ClientConnection, sub: tuple[str, str], tr_type: str, wait: bool
    ) -> None:
        frame = {
            "header": {
                "approval_key": await self.client.approval_key(),
                "custtype": "P",
                "tr_type": tr_type,
                "content-type": "utf-8",
            },
            "body": {"input": {"tr_id": sub[0], "tr_key": sub[1]}},
        }
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if wait:
            self._acks[sub] = future
        await ws.send(json.dumps(frame))
        if wait:
            try:
                await asyncio.wait_for(future, self._ack_timeout)
            finally:
                self._acks.pop(sub, None)

    async def _run(self) -> None:
        delay = self._backoff[0]
        while not self._stopping:
            try:
                async with connect(self.url, ping_interval=None, open_timeout=5) as ws:
                    self._ws = ws
                    for sub in list(self._subs):
                        await self._send(ws, sub, "1", wait=False)
                    self.connected.set()
                    delay = self._backoff[0]
                    async for raw in ws:
                        await self._on_text(ws, raw if isinstance(raw, str) else raw.decode())
            except (TimeoutError, OSError, WebSocketException, OuroborosError) as exc:
                log.info("KIS websocket dropped (%s); reconnecting", type(exc).__name__)
            finally:
                self._ws = None
                self.connected.clear()
            if self._stopping:
                return
            self.reconnects += 1
            await asyncio.sleep(delay * (0.5 + random.random() / 2))
            delay = min(delay * 2, self._backoff[1])

    async def _on_text(self, ws: ClientConnection, text: str) -> None:
        if text[:1] in ("0", "1") and "|" in text[:12]:
            tr_key = next((k for t, k in self._subs if t == text.split("|", 2)[1]), "")
            for message in parse_frame(text, self._keys, tr_key, self._now()):
                self._dispatch(message)
            return
        try:
            data: dict[str, Any] = json.loads(text)
        except json.JSONDecodeError:
            return
        header = data.get("header", {})
        if header.get("tr_id") == "PINGPONG":
            self.pongs += 1
            await ws.send(text)
            return
        body = data.get("body", {})
        sub = (str(header.get("tr_id", "")), str(header.get("tr_key", "")))
        output = body.get("output") or {}
        if output.get("key") and output.get("iv"):
            self._keys[sub[0]] = (str(output["key"]), str(output["iv"]))
        future = self._acks.get(sub)
        code = str(body.get("msg_cd", ""))
        if str(body.get("rt_cd", "0")) != "0" and code not in ("OPSP0002", "OPSP0003"):
            log.warning("KIS subscribe %s %s refused: %s %s", *sub, code, body.get("msg1", ""))
            if future is not None and not future.done():
                future.set_exception(map_error(code, str(body.get("msg1", "")), tr_id=sub[0]))
            elif future is None:
                self._subs.pop(sub, None)
            return
        if future is not None and not future.done():
            future.set_result(None)

    def _dispatch(self, message: RealtimeMessage) -> None:
        for listener in list(self.listeners):
            try:
                listener(message)
            except Exception:
                log.exception("KIS realtime listener failed")
        if self.messages.full():
            self.messages.get_nowait()
        self.messages.put_nowait(message)
