"""``compute_features``: the whole indicator set over a whole ``Panel`` in one call.

Each symbol is processed over its own bars: rows where it has no bar (before it listed, a
halt, after it delisted, or a partial bar with any field NaN) are cut out, the indicators run
on the gap-free series, and results go back to the rows they came from. So a 20-bar SMA
always averages the symbol's last 20 *bars*, a symbol that lists late simply warms up later,
and a halt neither poisons the recursions with NaN nor counts as flat bars. Rows without a
bar are NaN in every feature.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ouroboros.analysis import _formulas as fm
from ouroboros.analysis._compute import packed_features
from ouroboros.analysis._formulas import BoolArray
from ouroboros.analysis._packing import pack
from ouroboros.analysis.config import DEFAULT_CONFIG, FeatureConfig
from ouroboros.analysis.featureset import FeatureSet

if TYPE_CHECKING:  # type-only: keeps ``import ouroboros.analysis`` free of the data stack
    from ouroboros.data.panel import Panel

BLOCK = 16
"""Symbols per pass: keeps every temporary (BLOCK × T floats) in cache for daily histories."""


def bars_present(panel: Panel) -> BoolArray:
    """(T, N) mask of the cells that hold a complete bar (all five fields finite)."""
    return fm.bar_present(panel.open, panel.high, panel.low, panel.close, panel.volume)


def compute_features(panel: Panel, config: FeatureConfig = DEFAULT_CONFIG) -> FeatureSet:
    """Every feature of ``config`` for every symbol and row of ``panel``."""
    packed = pack(panel)
    names = config.feature_names()
    t_len, n_sym = panel.shape
    work = {name: np.empty((n_sym, t_len)) for name in names}  # symbol-major, packed
    for start in range(0, n_sym, BLOCK):
        stop = min(start + BLOCK, n_sym)
        features = packed_features(packed.rows(start, stop), config)
        for name in names:
            work[name][start:stop] = features[name]
    data = {}
    for name in names:  # one transpose per feature; drop each work matrix once unpacked
        data[name] = packed.unpack(work.pop(name))
    return FeatureSet(panel.index, panel.symbols, config, data)
