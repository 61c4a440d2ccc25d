"""FeatureConfig validation, the stable feature names and their lookbacks."""

from __future__ import annotations

from typing import Any

import pytest

from ouroboros.analysis import DEFAULT_CONFIG, FEATURE_NAMES, FeatureConfig
from ouroboros.errors import ConfigError


def test_default_feature_names_are_the_published_contract() -> None:
    # Playbooks reference these strings: a change here breaks stored playbooks.
    assert FEATURE_NAMES == (
        "sma_5", "sma_10", "sma_20", "sma_30", "sma_50", "sma_200",
        "ema_12", "ema_26",
        "macd", "macd_signal", "macd_hist",
        "rsi_14", "atr_14", "atr_pct_14",
        "bb_upper_20", "bb_middle_20", "bb_lower_20", "bb_pctb_20", "bb_width_20",
        "volume_ratio_20",
        "change_pct_1", "change_pct_5", "change_pct_20",
        "range_pct", "momentum_score",
        "donchian_high_20", "donchian_low_20", "breakout_20", "breakdown_20",
    )  # fmt: skip


def test_names_follow_the_configured_periods() -> None:
    cfg = FeatureConfig(
        sma_periods=(7,),
        ema_periods=(),
        rsi_period=9,
        atr_period=21,
        bb_period=10,
        volume_period=5,
        change_periods=(3,),
        momentum_weights=(1.0,),
        breakout_period=55,
    )
    names = cfg.names()
    assert names.sma == ("sma_7",)
    assert names.ema == ()
    assert (names.rsi, names.atr, names.atr_pct) == ("rsi_9", "atr_21", "atr_pct_21")
    assert names.bb_pctb == "bb_pctb_10"
    assert names.volume_ratio == "volume_ratio_5"
    assert names.change_pct == ("change_pct_3",)
    assert names.flags == ("breakout_55", "breakdown_55")
    assert len(set(cfg.feature_names())) == len(cfg.feature_names())


def test_lookbacks_of_the_default_config() -> None:
    lb = DEFAULT_CONFIG.lookbacks()
    assert set(lb) == set(FEATURE_NAMES)
    assert lb["sma_200"] == 199
    assert lb["ema_12"] == 11
    assert lb["macd"] == lb["macd_signal"] == lb["macd_hist"] == 33  # TA-Lib aligns all three
    assert lb["rsi_14"] == lb["atr_14"] == 14
    assert lb["bb_pctb_20"] == 19
    assert lb["volume_ratio_20"] == 20
    assert lb["change_pct_5"] == 5
    assert lb["range_pct"] == 1
    assert lb["momentum_score"] == 20
    assert lb["breakout_20"] == 20
    assert DEFAULT_CONFIG.warmup_bars == 200


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"sma_periods": (1,)}, "sma_periods must be in [2, 100000], was 1"),
        ({"sma_periods": (5, 5)}, "must not repeat a period"),
        ({"sma_periods": [5]}, "must be a tuple"),
        ({"ema_periods": (2.5,)}, "must be an integer"),
        ({"rsi_period": True}, "must be an integer"),
        ({"atr_period": 0}, "atr_period must be in"),
        ({"macd_fast": 26, "macd_slow": 12}, "macd_fast must be below macd_slow"),
        ({"bb_std": 0.0}, "bb_std must be a positive finite number, was 0.0"),
        ({"bb_std": float("nan")}, "bb_std"),
        ({"momentum_scale": -1.0}, "momentum_scale"),
        ({"change_periods": ()}, "at least one period"),
        ({"change_periods": (0,)}, "change_periods must be in [1"),
        ({"momentum_weights": (1.0,)}, "one weight per change period"),
        ({"momentum_weights": (0.0, 0.0, 0.0)}, "not all zero"),
        ({"momentum_weights": (1.0, -1.0, 1.0)}, "non-negative"),
    ],
)
def test_invalid_configs_name_the_key_and_value(changes: dict[str, Any], fragment: str) -> None:
    with pytest.raises(ConfigError) as info:
        FeatureConfig(**changes)
    assert fragment in str(info.value)


def test_config_is_frozen_and_hashable() -> None:
    with pytest.raises(AttributeError):
        DEFAULT_CONFIG.rsi_period = 7  # type: ignore[misc]
    assert hash(FeatureConfig()) == hash(DEFAULT_CONFIG)
