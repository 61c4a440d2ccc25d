"""The Alpaca adapter on a local sandbox."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import pytest

from ouroboros.brokers.alpaca import AlpacaBroker, AlpacaClient, RetryPolicy
from ouroboros.sandbox.alpaca import AlpacaSandbox, SandboxConfig

MakeBroker = Callable[..., Awaitable[AlpacaBroker]]


@pytest.fixture
def sandbox() -> Iterator[AlpacaSandbox]:
    box = AlpacaSandbox(SandboxConfig(fault_delay=0.6)).start()
    try:
        yield box
    finally:
        box.stop()


def client_for(box: AlpacaSandbox, **kw: Any) -> AlpacaClient:
    options: dict[str, Any] = {
        "timeout": 0.3,
        "requests_per_minute": 10**6,
        "retry": RetryPolicy(attempts=4, initial_wait=0.01, max_wait=0.05),
    }
    options.update(kw)
    return AlpacaClient(box.base_url, box.config.key_id, box.config.secret_key, **options)


@pytest.fixture
async def make_broker(sandbox: AlpacaSandbox) -> AsyncIterator[MakeBroker]:
    made: list[AlpacaBroker] = []

    async def make(**kw: Any) -> AlpacaBroker:
        client = client_for(sandbox, **kw.pop("client", {}))
        broker = AlpacaBroker(client, now=sandbox.clock.now, cancel_poll_interval=0.01, **kw)
        await broker.connect()
        made.append(broker)
        return broker

    yield make
    for broker in made:
        await broker.close()
