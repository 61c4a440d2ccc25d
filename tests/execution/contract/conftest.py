"""Parametrises the broker contract suite over every harness (KIS domestic and overseas, the
paper broker, Alpaca on its sandbox; a new venue joins by adding an entry to ``HARNESSES``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from .alpaca_harness import AlpacaHarness
from .harness import BrokerHarness, KisHarness
from .paper_harness import PaperHarness

HARNESSES: dict[str, Callable[[Path], BrokerHarness]] = {
    "kis-domestic": lambda d: KisHarness("005930.KRX", d),
    "kis-overseas": lambda d: KisHarness("AAPL.NASDAQ", d),
    "paper-domestic": lambda _d: PaperHarness("005930.KRX"),
    "paper-overseas": lambda _d: PaperHarness("AAPL.NASDAQ"),
    "alpaca-us": lambda _d: AlpacaHarness("AAPL.NASDAQ"),
}


@pytest.fixture(params=sorted(HARNESSES))
async def harness(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[BrokerHarness]:
    made = HARNESSES[request.param](tmp_path)
    try:
        yield made
    finally:
        await made.close()
