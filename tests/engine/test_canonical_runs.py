"""Regression pins: a handful of canonical runs, pinned by their statistics and a hash of the
full ordered order and fill lists.

Each run (policy x markets x fill mode, including the main job's default replay) is compared
with ``tests/engine/pins/canonical_runs.json``. A refactor that changes a single decision, order
or fill fails here loudly. A *deliberate* change of behaviour updates the pins in its own
commit, whose message says why the figures moved:

    OUROBOROS_UPDATE_PINS=1 .venv/bin/pytest tests/engine/test_canonical_runs.py

(with the env var set the test rewrites the JSON and passes; review the diff before committing).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from ouroboros.data.panel import Panel
from ouroboros.domain import Currency, Instrument, Money
from ouroboros.domain.portfolio import Portfolio
from ouroboros.engine.backtest import RunConfig, RunOutcome, daily_feed, run
from ouroboros.engine.compose import STATIC_FX, opening_cash
from ouroboros.engine.policies import make_policy
from ouroboros.engine.replay import ReplayPlan, replay_feeds
from ouroboros.engine.sizing import Sizing
from ouroboros.engine.timeline import MarketFeed
from ouroboros.execution.fees import DEFAULT_FEES
from ouroboros.execution.order_manager import MemorySink
from ouroboros.execution.simulator import FillAt, FillModel, FillSimulator
from ouroboros.risk import RiskSettings
from ouroboros.strategy.sma_cross import SmaCross
from ouroboros.strategy.ta import TechnicalStrategy
from tests.engine.test_engine import nyse_index, random_panel

PINS = Path(__file__).parent / "pins" / "canonical_runs.json"
UPDATE = os.environ.get("OUROBOROS_UPDATE_PINS") == "1"


class _NoRestingStops(FillSimulator):
    """The simulator without resting protective orders (like KIS): engine-held guards."""

    @property
    def supports_protective_orders(self) -> bool:
        return False


def _replay(
    sink: MemorySink, markets: tuple[str, ...], days: int, policy: str, symbols: int = 20
) -> RunOutcome:
    """The main job (``ouroboros run``) as the CLI composes it, without the database."""
    feeds = replay_feeds(ReplayPlan(markets, days, None, symbols, 7))
    base = Currency.USD
    traded = [i.currency for f in feeds for i in f.instruments]
    cash, *extra = opening_cash(Money(Decimal("100000"), base), traded, STATIC_FX)
    config = RunConfig(
        cash=cash,
        extra_cash=tuple(extra),
        base_currency=base,
        sizing=Sizing.parse("fraction:0.1"),
        fx=STATIC_FX,
        run_id="pin",
    ).with_risk(RiskSettings())
    return run(feeds, make_policy(policy, {}), config, sink=sink)


def _random_feeds(n: int, bars: int, seed: int) -> list[MarketFeed]:
    panel = random_panel(n, bars, seed=seed)
    return [daily_feed("US_NYSE", panel, [Instrument.for_venue(s) for s in panel.symbols])]


def _ta(sink: MemorySink, fill_at: FillAt, sizing: str, *, engine_held: bool = False) -> RunOutcome:
    feeds = _random_feeds(8, 300, seed=11)
    cash = Money.of(1_000_000, "USD")
    model = FillModel(fill_at=fill_at)
    config = RunConfig(cash=cash, sizing=Sizing.parse(sizing), fill_model=model, run_id="pin")
    venue = None
    if engine_held:
        books = Portfolio(cash.currency)
        books.deposit(cash)
        instruments = {i.id: i for f in feeds for i in f.instruments}
        venue = _NoRestingStops(
            instruments, lambda inst: DEFAULT_FEES[inst.venue], model, books, id_prefix="pin-SIM"
        )
    return run(feeds, TechnicalStrategy(), config, sink=sink, venue=venue)


def _fat_tails(sink: MemorySink) -> RunOutcome:
    """Fat-tailed bars (the engine benchmark's generator): opens gap through stops."""
    rng = np.random.default_rng(7)
    bars, n = 600, 10
    close = np.round(100 * np.exp(np.cumsum(rng.standard_t(4, (bars, n)) * 0.012, axis=0)), 2)
    opening = np.round(close * (1 + rng.normal(0, 0.003, (bars, n))), 2)
    high = np.round(np.maximum(opening, close) * (1 + np.abs(rng.normal(0, 0.005, (bars, n)))), 2)
    low = np.round(np.minimum(opening, close) * (1 - np.abs(rng.normal(0, 0.005, (bars, n)))), 2)
    volume = rng.integers(100_000, 1_000_000, (bars, n)).astype(np.float64)
    index = nyse_index(date(2010, 1, 4), bars)
    panel = Panel(
        index, tuple(f"S{j:03d}.NASDAQ" for j in range(n)), opening, high, low, close, volume
    )
    feeds = [daily_feed("US_NASDAQ", panel, [Instrument.for_venue(s) for s in panel.symbols])]
    config = RunConfig(Money.of(10_000_000, "USD"), sizing=Sizing.parse("fraction:0.05"))
    return run(feeds, TechnicalStrategy(), config, sink=sink)


def _sma_reference(sink: MemorySink, fill_at: FillAt) -> RunOutcome:
    feeds = _random_feeds(5, 400, seed=3)
    config = RunConfig.reference(
        Money.of(100_000, "USD"),
        sizing=Sizing.parse("all_in"),
        fill_model=FillModel(fill_at=fill_at),
        commission=Decimal("0.002"),
        run_id="pin",
    )
    return run(feeds, SmaCross(fast=5, slow=20), config, sink=sink)


@dataclass(frozen=True)
class Canonical:
    name: str
    make: Callable[[MemorySink], RunOutcome]


MAIN = ("KR", "US_NASDAQ", "JP")
CANONICAL = [
    Canonical("main-job-playbook-kr-us-jp-20d", lambda s: _replay(s, MAIN, 20, "playbook")),
    Canonical("ta-kr-us-jp-10d", lambda s: _replay(s, MAIN, 10, "ta", 8)),
    Canonical("ta-next-open-fraction", lambda s: _ta(s, FillAt.NEXT_OPEN, "fraction:0.1")),
    Canonical("ta-close-risk", lambda s: _ta(s, FillAt.CLOSE, "risk")),
    Canonical(
        "ta-next-open-engine-held",
        lambda s: _ta(s, FillAt.NEXT_OPEN, "fraction:0.1", engine_held=True),
    ),
    Canonical("ta-fixed-shares", lambda s: _ta(s, FillAt.NEXT_OPEN, "fixed:25")),
    Canonical("ta-fat-tails-gaps", _fat_tails),
    Canonical("sma-reference-next-open", lambda s: _sma_reference(s, FillAt.NEXT_OPEN)),
    Canonical("sma-reference-close", lambda s: _sma_reference(s, FillAt.CLOSE)),
]


def _digest(rows: list[list[str]]) -> str:
    return hashlib.sha256(json.dumps(rows).encode()).hexdigest()


def fingerprint(outcome: RunOutcome, sink: MemorySink) -> dict[str, Any]:
    """What a pin holds: statistics, counts and hashes of the ordered orders, fills and
    stored equity snapshots."""
    result = outcome.result
    fills = [
        [
            f.fill_id,
            f.client_order_id.value,
            str(f.instrument_id),
            f.side.value,
            str(f.quantity.value),
            str(f.price.value),
            str(f.fee.amount),
            f.fee.currency.value,
            f.ts.isoformat(),
        ]
        for f in result.fills
    ]
    orders = [
        [
            o.client_order_id.value,
            str(o.instrument_id),
            o.side.value,
            o.order_type.value,
            str(o.quantity.value),
            str(o.filled_quantity.value),
            o.status.value,
            str(o.limit_price.value) if o.limit_price is not None else "",
            str(o.stop_price.value) if o.stop_price is not None else "",
            o.created_at.isoformat(),
        ]
        for o in sink.orders.values()
    ]
    stats = {
        k: round(v, 8) if isinstance(v, float) and math.isfinite(v) else v
        for k, v in outcome.stats.to_dict().items()
    }
    return {
        "stats": stats,
        "final_equity": str(outcome.final_equity),
        "orders": len(orders),
        "fills": len(fills),
        "trades": len(result.trades.all_trades()),
        "decisions": result.decisions,
        "orders_sha256": _digest(orders),
        "fills_sha256": _digest(fills),
        "snapshots_sha256": _digest([[t.isoformat(), str(e)] for t, e in sink.snapshots]),
    }


def _load() -> dict[str, Any]:
    if PINS.exists():
        data: dict[str, Any] = json.loads(PINS.read_text())
        return data
    return {}


@pytest.mark.parametrize("case", CANONICAL, ids=[c.name for c in CANONICAL])
def test_canonical_run_matches_its_pin(case: Canonical) -> None:
    sink = MemorySink()
    got = fingerprint(case.make(sink), sink)
    if UPDATE:
        pins = _load()
        pins[case.name] = got
        PINS.parent.mkdir(exist_ok=True)
        PINS.write_text(json.dumps(pins, indent=2, sort_keys=True) + "\n")
        return
    pins = _load()
    assert case.name in pins, f"no pin for {case.name}: run with OUROBOROS_UPDATE_PINS=1"
    assert got == pins[case.name], f"{case.name} moved: see the module docstring"
