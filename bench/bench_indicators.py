"""Indicator throughput: the full default feature set, batch (TA-Lib) and streaming (numpy).

Prints, for 500 synthetic symbols x 2,520 daily bars (a random walk generated inline with a
fixed seed; data generation is not timed):

* batch: best-of-N wall time of ``compute_features`` and bars/s (symbols x bars / seconds);
* streaming: ``StreamingFeatures.update`` over every row (which is also the cost of a warm
  start from that history): per-step p50/p99 after the warm-up, and bars/s over all steps;
* the batch/streaming throughput ratio, and a sanity line comparing the stream's last row
  with the batch's (the documented bound is rtol 1e-9).

Run: ``bash bench/run.sh bench/bench_indicators.py`` (options: ``--symbols``, ``--bars``,
``--repeat``, ``--seed``).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from ouroboros.analysis import DEFAULT_CONFIG, StreamingFeatures, compute_features
from ouroboros.data.panel import Panel


def random_walk_panel(n_symbols: int, n_bars: int, seed: int) -> Panel:
    """Geometric random-walk OHLCV (fat-tailed returns), every symbol trading every bar."""
    rng = np.random.default_rng(seed)
    shape = (n_bars, n_symbols)
    close = 100.0 * np.exp(np.cumsum(rng.standard_t(4, shape) * 0.012, axis=0))
    opening = close * (1.0 + rng.normal(0.0, 0.003, shape))
    high = np.maximum(opening, close) * (1.0 + np.abs(rng.normal(0.0, 0.005, shape)))
    low = np.minimum(opening, close) * (1.0 - np.abs(rng.normal(0.0, 0.005, shape)))
    volume = rng.integers(100_000, 1_000_000, shape).astype(np.float64)
    index = pd.date_range("2010-01-04", periods=n_bars, freq="B", tz="UTC")
    symbols = tuple(f"S{j:03d}" for j in range(n_symbols))
    return Panel(index, symbols, opening, high, low, close, volume)


def bench_batch(panel: Panel, repeat: int) -> float:
    """Best wall time of ``compute_features`` over ``repeat`` runs."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        compute_features(panel)
        best = min(best, time.perf_counter() - start)
    return best


def bench_stream(panel: Panel) -> tuple[np.ndarray, StreamingFeatures]:
    """Seconds per ``update`` for every row of ``panel``."""
    stream = StreamingFeatures(panel.symbols)
    steps = np.empty(panel.shape[0])
    for i in range(panel.shape[0]):
        row = (panel.open[i], panel.high[i], panel.low[i], panel.close[i], panel.volume[i])
        start = time.perf_counter()
        stream.update(*row)
        steps[i] = time.perf_counter() - start
    return steps, stream


def max_relative_gap(panel: Panel, stream: StreamingFeatures) -> float:
    """Largest |stream − batch| / max(|batch|, 1e-12 × price) over the last row."""
    batch = compute_features(panel)
    latest = stream.latest or {}
    level = 1e-12 * float(np.nanmax(np.abs(panel.close)))
    worst = 0.0
    for name, values in latest.items():
        want = batch[name][-1]
        gap = np.abs(values - want) / np.maximum(np.abs(want), level)
        worst = max(worst, float(np.nanmax(gap, initial=0.0)))
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--symbols", type=int, default=500)
    parser.add_argument("--bars", type=int, default=2520)
    parser.add_argument("--repeat", type=int, default=5, help="batch runs; the best is kept")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()

    panel = random_walk_panel(args.symbols, args.bars, args.seed)
    cells = args.symbols * args.bars
    n_features = len(DEFAULT_CONFIG.feature_names())
    print(
        f"indicators: {args.symbols} symbols x {args.bars} bars = {cells:,} bars, "
        f"{n_features} features (default FeatureConfig)"
    )

    batch_s = bench_batch(panel, args.repeat)
    batch_rate = cells / batch_s
    print(
        f"  batch     compute_features  best of {args.repeat}: {batch_s:8.3f} s"
        f"   {batch_rate:14,.0f} bars/s"
    )

    steps, stream = bench_stream(panel)
    steady = steps[min(DEFAULT_CONFIG.warmup_bars, steps.size - 1) :] * 1e3
    stream_rate = cells / steps.sum()
    print(
        f"  streaming update, {args.symbols} symbols/step: p50 {np.percentile(steady, 50):.3f} ms"
        f"   p99 {np.percentile(steady, 99):.3f} ms   max {steady.max():.3f} ms"
        f"   {stream_rate:14,.0f} bars/s"
    )
    print(f"  streaming warm start (replay of {args.bars} bars): {steps.sum():.3f} s")
    print(f"  ratio     batch / streaming throughput: {batch_rate / stream_rate:.1f}x")
    print(
        f"  check     stream vs batch, last row, max relative gap: "
        f"{max_relative_gap(panel, stream):.1e}  (bound 1e-9)"
    )


if __name__ == "__main__":
    main()
