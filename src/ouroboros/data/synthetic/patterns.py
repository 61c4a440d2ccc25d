"""Planted patterns: known events hidden in synthetic data so a strategy can be scored on
whether it finds them.

``volume_breakout_drift``: on bar ``t0`` the close breaks above the highest close of the
previous ``lookback`` bars by ``margin`` on ``volume_multiple`` times the usual volume, and the
next ``horizon`` bars carry an extra ``drift_per_bar`` log return. Events never overlap within
a symbol and (for 1-minute data) stay inside one session. Each event is recorded in the manifest.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
PATTERN_KIND = "volume_breakout_drift"


@dataclass(frozen=True, slots=True)
class PatternShape:
    lookback: int
    horizon: int
    margin: float
    drift_per_bar: float
    volume_multiple: float


DAILY_SHAPE = PatternShape(
    lookback=20, horizon=10, margin=0.03, drift_per_bar=0.004, volume_multiple=5.0
)
MINUTE_SHAPE = PatternShape(
    lookback=30, horizon=30, margin=0.004, drift_per_bar=0.0003, volume_multiple=6.0
)


@dataclass(frozen=True, slots=True)
class PlantedPattern:
    """One planted event; ``start`` is the breakout bar's label, ``end`` the last drift bar's."""

    kind: str
    symbol: str
    market: str
    interval: str
    start: str
    end: str
    bar_index: int
    lookback: int
    horizon: int
    margin: float
    drift_per_bar: float
    volume_multiple: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class PlantedEvent:
    symbol_index: int
    bar_index: int


def plant_patterns(
    rng: np.random.Generator,
    log_returns: FloatArray,
    volume: FloatArray,
    segment: IntArray,
    count: int,
    shape: PatternShape,
    limit: float | None,
) -> list[PlantedEvent]:
    """Modify ``log_returns`` and ``volume`` in place to plant up to ``count`` events.

    ``segment[t]`` is the session of step ``t`` (all zeros for daily bars): an event's window
    must lie in one segment. A candidate needing a breakout return above the daily limit is
    skipped (a few tries per event), so fewer than ``count`` events may be planted.
    """
    n_steps, n_sym = log_returns.shape
    span = shape.lookback + shape.horizon + 1
    if count <= 0 or n_steps < span + 1:
        return []
    max_jump = np.log1p(limit) * 0.95 if limit is not None else np.log(1.25)
    busy = np.zeros((n_steps, n_sym), dtype=bool)
    events: list[PlantedEvent] = []
    for _ in range(count):
        for _attempt in range(12):
            i = int(rng.integers(n_sym))
            t0 = int(rng.integers(shape.lookback + 1, n_steps - shape.horizon))
            lo, hi = t0 - shape.lookback, t0 + shape.horizon + 1
            if busy[lo - 1 : hi, i].any() or segment[lo - 1] != segment[hi - 1]:
                continue
            path = np.cumsum(log_returns[lo - 1 : t0, i])  # closes t0-L-1 .. t0-1, relative
            need = path[1:].max() - path[-1] + shape.margin
            target = max(need, shape.margin)
            if target > max_jump:
                continue
            log_returns[t0, i] = target
            log_returns[t0 + 1 : hi, i] += shape.drift_per_bar
            volume[t0, i] *= shape.volume_multiple
            volume[t0 + 1 : min(hi, t0 + 4), i] *= np.sqrt(shape.volume_multiple)
            busy[lo - 1 : hi, i] = True
            events.append(PlantedEvent(i, t0))
            break
    return sorted(events, key=lambda e: (e.symbol_index, e.bar_index))
