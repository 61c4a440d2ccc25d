"""Every feature of one symbol, over its own gap-free sequence of bars.

``compute_features`` cuts each symbol's bars out of the panel (dropping rows where it has no
bar), calls :func:`series_features`, and scatters the results back. Working on the compressed
series is what gives every indicator its "count the symbol's own bars" meaning.
"""

from __future__ import annotations

import numpy as np

from ouroboros.analysis import _formulas as fm
from ouroboros.analysis import _talib as ta
from ouroboros.analysis._formulas import FloatArray
from ouroboros.analysis.config import FeatureConfig


def lag(x: FloatArray, k: int) -> FloatArray:
    """``x`` delayed by ``k`` bars, NaN-padded at the start."""
    out = np.full_like(x, np.nan)
    if k < x.shape[0]:
        out[k:] = x[: x.shape[0] - k]
    return out


def series_features(
    high: FloatArray,
    low: FloatArray,
    close: FloatArray,
    volume: FloatArray,
    config: FeatureConfig,
) -> dict[str, FloatArray]:
    """Feature name → 1-D array the length of the inputs (which must hold no NaN)."""
    names = config.names()
    out: dict[str, FloatArray] = {}
    for name, p in zip(names.sma, config.sma_periods, strict=True):
        out[name] = ta.sma(close, p)
    for name, p in zip(names.ema, config.ema_periods, strict=True):
        out[name] = ta.ema(close, p)
    line, signal, hist = ta.macd(close, config.macd_fast, config.macd_slow, config.macd_signal)
    out[names.macd], out[names.macd_signal], out[names.macd_hist] = line, signal, hist
    out[names.rsi] = _rsi(close, config.rsi_period)
    atr = ta.atr(high, low, close, config.atr_period)
    out[names.atr] = atr
    out[names.atr_pct] = fm.atr_pct(atr, close)
    out.update(_bollinger(close, config))
    vol_ratio = fm.volume_ratio(volume, lag(ta.sma(volume, config.volume_period), 1))
    out[names.volume_ratio] = vol_ratio
    changes = [fm.change_pct(close, lag(close, k)) for k in config.change_periods]
    out.update(zip(names.change_pct, changes, strict=True))
    out[names.range_pct] = fm.range_pct(high, low, lag(close, 1))
    out[names.momentum_score] = fm.momentum_score(
        close,
        atr,
        changes,
        config.change_periods,
        config.momentum_weights,
        vol_ratio,
        config.momentum_scale,
    )
    channel_high = lag(ta.rolling_max(high, config.breakout_period), 1)
    channel_low = lag(ta.rolling_min(low, config.breakout_period), 1)
    out[names.donchian_high], out[names.donchian_low] = channel_high, channel_low
    out[names.breakout] = fm.above(close, channel_high)
    out[names.breakdown] = fm.below(close, channel_low)
    return out


def _rsi(close: FloatArray, period: int) -> FloatArray:
    """TA-Lib's Wilder RSI, except that a series with no movement reads 50, not 0.

    TA-Lib returns 0 both for "only losses" and for "no movement at all" (average gain +
    average loss exactly 0). The RSI of the negated series tells them apart exactly: it is 100
    in the first case and 0 in the second, because the two runs swap gains and losses and so
    compute the same sum.
    """
    up = ta.rsi(close, period)
    down = ta.rsi(-close, period)
    return np.where((up == 0.0) & (down == 0.0), fm.RSI_FLAT, up)


def _bollinger(close: FloatArray, config: FeatureConfig) -> dict[str, FloatArray]:
    """Bands around TA-Lib's SMA with a two-pass σ (see ``_formulas.window_std``)."""
    names = config.names()
    n = config.bb_period
    m = close.shape[0]
    middle = ta.sma(close, n)
    std = np.full_like(close, np.nan)
    if m >= n:
        std[n - 1 :] = fm.window_std([close[k : m - n + 1 + k] for k in range(n)])
    upper, lower = fm.bollinger(middle, std, config.bb_std)
    return {
        names.bb_upper: upper,
        names.bb_middle: middle,
        names.bb_lower: lower,
        names.bb_pctb: fm.percent_b(close, upper, lower),
        names.bb_width: fm.band_width(upper, lower, middle),
    }
