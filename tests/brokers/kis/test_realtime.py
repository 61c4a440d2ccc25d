"""The WebSocket client against the sandbox: frames, AES notices, PINGPONG, drops, the cap."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from ouroboros.brokers.kis.crypto import decrypt, encrypt
from ouroboros.brokers.kis.errors import KisSubscriptionError
from ouroboros.brokers.kis.realtime import ExecutionNotice, KisRealtime, TradeTick, parse_frame
from ouroboros.domain.events import OrderFilled
from ouroboros.domain.ids import Venue
from ouroboros.domain.orders import OrderSide
from ouroboros.interfaces.kis_testing import broker_for
from ouroboros.sandbox.kis import KisSandbox, SandboxConfig
from tests.brokers.kis.conftest import limit_order, make_client


async def wait_for(predicate, timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    for _ in range(int(timeout / 0.02)):
        if predicate():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not met in time")


def test_aes_round_trip_and_multi_record_frames() -> None:
    key, iv = "k" * 32, "i" * 16
    assert decrypt(key, iv, encrypt(key, iv, "a^b^한글")) == "a^b^한글"
    row = ["005930", "093000", "71000"] + ["0"] * 43
    frame = "0|H0STCNT0|002|" + "^".join(row + row)
    from datetime import UTC, datetime

    messages = parse_frame(frame, {}, "005930", datetime(2026, 1, 5, tzinfo=UTC))
    assert len(messages) == 2
    assert all(isinstance(m, TradeTick) and m.price == 71000 for m in messages)


async def test_trades_arrive_and_notices_decrypt_into_fills(tmp_path: Path) -> None:
    with KisSandbox(SandboxConfig(virtual=True, rate_limit=0, ping_interval=0.2)) as sb:
        broker = broker_for(sb, tmp_path, frozenset({Venue.KRX}), now=sb.state.clock.now)
        rt = KisRealtime(broker.client, sb.ws_url, reconnect_initial=0.05)
        await rt.start()
        try:
            await rt.subscribe("H0STCNT0", "005930")
            await broker.attach_realtime(rt, sb.app_credentials.hts_id)
            sb.set_price("005930.KRX", "70900", 1000)
            await wait_for(lambda: any(isinstance(m, TradeTick) for m in list(rt.messages._queue)))  # type: ignore[attr-defined]
            await broker.submit(limit_order("ws-1", "005930.KRX", OrderSide.BUY, 5, "71000"))
            await wait_for(lambda: any(isinstance(e, OrderFilled) for e in broker.tracker.events))
            notices = [m for m in list(rt.messages._queue) if isinstance(m, ExecutionNotice)]  # type: ignore[attr-defined]
            assert notices[0].tr_id == "H0STCNI9"  # the virtual notice tr_id
            assert any(n.is_fill and n.quantity == 5 for n in notices)
            # REST reconciliation finds nothing new: the fill was booked once
            await broker.order_reports()
            fills = await broker.fill_reports()
            assert [f.quantity.value for f in fills] == [5]
            # PINGPONG answered (the sandbox drops a silent session): wait for two pings, on
            # events rather than a fixed sleep, then check the session was never dropped
            await wait_for(lambda: rt.pongs >= 2)
            assert rt.reconnects == 0
        finally:
            await rt.stop()
            await broker.close()


async def test_reconnects_and_resubscribes_after_a_drop(tmp_path: Path) -> None:
    with KisSandbox(SandboxConfig(virtual=True, rate_limit=0)) as sb:
        client = make_client(sb, tmp_path)
        rt = KisRealtime(client, sb.ws_url, reconnect_initial=0.05)
        await rt.start()
        try:
            await rt.subscribe("H0STCNT0", "005930")
            await rt.subscribe("HDFSCNT0", "DNASAAPL")
            assert sb.drop_websockets() == 1
            await wait_for(lambda: rt.reconnects >= 1 and rt.connected.is_set())
            await wait_for(lambda: sum(len(c.subs) for c in sb.hub.conns) == 2)
            sb.set_price("AAPL.NASDAQ", "230.00")
            await wait_for(
                lambda: any(
                    isinstance(m, TradeTick) and m.instrument_id.venue is Venue.NASDAQ
                    for m in list(rt.messages._queue)
                )
            )  # type: ignore[attr-defined]
        finally:
            await rt.stop()
            await client.close()


async def test_forty_subscription_cap(tmp_path: Path) -> None:
    with KisSandbox(SandboxConfig(virtual=True, rate_limit=0)) as sb:
        client = make_client(sb, tmp_path)
        rt = KisRealtime(client, sb.ws_url)
        await rt.start()
        try:
            for i in range(40):
                await rt.subscribe("H0STCNT0", f"{i:06d}")
            with pytest.raises(KisSubscriptionError, match="at most 40"):
                await rt.subscribe("H0STCNT0", "999999")
            # the server enforces the same cap for a client that does not count
            rt.max_subscriptions = 41
            with pytest.raises(KisSubscriptionError, match="OPSP0008"):
                await rt.subscribe("H0STCNT0", "999998")
            assert len(rt.subscriptions) == 40
        finally:
            await rt.stop()
            await client.close()
