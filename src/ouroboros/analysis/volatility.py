"""Average true range for the risk gate, for policies whose features do not include it.

The risk manager bounds the loss of an entry by ``quantity × 2 × ATR`` when the policy gives no
stop; every policy therefore needs an ATR, whatever indicators it uses itself. Computed like
``compute_features`` does (TA-Lib, Wilder smoothing, each symbol over its own bars only).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import talib

from ouroboros.analysis.batch import bars_present
from ouroboros.analysis.config import DEFAULT_CONFIG

if TYPE_CHECKING:
    from ouroboros.data.panel import FloatMatrix, Panel

ATR_FEATURE = DEFAULT_CONFIG.names().atr
"""The feature name a policy's ``prepare`` may already provide (``atr_14``)."""


def average_true_range(panel: Panel, period: int = DEFAULT_CONFIG.atr_period) -> FloatMatrix:
    """(T, N) ATR; NaN where a symbol has no bar or fewer than ``period + 1`` bars so far."""
    out = np.full(panel.shape, np.nan)
    present = bars_present(panel)
    for j in range(panel.shape[1]):
        rows = np.flatnonzero(present[:, j])
        if len(rows) <= period:
            continue
        out[rows, j] = talib.ATR(
            np.ascontiguousarray(panel.high[rows, j]),
            np.ascontiguousarray(panel.low[rows, j]),
            np.ascontiguousarray(panel.close[rows, j]),
            timeperiod=period,
        )
    return out
