"""``ta``: the seed-001 technical strategy (SMA 10/30, MACD 12/26/9, RSI 14, ATR 14 stops).

Entry (flat symbols), any of:
* trend entry - SMA 10 crosses above SMA 30 while the MACD histogram is positive;
* momentum entry - SMA 10 already above SMA 30 and MACD crosses above its signal;
and RSI below the overbought level (70). Base confidence 0.65, +0.10 when both the SMA and MACD
conditions hold on the same bar, +0.05 when RSI sits in the neutral 40-60 band (max 0.80).
Exit (held symbols): SMA 10 crosses below SMA 30, or RSI above 70 while MACD crosses below
its signal. Every entry carries a stop 2 x ATR below and a take-profit 3 x ATR above the close.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ouroboros.analysis import FeatureConfig, compute_features
from ouroboros.data.panel import FloatMatrix, Panel
from ouroboros.strategy.base import Decisions, FloatRow, StepView, crossed_above

TA_FEATURES = FeatureConfig(sma_periods=(10, 30, 50), ema_periods=(12, 26))


@dataclass
class TechnicalStrategy:
    rsi_oversold: float = 30.0
    rsi_overbought: float = 70.0
    stop_atr: float = 2.0
    take_profit_atr: float = 3.0
    base_confidence: float = 0.65
    name: str = "ta"

    def prepare(self, market: str, panel: Panel) -> Mapping[str, FloatMatrix]:
        return dict(compute_features(panel, TA_FEATURES))

    def before_session(
        self, market: str, t: int, features: Mapping[str, FloatMatrix], position_qty: FloatRow
    ) -> None:
        return None

    def decide(self, market: str, view: StepView) -> Decisions:
        rsi = view.at("rsi_14")
        with np.errstate(invalid="ignore"):
            trend_up = crossed_above(view, "sma_10", "sma_30") & (view.at("macd_hist") > 0)
            macd_up = (view.at("sma_10") > view.at("sma_30")) & crossed_above(
                view, "macd", "macd_signal"
            )
            not_overbought = rsi < self.rsi_overbought
            neutral = (rsi >= 40) & (rsi <= 60)
            exit_trend = crossed_above(view, "sma_30", "sma_10")
            exit_overbought = (rsi > self.rsi_overbought) & crossed_above(
                view, "macd_signal", "macd"
            )
        held = view.position_qty > 0
        buy = (trend_up | macd_up) & not_overbought & ~held
        sell = (exit_trend | exit_overbought) & held
        confidence = self.base_confidence + 0.10 * (trend_up & macd_up) + 0.05 * neutral
        atr = view.at("atr_14")
        close = view.close
        return Decisions(
            buy=buy,
            sell=sell,
            confidence=np.where(buy | sell, confidence, 0.0),
            stop_price=np.where(buy, close - self.stop_atr * atr, np.nan),
            take_profit=np.where(buy, close + self.take_profit_atr * atr, np.nan),
        )
