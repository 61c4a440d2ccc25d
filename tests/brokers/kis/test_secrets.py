"""Secret hygiene: a whole session's logs, reprs and errors never contain the app secret/key."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from ouroboros.brokers.kis.errors import KisAuthError
from ouroboros.domain.ids import Venue
from ouroboros.domain.orders import OrderSide
from ouroboros.interfaces.kis_testing import broker_for, settings_for
from ouroboros.sandbox.kis import KisSandbox, SandboxApp, SandboxConfig
from tests.brokers.kis.conftest import limit_order

SECRET = "s3cr3t-APPSECRET-do-not-leak-0123456789"
APP_KEY = "PSKEY-do-not-leak-ABCDEFGH"


async def test_no_secret_in_logs_reprs_or_errors(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    apps = (SandboxApp(APP_KEY, SECRET, virtual=True),)
    seen: list[str] = []
    with KisSandbox(SandboxConfig(virtual=True, rate_limit=0, apps=apps)) as sb:
        sb.queue_fault("rate_limit", count=2)
        sb.queue_fault("5xx_after", path_contains="order-cash")
        broker = broker_for(sb, tmp_path, frozenset({Venue.KRX}), now=sb.state.clock.now)
        await broker.connect()
        for i in range(3):
            try:
                ack = await broker.submit(
                    limit_order(f"x{i}", "005930.KRX", OrderSide.BUY, 1, "71000")
                )
                seen.append(repr(ack))
            except Exception as exc:
                seen.append(f"{exc!r} {exc}")
        seen += [repr(r) for r in await broker.order_reports()]
        seen += [
            repr(broker),
            repr(broker.client),
            repr(broker.client.tokens),
            repr(broker.store),
            repr(broker.client.settings),
            str(broker.client.settings.model_dump()),
        ]
        await broker.close()
        bad = settings_for(sb, tmp_path / "bad", app_secret="wrong-" + SECRET)
        from ouroboros.brokers.kis.client import KisClient

        async with KisClient(bad) as client:
            with pytest.raises(KisAuthError) as info:
                await client.tokens.token()
            seen.append(f"{info.value!r} {info.value}")
    text = caplog.text + "\n".join(seen)
    assert "EGW00201" in caplog.text  # the session really logged its faults
    assert SECRET not in text
    assert APP_KEY not in text
    for path in tmp_path.rglob("orders_*.json"):
        assert SECRET not in path.read_text()
