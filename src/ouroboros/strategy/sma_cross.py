"""``sma-cross``: the plain long-only moving-average crossover, kept as a reference strategy.

Buy when the fast SMA crosses above the slow one, exit when it crosses back below. Being the
textbook example, it is what independent backtesters agree on, so it anchors the golden tests.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import talib

from ouroboros.data.panel import FloatMatrix, Panel
from ouroboros.strategy.base import Decisions, FloatRow, StepView, crossed_above


def sma_matrix(close: FloatMatrix, period: int) -> FloatMatrix:
    """Simple moving average per column through TA-Lib (NaN-led per symbol)."""
    out = np.full_like(close, np.nan)
    for j in range(close.shape[1]):
        col = close[:, j]
        valid = np.flatnonzero(~np.isnan(col))
        if len(valid) >= period:
            start = valid[0]
            out[start:, j] = talib.SMA(np.ascontiguousarray(col[start:]), timeperiod=period)
    return out


@dataclass
class SmaCross:
    fast: int = 10
    slow: int = 30
    confidence: float = 1.0
    name: str = "sma-cross"

    def __post_init__(self) -> None:
        if not 1 <= self.fast < self.slow:
            raise ValueError(
                f"sma-cross needs 1 <= fast < slow, was fast={self.fast} slow={self.slow}"
            )

    def prepare(self, market: str, panel: Panel) -> Mapping[str, FloatMatrix]:
        return {
            "sma_fast": sma_matrix(panel.close, self.fast),
            "sma_slow": sma_matrix(panel.close, self.slow),
        }

    def before_session(
        self, market: str, t: int, features: Mapping[str, FloatMatrix], position_qty: FloatRow
    ) -> None:
        return None

    def decide(self, market: str, view: StepView) -> Decisions:
        up = crossed_above(view, "sma_fast", "sma_slow")
        down = crossed_above(view, "sma_slow", "sma_fast")
        held = view.position_qty > 0
        none = Decisions.none(view.n_symbols)
        return Decisions(
            buy=up & ~held,
            sell=down & held,
            confidence=np.full(view.n_symbols, self.confidence),
            stop_price=none.stop_price,
            take_profit=none.take_profit,
        )
