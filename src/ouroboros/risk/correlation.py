"""``CorrelationMap``: which instruments' daily returns move together, computed before the open.

The map is data the session hands the risk manager (``AccountView.correlations``), like the
sector table: a pure value with no numbers to recompute. ``ouroboros.agent.correlation`` builds it
from a returns matrix (numpy); this module only answers "are these two correlated?".

Fail closed: an instrument the map does not cover (too little history, a constant price) counts
as correlated with every other instrument, so missing history tightens the limit instead of
switching it off.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from ouroboros.domain import InstrumentId


def _pair(a: InstrumentId, b: InstrumentId) -> tuple[InstrumentId, InstrumentId]:
    return (a, b) if str(a) <= str(b) else (b, a)


@dataclass(frozen=True, slots=True)
class CorrelationMap:
    """Correlated pairs among ``covered`` instruments over ``lookback`` sessions ending ``as_of``.

    ``threshold`` and ``lookback`` record how the map was computed; the risk check refuses a map
    computed with other parameters than its limits name.
    """

    as_of: dt.date
    lookback: int
    threshold: Decimal
    covered: frozenset[InstrumentId]
    pairs: frozenset[tuple[InstrumentId, InstrumentId]] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if self.lookback < 2:
            raise ValueError(f"invalid correlation lookback, was {self.lookback}: must be >= 2")
        if not Decimal(-1) <= self.threshold < 1:
            raise ValueError(f"invalid correlation threshold, was {self.threshold}: need [-1, 1)")
        for a, b in self.pairs:
            if a == b or _pair(a, b) != (a, b):
                raise ValueError(f"correlation pair ({a}, {b}) must be two ids in sorted order")
            if a not in self.covered or b not in self.covered:
                raise ValueError(f"correlation pair ({a}, {b}) names an uncovered instrument")

    @classmethod
    def of(
        cls,
        as_of: dt.date,
        lookback: int,
        threshold: Decimal,
        covered: Iterable[InstrumentId],
        pairs: Iterable[tuple[InstrumentId, InstrumentId]],
    ) -> CorrelationMap:
        """Build a map from pairs in any order."""
        return cls(
            as_of, lookback, threshold, frozenset(covered), frozenset(_pair(a, b) for a, b in pairs)
        )

    def correlated(self, a: InstrumentId, b: InstrumentId) -> bool:
        """Whether ``a`` and ``b`` move together (an uncovered instrument always does)."""
        if a == b:
            return False
        if a not in self.covered or b not in self.covered:
            return True
        return _pair(a, b) in self.pairs


def largest_clique(members: Iterable[InstrumentId], cmap: CorrelationMap) -> list[InstrumentId]:
    """The largest set of ``members`` that are pairwise correlated (ties: first found).

    Bron-Kerbosch with pivoting; the sets are open positions (a handful), so exact is cheap.
    """
    nodes = sorted(set(members), key=str)
    adjacent = {n: {m for m in nodes if cmap.correlated(n, m)} for n in nodes}
    best: list[InstrumentId] = []

    def expand(
        clique: list[InstrumentId], candidates: set[InstrumentId], done: set[InstrumentId]
    ) -> None:
        nonlocal best
        if not candidates and not done:
            if len(clique) > len(best):
                best = list(clique)
            return
        if len(clique) + len(candidates) <= len(best):
            return
        pivot = max(candidates | done, key=lambda n: len(adjacent[n] & candidates))
        for node in sorted(candidates - adjacent[pivot], key=str):
            expand([*clique, node], candidates & adjacent[node], done & adjacent[node])
            candidates = candidates - {node}
            done = done | {node}

    expand([], set(nodes), set())
    return best
