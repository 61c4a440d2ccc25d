"""The decision-policy port and the arrays a policy returns.

A policy works on a whole market at once: ``decide`` receives row ``t`` of every feature matrix
(one value per symbol) and the current positions, and answers with masks and per-symbol
confidence and protective levels. It never sees rows after ``t``; ``prepare`` may compute
causal indicators over the whole panel because each value at ``t`` depends only on rows <= t.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol, cast

import numpy as np
import numpy.typing as npt

from ouroboros.data.panel import FloatMatrix, Panel

FloatRow = npt.NDArray[np.float64]
BoolRow = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class Decisions:
    """What a policy wants at one step; arrays are aligned with the panel's symbols."""

    buy: BoolRow
    sell: BoolRow
    confidence: FloatRow
    stop_price: FloatRow
    take_profit: FloatRow
    reason: tuple[str, ...] = ()
    """Optional per-symbol rationale, aligned like the arrays (empty: the policy's name is used)."""

    @classmethod
    def none(cls, n: int) -> Decisions:
        nan = np.full(n, np.nan)
        return cls(np.zeros(n, bool), np.zeros(n, bool), np.zeros(n), nan, nan.copy())


class StepView:
    """A market at step ``t``: every accessor refuses to look past ``t``.

    Policies read features through :meth:`at` (row ``t - lag``) and :meth:`history`; the
    underlying matrices stay private so no strategy can index the future by accident.
    """

    __slots__ = ("_close", "_features", "position_qty", "t")

    def __init__(
        self,
        t: int,
        features: Mapping[str, FloatMatrix],
        close: FloatMatrix,
        position_qty: FloatRow,
    ) -> None:
        self.t = t
        self._features = features
        self._close = close
        self.position_qty = position_qty

    @property
    def n_symbols(self) -> int:
        return int(self._close.shape[1])

    @property
    def close(self) -> FloatRow:
        return cast(FloatRow, self._close[self.t])

    def at(self, name: str, lag: int = 0) -> FloatRow:
        if lag < 0:
            raise ValueError(f"lag must be >= 0 (no look-ahead), was {lag}")
        matrix = self._features[name] if name != "close" else self._close
        row = self.t - lag
        if row < 0:
            return np.full(matrix.shape[1], np.nan)
        return cast(FloatRow, matrix[row])

    def history(self, name: str, length: int) -> FloatMatrix:
        matrix = self._features[name] if name != "close" else self._close
        return matrix[max(0, self.t - length + 1) : self.t + 1]


class DecisionPolicy(Protocol):
    """The strategy port shared by backtest, replay, paper and live."""

    name: str

    def prepare(self, market: str, panel: Panel) -> Mapping[str, FloatMatrix]:
        """Causal feature matrices this policy reads (each value at t uses rows <= t only)."""
        ...

    def before_session(
        self, market: str, t: int, features: Mapping[str, FloatMatrix], position_qty: FloatRow
    ) -> None:
        """Planning hook before session ``t`` opens; may read rows < t only."""
        ...

    def decide(self, market: str, view: StepView) -> Decisions: ...


def crossed_above(view: StepView, fast: str, slow: str) -> BoolRow:
    """``fast`` strictly below ``slow`` at t-1 and strictly above at t (NaN never crosses)."""
    with np.errstate(invalid="ignore"):
        before = view.at(fast, 1) < view.at(slow, 1)
        now = view.at(fast) > view.at(slow)
    return np.asarray(before & now, dtype=bool)
