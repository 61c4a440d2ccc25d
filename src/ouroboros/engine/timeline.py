"""The run's timeline: each market's rows as price points (an open and a close per row) on
one merged clock, and the per-market state the driver keeps while it walks them.

Each market contributes two price points per row: its open and its close. All markets' points
run on one merged timeline sorted by real time, so a multi-market replay books fills in true
time order (Seoul closes before New York opens).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import numpy.typing as npt

from ouroboros.data.panel import FloatMatrix, Panel
from ouroboros.domain.ids import InstrumentId
from ouroboros.domain.instrument import Instrument
from ouroboros.domain.orders import OrderSide
from ouroboros.execution.simulator import BarPoint

OPEN, CLOSE = 0, 1

Point = tuple[datetime, int, int, int]
"""One price point: (time, OPEN or CLOSE, market index, row)."""


@dataclass
class MarketFeed:
    """One market's data for a run: its panel, instruments and the real time of each row."""

    code: str
    panel: Panel
    instruments: Sequence[Instrument]
    open_times: Sequence[datetime]
    close_times: Sequence[datetime]
    warmup_rows: int = 0
    """Rows that only feed indicators: no decisions, no equity points (replay warm-up)."""

    def __post_init__(self) -> None:
        n = len(self.panel.index)
        if len(self.open_times) != n or len(self.close_times) != n:
            raise ValueError(f"{self.code}: need one open and close time per row ({n})")
        if [str(i.id) for i in self.instruments] != list(self.panel.symbols):
            raise ValueError(f"{self.code}: instruments must align with the panel's symbols")


@dataclass
class StepSummary:
    market: str
    row: int
    ts: datetime
    equity: float
    fills: int


@dataclass(frozen=True, slots=True)
class Intent:
    """A decision waiting for its price point (the next open, or the deciding close)."""

    column: int
    side: OrderSide
    confidence: float
    stop: float
    take: float
    decision_id: str | None
    tag: str
    """What the order will be tagged with: the policy's reason, or the protective level."""


@dataclass
class FeedState:
    """What the driver keeps per market while it walks the timeline."""

    feed: MarketFeed
    features: Mapping[str, FloatMatrix]
    qty: npt.NDArray[np.float64]
    """Shares held per column (the policy's view; kept in step by the books)."""
    last_close: npt.NDArray[np.float64]
    atr: FloatMatrix
    pending: list[Intent] = field(default_factory=list)
    index_of: dict[InstrumentId, int] = field(default_factory=dict)
    instrument_ids: frozenset[InstrumentId] = frozenset()
    guards: dict[int, tuple[float, float]] = field(default_factory=dict)
    """Protective levels (stop, take-profit) the engine watches itself, by column, when the
    venue cannot hold resting protective orders."""

    def bar(self, t: int, j: int, ts: datetime) -> BarPoint | None:
        """Row ``t`` of column ``j`` as a bar stamped ``ts`` (None: no bar that row)."""
        p = self.feed.panel
        c = p.close[t, j]
        if np.isnan(c):
            return None
        return BarPoint.from_floats(ts, p.open[t, j], p.high[t, j], p.low[t, j], c, p.volume[t, j])


def merged_timeline(states: Sequence[FeedState]) -> list[Point]:
    """Every market's opens and closes in time order (ties: opens first, then by market)."""
    points: list[Point] = []
    for m, state in enumerate(states):
        for t in range(len(state.feed.panel.index)):
            points.append((state.feed.open_times[t], OPEN, m, t))
            points.append((state.feed.close_times[t], CLOSE, m, t))
    points.sort(key=lambda p: (p[0], p[1], p[2], p[3]))
    return points


def num(value: float) -> float | None:
    """A float for JSON: NaN (no data yet) becomes null."""
    return None if np.isnan(value) else float(value)


__all__ = [
    "CLOSE",
    "OPEN",
    "FeedState",
    "Intent",
    "MarketFeed",
    "Point",
    "StepSummary",
    "merged_timeline",
    "num",
]
