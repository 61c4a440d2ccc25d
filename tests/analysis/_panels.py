"""Panels for the analysis tests: hand-written single-symbol series and random OHLCV walks."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ouroboros.analysis import FeatureConfig, StreamingFeatures
from ouroboros.data.panel import FloatMatrix, Panel

TINY = FeatureConfig(
    sma_periods=(3,),
    ema_periods=(3,),
    macd_fast=2,
    macd_slow=3,
    macd_signal=2,
    rsi_period=2,
    atr_period=2,
    bb_period=3,
    volume_period=3,
    change_periods=(1, 2),
    momentum_weights=(1.0, 1.0),
    breakout_period=2,
)
"""Periods small enough to check every feature by hand."""


def index(t_len: int) -> pd.DatetimeIndex:
    return pd.date_range("2024-01-01", periods=t_len, freq="D", tz="UTC")


def one_symbol(
    close: Sequence[float],
    high: Sequence[float] | None = None,
    low: Sequence[float] | None = None,
    volume: Sequence[float] | None = None,
) -> Panel:
    """A one-symbol panel; high/low default to the close, volume to 1000."""
    c = np.asarray(close, dtype=np.float64)[:, None]
    h = c.copy() if high is None else np.asarray(high, dtype=np.float64)[:, None]
    lo = c.copy() if low is None else np.asarray(low, dtype=np.float64)[:, None]
    v = np.full_like(c, 1000.0) if volume is None else np.asarray(volume, dtype=np.float64)[:, None]
    return Panel(index(c.shape[0]), ("X",), c.copy(), h, lo, c, v)


def random_panel(
    seed: int,
    t_len: int,
    n_sym: int,
    *,
    scale: float = 100.0,
    gap_prob: float = 0.0,
    flat_prob: float = 0.0,
    zero_volume_prob: float = 0.0,
    late_start: bool = False,
) -> Panel:
    """Geometric random-walk OHLCV with optional gaps, flat runs, zero volumes, late listings."""
    rng = np.random.default_rng(seed)
    shape = (t_len, n_sym)
    ret = rng.normal(0.0, 0.02, shape)
    ret[rng.random(shape) < flat_prob] = 0.0
    close = scale * np.exp(np.cumsum(ret, axis=0))
    opn = np.concatenate([close[:1], close[:-1]]) * np.exp(rng.normal(0, 0.004, shape))
    wick = np.abs(rng.normal(0.0, 0.006, shape))
    high = np.maximum(opn, close) * np.exp(wick)
    low = np.minimum(opn, close) * np.exp(-wick[::-1])
    volume = np.round(rng.lognormal(10.0, 0.6, shape))
    volume[rng.random(shape) < zero_volume_prob] = 0.0
    missing = rng.random(shape) < gap_prob
    if late_start and t_len > 1:
        for j in range(n_sym):
            missing[: rng.integers(0, t_len), j] = True
    for field in (opn, high, low, close, volume):
        field[missing] = np.nan
    symbols = tuple(f"S{j}" for j in range(n_sym))
    return Panel(index(t_len), symbols, opn, high, low, close, volume)


def stream_panel(panel: Panel, config: FeatureConfig) -> dict[str, FloatMatrix]:
    """Feed ``panel`` row by row through a fresh ``StreamingFeatures`` and stack the rows."""
    stream = StreamingFeatures(panel.symbols, config)
    rows = [
        stream.update(panel.open[i], panel.high[i], panel.low[i], panel.close[i], panel.volume[i])
        for i in range(panel.shape[0])
    ]
    return {
        name: np.stack([row[name] for row in rows]) if rows else np.empty(panel.shape)
        for name in config.feature_names()
    }
