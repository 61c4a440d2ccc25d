"""``FeatureConfig``: every period of the indicator set, and the stable feature names it implies.

Playbook conditions reference features by name ("rsi_14 < 30 and volume_ratio_20 > 2"), so a
name is part of the public contract: it encodes the period that changes its meaning (``sma_20``
vs ``sma_50``) and nothing else. MACD keeps the bare names ``macd``/``macd_signal``/``macd_hist``
because one MACD is computed per configuration.

Lookbacks are counted in a symbol's *own* bars (see ``docs/indicators.md``): a feature with
lookback ``L`` is NaN on the symbol's first ``L`` bars and defined from bar ``L`` (0-based) on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ouroboros.errors import ConfigError

MAX_PERIOD = 100_000
"""TA-Lib's own upper bound on a time period."""


@dataclass(frozen=True, slots=True)
class FeatureNames:
    """The feature names one configuration produces, grouped by indicator, in canonical order."""

    sma: tuple[str, ...]
    ema: tuple[str, ...]
    macd: str
    macd_signal: str
    macd_hist: str
    rsi: str
    atr: str
    atr_pct: str
    bb_upper: str
    bb_middle: str
    bb_lower: str
    bb_pctb: str
    bb_width: str
    volume_ratio: str
    change_pct: tuple[str, ...]
    range_pct: str
    momentum_score: str
    donchian_high: str
    donchian_low: str
    breakout: str
    breakdown: str

    @property
    def all(self) -> tuple[str, ...]:
        """Every name, in the order ``compute_features`` and ``StreamingFeatures`` emit them."""
        return (
            *self.sma,
            *self.ema,
            self.macd,
            self.macd_signal,
            self.macd_hist,
            self.rsi,
            self.atr,
            self.atr_pct,
            self.bb_upper,
            self.bb_middle,
            self.bb_lower,
            self.bb_pctb,
            self.bb_width,
            self.volume_ratio,
            *self.change_pct,
            self.range_pct,
            self.momentum_score,
            self.donchian_high,
            self.donchian_low,
            self.breakout,
            self.breakdown,
        )

    @property
    def flags(self) -> tuple[str, ...]:
        """The 0/1 features."""
        return (self.breakout, self.breakdown)


@dataclass(frozen=True, slots=True)
class FeatureConfig:
    """Periods and constants of the indicator set; immutable so it can key caches and runs.

    Defaults follow common practice and the seeds: SMA 10/30 (seed 001's short/long pair) plus
    5/20/50/200, MACD 12/26/9, RSI 14 (Wilder), ATR 14, Bollinger 20 × 2σ, a 20-bar volume
    average, price changes over 1/5/20 bars and a 20-bar breakout channel.
    """

    sma_periods: tuple[int, ...] = (5, 10, 20, 30, 50, 200)
    ema_periods: tuple[int, ...] = (12, 26)
    macd_fast: int = 12
    macd_slow: int = 26
    macd_signal: int = 9
    rsi_period: int = 14
    atr_period: int = 14
    bb_period: int = 20
    bb_std: float = 2.0
    volume_period: int = 20
    change_periods: tuple[int, ...] = (1, 5, 20)
    momentum_weights: tuple[float, ...] = (0.2, 0.3, 0.5)
    momentum_scale: float = 2.0
    breakout_period: int = 20

    def __post_init__(self) -> None:
        for key in ("sma_periods", "ema_periods"):
            _check_periods(key, getattr(self, key), minimum=2)
        _check_periods("change_periods", self.change_periods, minimum=1)
        for key in (
            "macd_fast",
            "macd_slow",
            "macd_signal",
            "rsi_period",
            "atr_period",
            "bb_period",
            "volume_period",
            "breakout_period",
        ):
            _check_period(key, getattr(self, key), minimum=2)
        if self.macd_fast >= self.macd_slow:
            raise ConfigError(
                f"macd_fast must be below macd_slow, was {self.macd_fast} >= {self.macd_slow}"
            )
        _check_positive("bb_std", self.bb_std)
        _check_positive("momentum_scale", self.momentum_scale)
        if len(self.momentum_weights) != len(self.change_periods):
            raise ConfigError(
                "momentum_weights needs one weight per change period "
                f"{self.change_periods}, was {self.momentum_weights}"
            )
        if any(not math.isfinite(w) or w < 0 for w in self.momentum_weights) or not (
            sum(self.momentum_weights) > 0
        ):
            raise ConfigError(
                "momentum_weights must be finite, non-negative and not all zero, "
                f"was {self.momentum_weights}"
            )

    def names(self) -> FeatureNames:
        """The stable feature names for this configuration."""
        bb = self.bb_period
        brk = self.breakout_period
        return FeatureNames(
            sma=tuple(f"sma_{p}" for p in self.sma_periods),
            ema=tuple(f"ema_{p}" for p in self.ema_periods),
            macd="macd",
            macd_signal="macd_signal",
            macd_hist="macd_hist",
            rsi=f"rsi_{self.rsi_period}",
            atr=f"atr_{self.atr_period}",
            atr_pct=f"atr_pct_{self.atr_period}",
            bb_upper=f"bb_upper_{bb}",
            bb_middle=f"bb_middle_{bb}",
            bb_lower=f"bb_lower_{bb}",
            bb_pctb=f"bb_pctb_{bb}",
            bb_width=f"bb_width_{bb}",
            volume_ratio=f"volume_ratio_{self.volume_period}",
            change_pct=tuple(f"change_pct_{k}" for k in self.change_periods),
            range_pct="range_pct",
            momentum_score="momentum_score",
            donchian_high=f"donchian_high_{brk}",
            donchian_low=f"donchian_low_{brk}",
            breakout=f"breakout_{brk}",
            breakdown=f"breakdown_{brk}",
        )

    def feature_names(self) -> tuple[str, ...]:
        """Every feature name, in canonical order."""
        return self.names().all

    def lookbacks(self) -> dict[str, int]:
        """Feature name → how many of a symbol's own bars precede its first defined value."""
        n = self.names()
        macd = (self.macd_slow - 1) + (self.macd_signal - 1)
        bb = self.bb_period - 1
        brk = self.breakout_period
        out: dict[str, int] = {}
        out.update((name, p - 1) for name, p in zip(n.sma, self.sma_periods, strict=True))
        out.update((name, p - 1) for name, p in zip(n.ema, self.ema_periods, strict=True))
        out.update({n.macd: macd, n.macd_signal: macd, n.macd_hist: macd})
        out.update({n.rsi: self.rsi_period, n.atr: self.atr_period, n.atr_pct: self.atr_period})
        out.update(dict.fromkeys((n.bb_upper, n.bb_middle, n.bb_lower), bb))
        out.update({n.bb_pctb: bb, n.bb_width: bb, n.volume_ratio: self.volume_period})
        out.update(zip(n.change_pct, self.change_periods, strict=True))
        out[n.range_pct] = 1
        out[n.momentum_score] = max(self.atr_period, *self.change_periods)
        out.update(dict.fromkeys((n.donchian_high, n.donchian_low), brk))
        out.update({n.breakout: brk, n.breakdown: brk})
        return out

    @property
    def warmup_bars(self) -> int:
        """Bars a symbol needs before every feature is defined (the longest lookback + 1)."""
        return max(self.lookbacks().values()) + 1


def _check_period(key: str, value: object, *, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{key} must be an integer, was {value!r}")
    if not minimum <= value <= MAX_PERIOD:
        raise ConfigError(f"{key} must be in [{minimum}, {MAX_PERIOD}], was {value}")


def _check_periods(key: str, values: tuple[int, ...], *, minimum: int) -> None:
    if not isinstance(values, tuple):
        raise ConfigError(f"{key} must be a tuple of integers, was {values!r}")
    for value in values:
        _check_period(key, value, minimum=minimum)
    if len(set(values)) != len(values):
        raise ConfigError(f"{key} must not repeat a period, was {values}")
    if key == "change_periods" and not values:
        raise ConfigError("change_periods must name at least one period, was ()")


def _check_positive(key: str, value: float) -> None:
    if not (math.isfinite(value) and value > 0):
        raise ConfigError(f"{key} must be a positive finite number, was {value}")


DEFAULT_CONFIG = FeatureConfig()
FEATURE_NAMES: tuple[str, ...] = DEFAULT_CONFIG.feature_names()
"""The feature names of the default configuration."""
