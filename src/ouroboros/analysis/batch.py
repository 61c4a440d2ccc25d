"""``compute_features``: the whole indicator set over a whole ``Panel`` in one call.

Each symbol is processed over its own bars: rows where it has no bar (before it listed, a
halt, after it delisted) are cut out, TA-Lib runs on the gap-free series, and results go back
to the rows they came from. So a 20-bar SMA always averages the symbol's last 20 *bars*, a
symbol that lists late simply warms up later, and a halt neither poisons the recursions with
NaN nor counts as flat bars. Rows without a bar are NaN in every feature.

The loop over symbols is a Python loop around TA-Lib's C loops over time; the cost is a few
dozen calls per symbol, negligible next to the arithmetic for daily histories.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ouroboros.analysis import _formulas as fm
from ouroboros.analysis._formulas import BoolArray, FloatArray
from ouroboros.analysis._series import series_features
from ouroboros.analysis.config import DEFAULT_CONFIG, FeatureConfig
from ouroboros.analysis.featureset import FeatureSet

if TYPE_CHECKING:  # type-only: keeps ``import ouroboros.analysis`` free of the data stack
    from ouroboros.data.panel import Panel


def bars_present(panel: Panel) -> BoolArray:
    """(T, N) mask of the cells that hold a complete bar (all five fields finite)."""
    return fm.bar_present(panel.open, panel.high, panel.low, panel.close, panel.volume)


def compute_features(panel: Panel, config: FeatureConfig = DEFAULT_CONFIG) -> FeatureSet:
    """Every feature of ``config`` for every symbol and row of ``panel``."""
    names = config.feature_names()
    t_len, n_sym = panel.shape
    # Symbol-major work buffers: each symbol's series is contiguous on the way in and out.
    present = np.ascontiguousarray(bars_present(panel).T)
    high = np.ascontiguousarray(panel.high.T)
    low = np.ascontiguousarray(panel.low.T)
    close = np.ascontiguousarray(panel.close.T)
    volume = np.ascontiguousarray(panel.volume.T)
    work = np.full((len(names), n_sym, t_len), np.nan)
    for j in range(n_sym):
        rows = np.flatnonzero(present[j])
        if rows.size == 0:
            continue
        first, last = int(rows[0]), int(rows[-1])
        sel: slice | np.ndarray[tuple[int], np.dtype[np.intp]]
        sel = slice(first, last + 1) if last - first + 1 == rows.size else rows
        series = series_features(high[j, sel], low[j, sel], close[j, sel], volume[j, sel], config)
        for f, name in enumerate(names):
            work[f, j, sel] = series[name]
    stacked = np.ascontiguousarray(work.transpose(0, 2, 1))
    data: dict[str, FloatArray] = {name: stacked[f] for f, name in enumerate(names)}
    return FeatureSet(panel.index, panel.symbols, config, data)
