"""Every feature over a packed universe: TA-Lib per symbol, the rest vectorised.

TA-Lib works on one series at a time, so the recursive indicators (SMA, EMA, MACD, RSI, ATR,
rolling max/min) run once per symbol on its packed row prefix. Everything built on top of
them — percentages, ratios, bands, the momentum score, flags — is elementwise, so it runs
once on the whole (N, T) packed matrix with the formulas the stream also uses.
"""

from __future__ import annotations

import numpy as np

from ouroboros.analysis import _formulas as fm
from ouroboros.analysis import _talib as ta
from ouroboros.analysis._formulas import FloatArray
from ouroboros.analysis._packing import Packed
from ouroboros.analysis.config import FeatureConfig


def packed_features(packed: Packed, config: FeatureConfig) -> dict[str, FloatArray]:
    """Feature name → (B, T) packed matrix for the B symbols of ``packed``.

    Callers pass a few symbols at a time: every temporary is then a few hundred KiB and
    stays in cache, which makes the elementwise part several times faster than one pass
    over the whole (N, T) universe (that is memory-bound).
    """
    names = config.names()
    base = _talib_base(packed, config)
    h, lo, c, v = packed.high, packed.low, packed.close, packed.volume
    out: dict[str, FloatArray] = {}
    out.update(
        (name, base[f"sma_{p}"]) for name, p in zip(names.sma, config.sma_periods, strict=True)
    )
    out.update(
        (name, base[f"ema_{p}"]) for name, p in zip(names.ema, config.ema_periods, strict=True)
    )
    out[names.macd], out[names.macd_signal] = base["macd"], base["macd_signal"]
    out[names.macd_hist] = base["macd_hist"]
    # TA-Lib's RSI is 0 for "only losses" and for "no movement"; the negated series' RSI is
    # 100 in the first case and 0 in the second (same sum, gains and losses swapped).
    no_move = (base["rsi"] == 0.0) & (base["rsi_neg"] == 0.0)
    out[names.rsi] = np.where(no_move, fm.RSI_FLAT, base["rsi"])
    atr = base["atr"]
    out[names.atr], out[names.atr_pct] = atr, fm.atr_pct(atr, c)
    out.update(_bollinger(c, base[f"sma_{config.bb_period}"], config))
    vol_ratio = fm.volume_ratio(v, lag(base["volume_sma"], 1))
    out[names.volume_ratio] = vol_ratio
    changes = [fm.change_pct(c, lag(c, k)) for k in config.change_periods]
    out.update(zip(names.change_pct, changes, strict=True))
    out[names.range_pct] = fm.range_pct(h, lo, lag(c, 1))
    out[names.momentum_score] = fm.momentum_score(
        c,
        atr,
        changes,
        config.change_periods,
        config.momentum_weights,
        vol_ratio,
        config.momentum_scale,
    )
    channel_high, channel_low = lag(base["max_high"], 1), lag(base["min_low"], 1)
    out[names.donchian_high], out[names.donchian_low] = channel_high, channel_low
    out[names.breakout] = fm.above(c, channel_high)
    out[names.breakdown] = fm.below(c, channel_low)
    return out


def lag(x: FloatArray, k: int) -> FloatArray:
    """``x`` delayed by ``k`` bars along the last axis, NaN-padded."""
    out = np.full_like(x, np.nan)
    t_len = x.shape[-1]
    if k < t_len:
        out[..., k:] = x[..., : t_len - k]
    return out


def _talib_base(packed: Packed, config: FeatureConfig) -> dict[str, FloatArray]:
    """The TA-Lib outputs, one call per symbol and indicator, into NaN-filled (N, T) buffers."""
    sma_periods = sorted({*config.sma_periods, config.bb_period})
    keys = [f"sma_{p}" for p in sma_periods] + [f"ema_{p}" for p in config.ema_periods]
    keys += ["macd", "macd_signal", "macd_hist", "rsi", "rsi_neg", "atr"]
    keys += ["volume_sma", "max_high", "min_low"]
    base = {key: np.full(packed.shape, np.nan) for key in keys}
    for j, m in enumerate(packed.lengths.tolist()):
        if m == 0:
            continue
        h, lo = packed.high[j, :m], packed.low[j, :m]
        c, v = packed.close[j, :m], packed.volume[j, :m]
        for p in sma_periods:
            base[f"sma_{p}"][j, :m] = ta.sma(c, p)
        for p in config.ema_periods:
            base[f"ema_{p}"][j, :m] = ta.ema(c, p)
        line, signal, hist = ta.macd(c, config.macd_fast, config.macd_slow, config.macd_signal)
        base["macd"][j, :m], base["macd_signal"][j, :m], base["macd_hist"][j, :m] = (
            line,
            signal,
            hist,
        )
        base["rsi"][j, :m] = ta.rsi(c, config.rsi_period)
        base["rsi_neg"][j, :m] = ta.rsi(-c, config.rsi_period)
        base["atr"][j, :m] = ta.atr(h, lo, c, config.atr_period)
        base["volume_sma"][j, :m] = ta.sma(v, config.volume_period)
        base["max_high"][j, :m] = ta.rolling_max(h, config.breakout_period)
        base["min_low"][j, :m] = ta.rolling_min(lo, config.breakout_period)
    return base


def _bollinger(
    close: FloatArray, middle: FloatArray, config: FeatureConfig
) -> dict[str, FloatArray]:
    """Bands around TA-Lib's SMA with a two-pass σ (see ``_formulas.window_std``)."""
    names = config.names()
    n = config.bb_period
    t_len = close.shape[-1]
    std = np.full_like(close, np.nan)
    if t_len >= n:
        std[:, n - 1 :] = fm.window_std([close[:, k : t_len - n + 1 + k] for k in range(n)])
    upper, lower = fm.bollinger(middle, std, config.bb_std)
    return {
        names.bb_upper: upper,
        names.bb_middle: middle,
        names.bb_lower: lower,
        names.bb_pctb: fm.percent_b(close, upper, lower),
        names.bb_width: fm.band_width(upper, lower, middle),
    }
