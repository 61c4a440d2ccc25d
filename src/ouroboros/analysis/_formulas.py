"""Elementwise formulas shared by the batch and the streaming paths.

Batch applies them to one symbol's whole history (1-D), streaming to one row of the universe
(1-D across symbols). Sharing the code, not just the maths, is what makes the two paths agree
bit for bit on every feature that does not go through a TA-Lib recursion.

Every formula returns NaN where its result is undefined (a missing input, a zero or negative
denominator), never ``inf``; numpy's floating-point warnings are silenced for that reason.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

FLAT_STD_RTOL = 1e-10
"""A window whose standard deviation is below this fraction of its mean is flat (σ = 0).

Rounding leaves a σ of a few ulps on a constant window; real prices move by at least one tick
(≥ 1e-5 of the price on every market we trade), so 1e-10 separates the two with room to spare.
"""

RSI_FLAT = 50.0
"""RSI of a series that has not moved: neutral (TA-Lib says 0, which reads as "oversold")."""

MOMENTUM_VOLUME_CLIP = (0.5, 2.0)
"""The volume ratio scales the momentum score's trend term, clipped to this range."""


def bar_present(*fields: FloatArray) -> BoolArray:
    """A bar exists where every field is finite; a partial bar counts as no bar."""
    out = np.isfinite(fields[0])
    for field in fields[1:]:
        out &= np.isfinite(field)
    return out


def change_pct(close: FloatArray, prev_close: FloatArray) -> FloatArray:
    """``(close / prev_close − 1) × 100``; NaN where the earlier close is not positive."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out = (close / prev_close - 1.0) * 100.0
    return np.where(prev_close > 0.0, out, np.nan)


def range_pct(high: FloatArray, low: FloatArray, prev_close: FloatArray) -> FloatArray:
    """``(high − low) / previous close × 100``: the bar's span against where it started from."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out = (high - low) / prev_close * 100.0
    return np.where(prev_close > 0.0, out, np.nan)


def atr_pct(atr: FloatArray, close: FloatArray) -> FloatArray:
    """ATR as a percentage of the close, so volatility compares across price levels."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out = atr / close * 100.0
    return np.where(close > 0.0, out, np.nan)


def volume_ratio(volume: FloatArray, prev_mean_volume: FloatArray) -> FloatArray:
    """This bar's volume over the mean of the *previous* bars' volume; NaN if that mean is 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out = volume / prev_mean_volume
    return np.where(prev_mean_volume > 0.0, out, np.nan)


def window_std(columns: Sequence[FloatArray]) -> FloatArray:
    """Population standard deviation across ``columns`` (one array per window position).

    Two passes (mean, then mean squared deviation) instead of TA-Lib's ``E[x²] − E[x]²``,
    which cancels catastrophically on high prices (KRW, VND) and flat windows. The sums run
    in column order on purpose: batch and streaming call this with the same columns, so
    they agree bit for bit. A flat window (see ``FLAT_STD_RTOL``) gives exactly 0.
    """
    n = float(len(columns))
    total = columns[0].copy()
    for col in columns[1:]:
        total += col
    mean = total / n
    dev = columns[0] - mean
    sq = dev * dev
    for col in columns[1:]:  # in place: same operations, no temporaries
        np.subtract(col, mean, out=dev)
        np.multiply(dev, dev, out=dev)
        sq += dev
    std = np.sqrt(sq / n)
    return np.where(std <= FLAT_STD_RTOL * np.abs(mean), 0.0, std)


def bollinger(middle: FloatArray, std: FloatArray, width: float) -> tuple[FloatArray, FloatArray]:
    """Upper and lower band: ``middle ± width × σ`` (TA-Lib's order of operations)."""
    dev = std * width
    return middle + dev, middle - dev


def percent_b(close: FloatArray, upper: FloatArray, lower: FloatArray) -> FloatArray:
    """Where the close sits in the band: 0 at the lower band, 1 at the upper; NaN if flat."""
    span = upper - lower
    with np.errstate(divide="ignore", invalid="ignore"):
        out = (close - lower) / span
    return np.where(span > 0.0, out, np.nan)


def band_width(upper: FloatArray, lower: FloatArray, middle: FloatArray) -> FloatArray:
    """Bollinger BandWidth ``(upper − lower) / middle`` as a fraction (0.1 = 10 %)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out = (upper - lower) / middle
    return np.where(middle > 0.0, out, np.nan)


def momentum_score(
    close: FloatArray,
    atr: FloatArray,
    changes: Sequence[FloatArray],
    periods: Sequence[int],
    weights: Sequence[float],
    vol_ratio: FloatArray,
    scale: float,
) -> FloatArray:
    """0–100 momentum: volatility-normalised multi-horizon return, scaled by volume.

    ``z_k = (change_pct_k / 100) / (ATR / close × √k)`` is the k-bar move in units of the
    move ATR predicts for k bars; ``trend`` is the weighted mean of the ``z_k``; the volume
    ratio (clipped to ``MOMENTUM_VOLUME_CLIP``, 1 when undefined) amplifies or damps it; and
    ``50 × (1 + tanh(trend × volume / scale))`` maps it to 0–100 with 50 neutral. A series
    that never moved (ATR 0) scores 50.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        sigma = atr / close
        total_weight = float(sum(weights))
        trend = np.zeros_like(close)
        for change, k, w in zip(changes, periods, weights, strict=True):
            trend += (w / total_weight) * (change / 100.0) / (sigma * np.sqrt(float(k)))
        trend = np.where(atr == 0.0, 0.0, trend)
        trend = np.where(close > 0.0, trend, np.nan)
        lo, hi = MOMENTUM_VOLUME_CLIP
        vol = np.where(np.isnan(vol_ratio), 1.0, np.clip(vol_ratio, lo, hi))
        return 50.0 * (1.0 + np.tanh(trend * vol / scale))


def above(value: FloatArray, level: FloatArray) -> FloatArray:
    """1.0 where ``value > level``, 0.0 where not, NaN where either is undefined."""
    flag = (value > level).astype(np.float64)
    return np.where(np.isnan(value) | np.isnan(level), np.nan, flag)


def below(value: FloatArray, level: FloatArray) -> FloatArray:
    """1.0 where ``value < level``, 0.0 where not, NaN where either is undefined."""
    flag = (value < level).astype(np.float64)
    return np.where(np.isnan(value) | np.isnan(level), np.nan, flag)
