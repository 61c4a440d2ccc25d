"""Fixtures: a virtual-style sandbox per test and helpers to build clients against it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ouroboros.brokers.kis.client import KisClient, RetryPolicy
from ouroboros.domain.ids import ClientOrderId, InstrumentId
from ouroboros.domain.money import Price, Quantity
from ouroboros.domain.orders import Order, OrderSide, OrderType
from ouroboros.interfaces.kis_testing import settings_for
from ouroboros.sandbox.kis import KisSandbox, SandboxConfig

CREATED = datetime(2026, 1, 5, tzinfo=UTC)
FAST_RETRY = RetryPolicy(attempts=8, initial_wait=0.01, max_wait=0.05)


@pytest.fixture
def sandbox() -> Iterator[KisSandbox]:
    with KisSandbox(SandboxConfig(virtual=True, rate_limit=0)) as sb:
        yield sb


def fake_sleep_for(sandbox: KisSandbox) -> Callable[[float], Awaitable[None]]:
    """A sleep that moves the sandbox's clock instead of waiting (token minute rule tests)."""

    async def sleep(seconds: float) -> None:
        sandbox.state.clock.advance(seconds)
        await asyncio.sleep(0)

    return sleep


def make_client(
    sandbox: KisSandbox, tmp_path: Path, *, fake_sleep: bool = False, **overrides: Any
) -> KisClient:
    settings = settings_for(sandbox, tmp_path, **overrides)
    kwargs: dict[str, Any] = {"now": sandbox.state.clock.now, "retry": FAST_RETRY}
    if fake_sleep:
        kwargs["sleep"] = fake_sleep_for(sandbox)
    return KisClient(settings, **kwargs)


def limit_order(cid: str, instrument: str, side: OrderSide, qty: int | str, price: str) -> Order:
    return Order(
        ClientOrderId(cid),
        InstrumentId.parse(instrument),
        side,
        OrderType.LIMIT,
        Quantity(Decimal(qty)),
        CREATED,
        limit_price=Price(Decimal(price)),
    )


def market_order(cid: str, instrument: str, side: OrderSide, qty: int | str) -> Order:
    return Order(
        ClientOrderId(cid),
        InstrumentId.parse(instrument),
        side,
        OrderType.MARKET,
        Quantity(Decimal(qty)),
        CREATED,
    )
