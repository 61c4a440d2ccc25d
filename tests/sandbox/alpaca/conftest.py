"""A started Alpaca sandbox per test, and alpaca-py clients pointed at it with url_override."""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable, Iterator

import pytest

from ouroboros.sandbox.alpaca import AlpacaSandbox, SandboxConfig

with warnings.catch_warnings():  # alpaca-py's streams import websockets.legacy (reference §8)
    warnings.simplefilter("ignore", DeprecationWarning)
    from alpaca.data.historical import StockHistoricalDataClient
    from alpaca.trading.client import TradingClient


@pytest.fixture
def sandbox() -> Iterator[AlpacaSandbox]:
    box = AlpacaSandbox(SandboxConfig(fault_delay=0.5)).start()
    try:
        yield box
    finally:
        box.stop()


@pytest.fixture
def trading(sandbox: AlpacaSandbox) -> TradingClient:
    client = TradingClient(
        sandbox.config.key_id, sandbox.config.secret_key, url_override=sandbox.base_url
    )
    client._retry_wait = 0  # the SDK sleeps 3 s between its 429/504 retries
    return client


@pytest.fixture
def market_data(sandbox: AlpacaSandbox) -> StockHistoricalDataClient:
    client = StockHistoricalDataClient(
        sandbox.config.key_id, sandbox.config.secret_key, url_override=sandbox.base_url
    )
    client._retry_wait = 0
    return client


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 20.0) -> None:
    """Block until ``condition`` holds (polled on an Event, never asserting a duration)."""
    gate = threading.Event()
    for _ in range(int(timeout / 0.02)):
        if condition():
            return
        gate.wait(0.02)
    raise AssertionError(f"timed out waiting for {what}")
