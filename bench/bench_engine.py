"""Engine throughput: full pipeline (policy, sizing, orders, fill simulator, ledger, audit sink).

Prints bars/s and peak RSS for the ``sma-cross`` and ``ta`` policies on 1, 10, 100 and 500
symbols x 2,520 daily bars, and the scenario engine's time per step (p50/p99) for 500 symbols x
5 scenarios. Indicator computation (``prepare``) is included in the timed run; data generation
is not. Run: ``bash bench/run.sh bench/bench_engine.py``.
"""

from __future__ import annotations

import resource
import sys
import time
from datetime import UTC, date, datetime

import numpy as np
import pandas as pd

from ouroboros.data.panel import Panel
from ouroboros.domain import Instrument, Money
from ouroboros.domain.playbook import Action, Condition, Op, Playbook, Scenario, StockPlan
from ouroboros.engine.backtest import RunConfig, daily_feed, run
from ouroboros.engine.sizing import Sizing
from ouroboros.execution.order_manager import MemorySink
from ouroboros.strategy.base import DecisionPolicy, StepView
from ouroboros.strategy.playbook.scenario_engine import CompiledPlaybook
from ouroboros.strategy.sma_cross import SmaCross
from ouroboros.strategy.ta import TechnicalStrategy

BARS = 2520


def random_panel(n: int, bars: int = BARS, seed: int = 7) -> Panel:
    rng = np.random.default_rng(seed)
    close = np.round(100 * np.exp(np.cumsum(rng.standard_t(4, (bars, n)) * 0.012, axis=0)), 2)
    opening = np.round(close * (1 + rng.normal(0, 0.003, (bars, n))), 2)
    high = np.round(np.maximum(opening, close) * (1 + np.abs(rng.normal(0, 0.005, (bars, n)))), 2)
    low = np.round(np.minimum(opening, close) * (1 - np.abs(rng.normal(0, 0.005, (bars, n)))), 2)
    volume = rng.integers(100_000, 1_000_000, (bars, n)).astype(np.float64)
    index = pd.date_range("2010-01-04", periods=bars, freq="B", tz="UTC")
    symbols = tuple(f"S{j:03d}.NASDAQ" for j in range(n))
    return Panel(index, symbols, opening, high, low, close, volume)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_policy(
    name: str, make: type[DecisionPolicy] | object, n: int, *, reference: bool = False
) -> tuple[float, int, int, int]:
    """bars/s, fills, trades and risk evaluations of one run (default limits and breaker, or
    the permissive reference profile)."""
    panel = random_panel(n)
    instruments = [Instrument.for_venue(s) for s in panel.symbols]
    policy = make() if callable(make) else make
    cash = Money.of(10_000_000, "USD")
    sizing = Sizing.parse("fraction:0.05")
    config = (
        RunConfig.reference(cash, sizing=sizing) if reference else RunConfig(cash, sizing=sizing)
    )
    sink = MemorySink()
    started = time.perf_counter()
    outcome = run([daily_feed("US_NASDAQ", panel, instruments)], policy, config, sink=sink)  # type: ignore[arg-type]
    elapsed = time.perf_counter() - started
    evaluations = sum(1 for kind, _, _ in sink.events if kind.startswith("risk."))
    return (
        outcome.result.bars / elapsed,
        len(outcome.result.fills),
        outcome.stats.trades,
        evaluations,
    )


def bench_scenarios(n: int = 500, steps: int = 300) -> tuple[float, float]:
    panel = random_panel(n, bars=steps + 1)
    rng = np.random.default_rng(3)
    names = ["rsi_14", "volume_ratio_20", "change_pct_1", "sma_10", "sma_30"]
    features = {name: rng.normal(50, 20, panel.close.shape) for name in names}
    scenarios = tuple(
        Scenario(
            f"s{k}",
            Action.BUY if k % 2 == 0 else Action.SELL,
            (
                Condition("rsi_14", Op.LT, 30.0 + k),
                Condition("volume_ratio_20", Op.GT, 40.0),
                Condition("sma_10", Op.GT, "sma_30"),
            ),
            0.6 + k / 20,
        )
        for k in range(5)
    )
    playbook = Playbook(
        "US_NASDAQ",
        date(2026, 1, 2),
        "bench",
        datetime(2026, 1, 2, tzinfo=UTC),
        tuple(StockPlan(s, scenarios) for s in panel.symbols),
    )
    compiled = CompiledPlaybook(playbook, panel.symbols)
    qty = np.zeros(n)
    times = []
    for t in range(1, steps + 1):
        view = StepView(t, features, panel.close, qty)
        started = time.perf_counter_ns()
        compiled.evaluate(view)
        times.append(time.perf_counter_ns() - started)
    arr = np.asarray(times) / 1000
    return float(np.percentile(arr, 50)), float(np.percentile(arr, 99))


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [1, 10, 100, 500]
    print(
        f"engine pipeline, {BARS} daily bars per symbol "
        "(indicators included, data generation excluded)"
    )
    print(
        f"{'policy':<10} {'symbols':>7} {'bars/s':>12} {'fills':>7} {'trades':>7} "
        f"{'risk evals':>10} {'peak RSS MB':>12}"
    )
    for name, make in (("sma-cross", SmaCross), ("ta", TechnicalStrategy)):
        for n in sizes:
            rate, fills, trades, evals = bench_policy(name, make, n)
            print(
                f"{name:<10} {n:>7} {rate:>12,.0f} {fills:>7} {trades:>7} {evals:>10} "
                f"{peak_rss_mb():>12.0f}"
            )
    n = max(sizes)
    gated, _, _, evals = bench_policy("ta", TechnicalStrategy, n)
    open_, _, _, _ = bench_policy("ta", TechnicalStrategy, n, reference=True)
    print(
        f"risk gate cost, ta on {n} symbols: {gated:,.0f} bars/s with default limits and the "
        f"breaker ({evals} evaluations) vs {open_:,.0f} permissive reference, "
        f"ratio {gated / open_:.2f}"
    )
    p50, p99 = bench_scenarios()
    print(
        "scenario engine, 500 symbols x 5 scenarios x 3 conditions: "
        f"p50 {p50:.0f} us, p99 {p99:.0f} us per step"
    )
    print(
        "reference (issue figures, this machine): backtesting.py ~78,000 bars/s, "
        "backtrader ~12,000 bars/s"
    )


if __name__ == "__main__":
    main()
