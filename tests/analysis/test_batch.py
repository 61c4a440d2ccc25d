"""``compute_features``: shapes, warm-up NaNs, gaps and the FeatureSet mapping."""

from __future__ import annotations

import numpy as np
import pytest

from ouroboros.analysis import (
    DEFAULT_CONFIG,
    FEATURE_NAMES,
    FeatureConfig,
    bars_present,
    compute_features,
)
from ouroboros.data.panel import Panel
from tests.analysis._panels import TINY, index, random_panel


def test_every_feature_is_a_float64_time_by_symbol_matrix() -> None:
    panel = random_panel(1, 260, 4)
    fs = compute_features(panel)
    assert tuple(fs) == FEATURE_NAMES
    assert len(fs) == len(FEATURE_NAMES)
    for name in fs:
        mat = fs[name]
        assert mat.shape == (260, 4)
        assert mat.dtype == np.float64
        assert mat.flags.c_contiguous
    assert fs.shape == panel.shape
    assert fs.symbols == panel.symbols
    assert fs.index.equals(panel.index)
    assert fs.config is DEFAULT_CONFIG


def test_warm_up_nans_match_the_declared_lookbacks() -> None:
    fs = compute_features(random_panel(2, 260, 3))
    for name, lookback in DEFAULT_CONFIG.lookbacks().items():
        mat = fs[name]
        assert np.isnan(mat[:lookback]).all(), name
        assert not np.isnan(mat[lookback:]).any(), name


def test_flags_are_zero_or_one() -> None:
    fs = compute_features(random_panel(3, 300, 5))
    for name in DEFAULT_CONFIG.names().flags:
        values = fs[name][~np.isnan(fs[name])]
        assert set(np.unique(values)) <= {0.0, 1.0}
        assert values.size > 0


def test_bounded_features_stay_in_range() -> None:
    fs = compute_features(random_panel(4, 300, 5, flat_prob=0.2))
    for name in ("rsi_14", "momentum_score"):
        values = fs[name][~np.isnan(fs[name])]
        assert ((values >= 0.0) & (values <= 100.0)).all(), name


def test_a_symbol_that_lists_late_warms_up_on_its_own_bars() -> None:
    early = random_panel(5, 120, 1)
    late = _with_leading_gap(early, 30)
    alone = compute_features(early)
    shifted = compute_features(late)
    for name in FEATURE_NAMES:
        assert np.isnan(shifted[name][:30]).all()
        np.testing.assert_array_equal(shifted[name][30:], alone[name][:90], err_msg=name)


def test_a_halt_is_skipped_not_filled() -> None:
    panel = random_panel(6, 150, 2)
    halted = _blank(panel, rows=slice(60, 75), col=1)
    fs = compute_features(halted)
    kept = np.r_[0:60, 75:150]
    compressed = Panel(
        index(kept.size),
        ("S1",),
        *(getattr(panel, f)[kept][:, [1]] for f in FIELDS),
    )
    expected = compute_features(compressed)
    for name in FEATURE_NAMES:
        assert np.isnan(fs[name][60:75, 1]).all(), name
        np.testing.assert_array_equal(fs[name][kept, 1], expected[name][:, 0], err_msg=name)
        # the other symbol is untouched by its neighbour's halt
        np.testing.assert_array_equal(fs[name][:, 0], compute_features(panel)[name][:, 0])


def test_a_delisted_symbol_reads_nan_after_its_last_bar() -> None:
    # Regression: lagged features (the breakout channel) leaked into the row after the last bar.
    panel = _blank(random_panel(13, 60, 2), rows=slice(45, 60), col=0)
    fs = compute_features(panel, TINY)
    for name in fs:
        assert np.isnan(fs[name][45:, 0]).all(), name
        assert not np.isnan(fs[name][44, 0]), name


def test_a_partial_bar_counts_as_no_bar() -> None:
    panel = random_panel(7, 80, 1)
    volume = panel.volume.copy()
    volume[40, 0] = np.nan
    partial = Panel(
        panel.index, panel.symbols, panel.open, panel.high, panel.low, panel.close, volume
    )
    assert not bars_present(partial)[40, 0]
    fs = compute_features(partial, TINY)
    assert all(np.isnan(fs[name][40, 0]) for name in fs)
    assert not np.isnan(fs["sma_3"][41, 0])


def test_symbols_with_no_or_few_bars_are_all_nan() -> None:
    panel = _blank(random_panel(8, 50, 3), rows=slice(0, 50), col=0)
    panel = _blank(panel, rows=slice(0, 48), col=2)
    fs = compute_features(panel)
    for name in FEATURE_NAMES:
        assert np.isnan(fs[name][:, 0]).all()
    assert np.isnan(fs["rsi_14"][:, 2]).all()
    assert fs["change_pct_1"][49, 2] == pytest.approx(
        (panel.close[49, 2] / panel.close[48, 2] - 1) * 100
    )


@pytest.mark.parametrize(("t_len", "n_sym"), [(0, 3), (5, 0), (1, 2)])
def test_degenerate_panels(t_len: int, n_sym: int) -> None:
    fs = compute_features(random_panel(9, t_len, n_sym))
    assert all(fs[name].shape == (t_len, n_sym) for name in fs)
    assert all(np.isnan(fs[name]).all() for name in fs if name != "range_pct")


def test_matrices_are_read_only() -> None:
    fs = compute_features(random_panel(10, 40, 2), TINY)
    with pytest.raises(ValueError, match="read-only"):
        fs["sma_3"][0, 0] = 1.0


def test_feature_set_lookups_and_frames() -> None:
    panel = random_panel(11, 40, 2)
    fs = compute_features(panel, TINY)
    with pytest.raises(KeyError, match="unknown feature 'rsi_14'"):
        fs["rsi_14"]
    row = fs.row(30)
    assert set(row) == set(TINY.feature_names())
    assert row["rsi_2"].shape == (2,)
    frame = fs.frame("rsi_2")
    assert list(frame.columns) == list(panel.symbols)
    assert frame.iloc[30, 1] == fs["rsi_2"][30, 1]
    sym = fs.symbol_frame("S1")
    assert list(sym.columns) == list(TINY.feature_names())
    assert sym["sma_3"].iloc[-1] == fs["sma_3"][-1, 1]


def test_custom_config_changes_periods_and_names() -> None:
    cfg = FeatureConfig(sma_periods=(4,), ema_periods=(6,), rsi_period=5)
    fs = compute_features(random_panel(12, 60, 1), cfg)
    assert {"sma_4", "ema_6", "rsi_5"} <= set(fs)
    assert np.isnan(fs["sma_4"][:3]).all()
    assert not np.isnan(fs["sma_4"][3:]).any()


FIELDS = ("open", "high", "low", "close", "volume")


def _with_leading_gap(panel: Panel, rows: int) -> Panel:
    t_len = panel.shape[0]
    mats = []
    for f in FIELDS:
        mat = np.full(panel.shape, np.nan)
        mat[rows:] = getattr(panel, f)[: t_len - rows]
        mats.append(mat)
    return _panel_of(panel, mats)


def _blank(panel: Panel, rows: slice, col: int) -> Panel:
    mats = []
    for f in FIELDS:
        mat = getattr(panel, f).copy()
        mat[rows, col] = np.nan
        mats.append(mat)
    return _panel_of(panel, mats)


def _panel_of(panel: Panel, mats: list[np.ndarray]) -> Panel:
    opn, high, low, close, volume = mats
    return Panel(panel.index, panel.symbols, opn, high, low, close, volume)
