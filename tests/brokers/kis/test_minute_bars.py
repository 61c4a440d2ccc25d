"""KisMarketData.minute_bars against the sandbox's minute bars for the day so far."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from ouroboros.brokers.kis.client import KisClient
from ouroboros.brokers.kis.feed import KisMarketData
from ouroboros.domain.ids import InstrumentId
from ouroboros.interfaces.kis_testing import settings_for
from ouroboros.sandbox.kis import KisSandbox, SandboxConfig
from tests.sandbox.kis.official import KRX_OPEN, US_OPEN


async def test_domestic_minute_bars_page_back_to_the_open(tmp_path: Path) -> None:
    with KisSandbox(SandboxConfig(virtual=True, rate_limit=0, start=KRX_OPEN)) as sb:
        client = KisClient(settings_for(sb, tmp_path), now=sb.state.clock.now)
        feed = KisMarketData(client, now=sb.state.clock.now)
        try:
            iid = InstrumentId.parse("005930.KRX")
            bars = await feed.minute_bars(iid)
            price = await feed.price(iid)
        finally:
            await client.close()
    assert len(bars) == 301  # 09:00 .. 14:00 KST
    assert bars[0].ts == KRX_OPEN - timedelta(hours=5)  # 09:00 KST = 00:00 UTC
    assert bars[-1].ts == KRX_OPEN
    assert all(b.interval == timedelta(minutes=1) for b in bars)
    assert [b.ts for b in bars] == sorted({b.ts for b in bars})
    assert sum((b.volume for b in bars), Decimal(0)) == price.volume
    assert bars[-1].close.value == price.price.value


async def test_overseas_minute_bars_are_stamped_from_korean_time(tmp_path: Path) -> None:
    with KisSandbox(SandboxConfig(virtual=False, rate_limit=0, start=US_OPEN)) as sb:
        client = KisClient(settings_for(sb, tmp_path), now=sb.state.clock.now)
        feed = KisMarketData(client, now=sb.state.clock.now)
        try:
            bars = await feed.minute_bars(InstrumentId.parse("AAPL.NASDAQ"))
        finally:
            await client.close()
    assert len(bars) == 91  # 09:30 .. 11:00 New York
    assert bars[0].ts == US_OPEN - timedelta(minutes=90)
    assert bars[-1].ts == US_OPEN
