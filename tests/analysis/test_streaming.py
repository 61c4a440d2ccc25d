"""``StreamingFeatures`` reproduces ``compute_features`` row for row.

Features that go through a TA-Lib recursion (EMA, MACD, RSI, ATR and what is built on them)
may differ by rounding: TA-Lib's C code is compiled with fused multiply-add and numpy has
none. The documented bound is ``|stream − batch| ≤ 1e-9 × |batch| + 1e-12 × price level``;
everything else must be bit-identical.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ouroboros.analysis import DEFAULT_CONFIG, FeatureConfig, StreamingFeatures, compute_features
from ouroboros.data.panel import Panel
from tests.analysis._panels import TINY, random_panel, stream_panel

RTOL = 1e-9
ATOL_PER_PRICE = 1e-12


def _rounded_features(config: FeatureConfig) -> set[str]:
    """Features whose value passes through a multiply-add recursion."""
    n = config.names()
    return {*n.ema, n.macd, n.macd_signal, n.macd_hist, n.rsi, n.atr, n.atr_pct, n.momentum_score}


def assert_stream_matches_batch(
    streamed: dict[str, np.ndarray], panel: Panel, config: FeatureConfig, rows: slice
) -> None:
    batch = compute_features(panel, config)
    rounded = _rounded_features(config)
    level = float(np.nanmax(np.abs(panel.close), initial=1.0))
    for name in config.feature_names():
        got, want = streamed[name], batch[name][rows]
        np.testing.assert_array_equal(np.isnan(got), np.isnan(want), err_msg=f"NaNs of {name}")
        if name in rounded:
            np.testing.assert_allclose(
                got, want, rtol=RTOL, atol=ATOL_PER_PRICE * level, err_msg=name
            )
        else:
            np.testing.assert_array_equal(got, want, err_msg=name)


@st.composite
def configs(draw: st.DrawFn) -> FeatureConfig:
    period = st.integers(2, 12)
    slow = draw(st.integers(3, 14))
    changes = tuple(draw(st.lists(st.integers(1, 10), min_size=1, max_size=3, unique=True)))
    return FeatureConfig(
        sma_periods=tuple(draw(st.lists(period, max_size=3, unique=True))),
        ema_periods=tuple(draw(st.lists(period, max_size=2, unique=True))),
        macd_fast=draw(st.integers(2, slow - 1)),
        macd_slow=slow,
        macd_signal=draw(period),
        rsi_period=draw(period),
        atr_period=draw(period),
        bb_period=draw(period),
        bb_std=draw(st.sampled_from([1.0, 2.0, 2.5])),
        volume_period=draw(period),
        change_periods=changes,
        momentum_weights=tuple(draw(st.floats(0.1, 1.0)) for _ in changes),
        breakout_period=draw(period),
    )


@st.composite
def panels(draw: st.DrawFn) -> Panel:
    return random_panel(
        draw(st.integers(0, 2**32 - 1)),
        draw(st.integers(1, 70)),
        draw(st.integers(1, 5)),
        scale=draw(st.sampled_from([0.05, 1.0, 100.0, 71_234.5, 1_500_000.0])),
        gap_prob=draw(st.sampled_from([0.0, 0.0, 0.05, 0.3])),
        flat_prob=draw(st.sampled_from([0.0, 0.3, 0.9])),
        zero_volume_prob=draw(st.sampled_from([0.0, 0.2])),
        late_start=draw(st.booleans()),
    )


@given(panel=panels(), config=configs())
def test_stream_equals_batch_on_random_paths(panel: Panel, config: FeatureConfig) -> None:
    streamed = stream_panel(panel, config)
    assert_stream_matches_batch(streamed, panel, config, slice(None))


@given(panel=panels(), config=configs(), data=st.data())
def test_warm_started_stream_continues_the_batch(
    panel: Panel, config: FeatureConfig, data: st.DataObject
) -> None:
    split = data.draw(st.integers(0, panel.shape[0]))
    stream = StreamingFeatures.from_history(panel.slice_rows(0, split), config)
    rows = [
        stream.update(panel.open[i], panel.high[i], panel.low[i], panel.close[i], panel.volume[i])
        for i in range(split, panel.shape[0])
    ]
    streamed = {
        name: np.stack([r[name] for r in rows]) if rows else np.empty((0, panel.shape[1]))
        for name in config.feature_names()
    }
    assert_stream_matches_batch(streamed, panel, config, slice(split, None))


def test_default_config_after_full_warm_up() -> None:
    # 320 bars: past the 200-bar SMA, so every default feature runs in its steady state,
    # with one late listing and one halt to exercise the masked path too.
    panel = random_panel(2024, 320, 6, gap_prob=0.01, late_start=False)
    assert_stream_matches_batch(
        stream_panel(panel, DEFAULT_CONFIG), panel, DEFAULT_CONFIG, slice(None)
    )


def test_long_path_rounding_stays_within_the_bound() -> None:
    # Recursions are contractions: rounding differences do not accumulate over 2,000 bars.
    panel = random_panel(7, 2000, 3, scale=50_000.0)
    assert_stream_matches_batch(stream_panel(panel, TINY), panel, TINY, slice(None))


def test_missing_bar_reads_nan_and_keeps_state() -> None:
    panel = random_panel(3, 40, 2)
    stream = StreamingFeatures.from_history(panel.slice_rows(0, 30), TINY)
    before = stream.bars_seen
    nan_row = np.array([np.nan, 1.0])
    row = stream.update(nan_row, [np.nan, 1.0], [np.nan, 1.0], [np.nan, 1.0], [np.nan, 5.0])
    assert all(np.isnan(v[0]) for v in row.values())
    assert not np.isnan(row["sma_3"][1])
    np.testing.assert_array_equal(stream.bars_seen, before + np.array([0, 1]))
    assert stream.latest is row


def test_outputs_are_read_only_and_inputs_are_copied() -> None:
    stream = StreamingFeatures(("A", "B"), TINY)
    close = np.array([10.0, 20.0])
    for _ in range(6):
        out = stream.update(close, close, close, close, close)
        close += 1.0  # the caller reuses its buffer; the stream must not see the edit
    assert out["ema_3"][0] == pytest.approx(14.0)
    with pytest.raises(ValueError, match="read-only"):
        out["ema_3"][0] = 0.0


def test_rejects_rows_of_the_wrong_shape_and_foreign_history() -> None:
    stream = StreamingFeatures(("A", "B"), TINY)
    with pytest.raises(ValueError, match=r"shape \(2,\), was \(3,\)"):
        stream.update(*([np.ones(3)] * 5))
    with pytest.raises(ValueError, match="do not match"):
        stream.warm(random_panel(1, 5, 3))


def test_describes_itself() -> None:
    stream = StreamingFeatures(("A",), TINY)
    assert stream.symbols == ("A",)
    assert stream.config is TINY
    assert stream.feature_names == TINY.feature_names()
    assert stream.latest is None


def test_empty_universe_and_empty_history() -> None:
    empty = StreamingFeatures((), TINY).update([], [], [], [], [])
    assert all(v.shape == (0,) for v in empty.values())
    stream = StreamingFeatures.from_history(random_panel(1, 0, 3), TINY)
    assert stream.latest is None
    np.testing.assert_array_equal(stream.bars_seen, [0, 0, 0])
