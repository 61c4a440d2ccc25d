"""The scenario engine: every scenario of every symbol evaluated per step as a few array ops.

A playbook is compiled once per session into flat condition arrays. Each step gathers the
referenced features' row ``t`` into one (features x symbols) matrix, evaluates all conditions
in one vectorised pass, reduces them per scenario with ``logical_and.reduceat`` and picks, per
symbol, the most confident matching scenario of each action.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ouroboros.domain.playbook import Action, Op, Playbook, Scenario
from ouroboros.strategy.base import StepView

IntArray = npt.NDArray[np.int64]
_OPS = {Op.LT: 0, Op.LE: 1, Op.GT: 2, Op.GE: 3, Op.EQ: 4}


@dataclass(frozen=True, slots=True)
class Match:
    """Per symbol: index of the chosen scenario of each action (-1 when none matched)."""

    buy: IntArray
    sell: IntArray


class CompiledPlaybook:
    def __init__(self, playbook: Playbook, symbols: Sequence[str]) -> None:
        self.playbook = playbook
        column = {s: j for j, s in enumerate(symbols)}
        self.n_symbols = len(symbols)
        names: dict[str, int] = {}

        def feature_index(name: str) -> int:
            return names.setdefault(name, len(names))

        sym: list[int] = []
        lhs: list[int] = []
        rhs_feat: list[int] = []
        rhs_val: list[float] = []
        ops: list[int] = []
        starts: list[int] = []
        self.scenarios: list[tuple[int, Scenario]] = []
        for plan in playbook.stocks:
            if plan.symbol not in column:
                continue
            for scenario in plan.scenarios:
                starts.append(len(lhs))
                for cond in scenario.conditions:
                    sym.append(column[plan.symbol])
                    lhs.append(feature_index(cond.feature))
                    if isinstance(cond.value, str):
                        rhs_feat.append(feature_index(cond.value))
                        rhs_val.append(np.nan)
                    else:
                        rhs_feat.append(-1)
                        rhs_val.append(float(cond.value))
                    ops.append(_OPS[cond.op])
                self.scenarios.append((column[plan.symbol], scenario))
        self.feature_names = list(names)
        self._sym = np.asarray(sym, dtype=np.int64)
        self._lhs = np.asarray(lhs, dtype=np.int64)
        self._rhs_feat = np.asarray(rhs_feat, dtype=np.int64)
        self._rhs_val = np.asarray(rhs_val, dtype=np.float64)
        self._ops = np.asarray(ops, dtype=np.int64)
        self._starts = np.asarray(starts, dtype=np.int64)
        self._scn_symbol = np.asarray([s for s, _ in self.scenarios], dtype=np.int64)
        self._scn_conf = np.asarray([sc.confidence for _, sc in self.scenarios], dtype=np.float64)
        self._scn_buy = np.asarray(
            [sc.action is Action.BUY for _, sc in self.scenarios], dtype=bool
        )

    def evaluate(self, view: StepView) -> Match:
        n = self.n_symbols
        none = np.full(n, -1, dtype=np.int64)
        if not self.scenarios:
            return Match(none, none.copy())
        rows = np.stack([view.at(name) for name in self.feature_names])
        left = rows[self._lhs, self._sym]
        right = np.where(
            self._rhs_feat >= 0, rows[np.maximum(self._rhs_feat, 0), self._sym], self._rhs_val
        )
        with np.errstate(invalid="ignore"):
            ok = np.select(
                [self._ops == 0, self._ops == 1, self._ops == 2, self._ops == 3],
                [left < right, left <= right, left > right, left >= right],
                default=left == right,
            )
        matched = np.logical_and.reduceat(ok, self._starts)
        return Match(self._best(matched & self._scn_buy), self._best(matched & ~self._scn_buy))

    def _best(self, mask: npt.NDArray[np.bool_]) -> IntArray:
        """Per symbol the matching scenario with the highest confidence (first on ties)."""
        best = np.full(self.n_symbols, -1, dtype=np.int64)
        idx = np.flatnonzero(mask)
        if not len(idx):
            return best
        order = idx[np.lexsort((idx, -self._scn_conf[idx]))]
        symbols = self._scn_symbol[order]
        _, first = np.unique(symbols, return_index=True)
        best[symbols[first]] = order[first]
        return best
