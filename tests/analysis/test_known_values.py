"""Every feature against values worked out by hand, through both the batch and the stream.

The ``TINY`` periods (SMA/EMA 3, MACD 2/3/2, RSI/ATR 2, Bollinger 3, volume 3, changes 1 and
2, channel 2) keep the arithmetic small enough to check on paper; the exact fractions are in
the comments.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable

import numpy as np
import pytest

from ouroboros.analysis import FeatureConfig, compute_features
from ouroboros.data.panel import Panel
from tests.analysis._panels import TINY, one_symbol, stream_panel

NAN = math.nan
Series = dict[str, np.ndarray]


def _batch(panel: Panel, config: FeatureConfig) -> Series:
    fs = compute_features(panel, config)
    return {name: fs[name][:, 0] for name in fs}


def _stream(panel: Panel, config: FeatureConfig) -> Series:
    return {name: mat[:, 0] for name, mat in stream_panel(panel, config).items()}


PATHS = [pytest.param(_batch, id="batch"), pytest.param(_stream, id="stream")]
Path = Callable[[Panel, FeatureConfig], Series]


def _close(actual: np.ndarray, expected: list[float]) -> None:
    np.testing.assert_allclose(actual, np.array(expected), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("path", PATHS)
def test_sma_and_ema(path: Path) -> None:
    out = path(one_symbol([2.0, 4.0, 6.0, 10.0, 4.0]), TINY)
    _close(out["sma_3"], [NAN, NAN, 4.0, 20 / 3, 20 / 3])
    # Seed = mean of the first 3 (4), then k = 2/(3+1) = 0.5: 4 + 6/2 = 7, 7 − 3/2 = 5.5.
    _close(out["ema_3"], [NAN, NAN, 4.0, 7.0, 5.5])


@pytest.mark.parametrize("path", PATHS)
def test_macd_starts_both_emas_on_the_slow_bar(path: Path) -> None:
    # TA-Lib seeds MACD's fast EMA(2) on bar 2 with mean(3, 2) = 2.5, *not* on bar 1.
    # slow EMA(3): 2, 4, 4, 6. fast: 2.5, 29/6, 77/18, 365/54. line: 1/2, 5/6, 5/18, 41/54.
    # signal EMA(2) seeded on bar 3 with mean(1/2, 5/6) = 2/3, then 11/27, 52/81.
    out = path(one_symbol([1.0, 3.0, 2.0, 6.0, 4.0, 8.0]), TINY)
    _close(out["macd"], [NAN, NAN, NAN, 5 / 6, 5 / 18, 41 / 54])
    _close(out["macd_signal"], [NAN, NAN, NAN, 2 / 3, 11 / 27, 52 / 81])
    _close(out["macd_hist"], [NAN, NAN, NAN, 1 / 6, -7 / 54, 19 / 162])


@pytest.mark.parametrize("path", PATHS)
def test_rsi_wilder(path: Path) -> None:
    # Changes +1, −0.5, +1, 0, −1.5. Seed: gain 1/2, loss 0.25 → 200/3. Then Wilder with n = 2:
    # (0.75, 0.125) → 600/7; (0.375, 0.0625) → 600/7; (0.1875, 0.78125) → 600/31.
    out = path(one_symbol([10.0, 11.0, 10.5, 11.5, 11.5, 10.0]), TINY)
    _close(out["rsi_2"], [NAN, NAN, 200 / 3, 600 / 7, 600 / 7, 600 / 31])


@pytest.mark.parametrize("path", PATHS)
def test_rsi_of_a_flat_series_is_neutral_and_of_a_falling_one_zero(path: Path) -> None:
    flat = path(one_symbol([5.0] * 6), TINY)
    _close(flat["rsi_2"], [NAN, NAN, 50.0, 50.0, 50.0, 50.0])
    falling = path(one_symbol([6.0, 5.0, 4.0, 3.0]), TINY)
    _close(falling["rsi_2"], [NAN, NAN, 0.0, 0.0])


@pytest.mark.parametrize("path", PATHS)
def test_atr_uses_true_range_and_wilder_smoothing(path: Path) -> None:
    # TR: max(2, 2.5, 0.5) = 2.5; max(1.5, 0, 1.5) = 1.5; max(2, 3, 1) = 3.
    # ATR: (2.5 + 1.5) / 2 = 2, then (2 × 1 + 3) / 2 = 2.5.
    out = path(
        one_symbol(
            close=[9.5, 11.0, 10.0, 12.0], high=[10.0, 12.0, 11.0, 13.0], low=[9.0, 10.0, 9.5, 11.0]
        ),
        TINY,
    )
    _close(out["atr_2"], [NAN, NAN, 2.0, 2.5])
    _close(out["atr_pct_2"], [NAN, NAN, 20.0, 2.5 / 12.0 * 100.0])


@pytest.mark.parametrize("path", PATHS)
def test_bollinger(path: Path) -> None:
    out = path(one_symbol([1.0, 2.0, 3.0, 5.0]), TINY)
    s2 = math.sqrt(2 / 3)  # window 1, 2, 3: mean 2, population variance 2/3
    s3 = math.sqrt(14) / 3  # window 2, 3, 5: mean 10/3, variance 14/9
    _close(out["bb_middle_3"], [NAN, NAN, 2.0, 10 / 3])
    _close(out["bb_upper_3"], [NAN, NAN, 2 + 2 * s2, 10 / 3 + 2 * s3])
    _close(out["bb_lower_3"], [NAN, NAN, 2 - 2 * s2, 10 / 3 - 2 * s3])
    _close(out["bb_pctb_3"], [NAN, NAN, (1 + 2 * s2) / (4 * s2), (5 / 3 + 2 * s3) / (4 * s3)])
    _close(out["bb_width_3"], [NAN, NAN, 2 * s2, 4 * s3 / (10 / 3)])


@pytest.mark.parametrize("path", PATHS)
def test_bollinger_of_a_flat_window_collapses(path: Path) -> None:
    out = path(one_symbol([712345.67] * 5), TINY)
    _close(out["bb_upper_3"], [NAN, NAN, 712345.67, 712345.67, 712345.67])
    _close(out["bb_width_3"], [NAN, NAN, 0.0, 0.0, 0.0])
    assert np.isnan(out["bb_pctb_3"]).all()


@pytest.mark.parametrize("path", PATHS)
def test_volume_ratio_compares_with_the_previous_bars_mean(path: Path) -> None:
    out = path(one_symbol([10.0] * 6, volume=[100, 200, 300, 400, 0, 600]), TINY)
    # previous-3-bar means: 200 (bars 0–2), 300 (1–3), 700/3 (2–4)
    _close(out["volume_ratio_3"], [NAN, NAN, NAN, 2.0, 0.0, 18 / 7])
    silent = path(one_symbol([10.0] * 4, volume=[0, 0, 0, 5]), TINY)
    assert np.isnan(silent["volume_ratio_3"]).all()  # no volume to compare with


@pytest.mark.parametrize("path", PATHS)
def test_price_changes_and_range(path: Path) -> None:
    out = path(one_symbol([100.0, 110.0, 99.0], high=[101, 112, 111], low=[99, 100, 98]), TINY)
    _close(out["change_pct_1"], [NAN, 10.0, -10.0])
    _close(out["change_pct_2"], [NAN, NAN, -1.0])
    _close(out["range_pct"], [NAN, 12.0, 13 / 110 * 100])


@pytest.mark.parametrize("path", PATHS)
def test_channel_and_breakout_flags(path: Path) -> None:
    out = path(
        one_symbol(
            close=[9.5, 10.5, 10.0, 11.5, 8.5],
            high=[10.0, 11.0, 10.5, 12.0, 11.0],
            low=[9.0, 10.0, 9.5, 11.0, 8.0],
        ),
        TINY,
    )
    _close(out["donchian_high_2"], [NAN, NAN, 11.0, 11.0, 12.0])
    _close(out["donchian_low_2"], [NAN, NAN, 9.0, 9.5, 9.5])
    _close(out["breakout_2"], [NAN, NAN, 0.0, 1.0, 0.0])
    _close(out["breakdown_2"], [NAN, NAN, 0.0, 0.0, 1.0])


@pytest.mark.parametrize("path", PATHS)
def test_momentum_score(path: Path) -> None:
    # Bars 0–2 build ATR(2) = 2 on a close of 100 (σ = 2 %); bar 3 closes +2 % on double the
    # average volume: z1 = 0.02 / 0.02 = 1, z2 = (102/100 − 1) / (0.02 × √2) = 1/√2.
    cfg = dataclasses.replace(TINY, momentum_weights=(1.0, 0.0))
    out = path(
        one_symbol(
            close=[100.0, 100.0, 100.0, 102.0],
            high=[101.0, 101.0, 101.0, 103.0],
            low=[99.0, 99.0, 99.0, 101.0],
            volume=[10.0, 10.0, 10.0, 20.0],
        ),
        cfg,
    )
    # ATR at bar 3 = (2 × 1 + 3) / 2 = 2.5, so z1 = 0.02 / (2.5 / 102).
    z1 = 0.02 / (2.5 / 102.0)
    _close(out["momentum_score"], [NAN, NAN, 50.0, 50.0 * (1.0 + math.tanh(z1 * 2.0 / 2.0))])
