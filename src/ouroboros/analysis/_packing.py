"""Packed layout: each symbol's own bars, left-aligned in a symbol-major (N, T) matrix.

Indicators count a symbol's own bars, not calendar rows. Packing every symbol's bars to the
start of its row (NaN after its last bar) makes that the natural axis: TA-Lib runs on one
contiguous row prefix per symbol, and every derived formula — including "k bars ago", a
plain shift along the row — runs on a block of rows at once.

For a symbol that trades from the first row with no gap (the usual case) packing is just a
transpose, so packing and unpacking cost one transpose per field; only symbols that list
late or have gaps take a per-symbol gather/scatter.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from ouroboros.analysis import _formulas as fm
from ouroboros.analysis._formulas import BoolArray, FloatArray

if TYPE_CHECKING:
    from ouroboros.data.panel import Panel

IndexArray = npt.NDArray[np.intp]


@dataclass(frozen=True, slots=True)
class Packed:
    """High, low, close and volume packed per symbol, plus where each bar came from."""

    high: FloatArray
    low: FloatArray
    close: FloatArray
    volume: FloatArray
    lengths: npt.NDArray[np.int64]
    """Bars per symbol: row ``j`` holds data in ``[:lengths[j]]`` and NaN after."""
    moved: dict[int, IndexArray]
    """Symbols whose bars are not rows ``0 … lengths[j] − 1``: symbol → source rows."""

    @property
    def shape(self) -> tuple[int, int]:
        n_sym, t_len = self.close.shape
        return (n_sym, t_len)

    def rows(self, start: int, stop: int) -> Packed:
        """The symbols ``start … stop − 1`` (views, not copies)."""
        moved = {j - start: r for j, r in self.moved.items() if start <= j < stop}
        return Packed(
            self.high[start:stop],
            self.low[start:stop],
            self.close[start:stop],
            self.volume[start:stop],
            lengths=self.lengths[start:stop],
            moved=moved,
        )

    def unpack(self, packed: FloatArray) -> FloatArray:
        """(N, T) packed values → (T, N) C-contiguous, NaN where a symbol had no bar.

        That includes the padding after a symbol's last bar, where lagged features would
        otherwise leak a value.
        """
        out = np.array(packed.T, order="C")
        t_len = out.shape[0]
        for j in np.flatnonzero(self.lengths < t_len).tolist():
            out[self.lengths[j] :, j] = np.nan
        for j, rows in self.moved.items():
            out[:, j] = np.nan
            out[rows, j] = packed[j, : rows.size]
        return out


def pack(panel: Panel) -> Packed:
    """Pack the bars of ``panel`` (a cell is a bar when all five fields are finite)."""
    present = fm.bar_present(panel.open, panel.high, panel.low, panel.close, panel.volume)
    lengths = present.sum(axis=0).astype(np.int64)
    # A symbol is in place when its m bars are rows 0 … m − 1.
    moved: dict[int, IndexArray] = {
        j: np.flatnonzero(present[:, j])
        for j in range(panel.shape[1])
        if not present[: lengths[j], j].all()
    }
    complete = bool(present.all())
    mask = None if complete else present
    return Packed(
        high=_pack_field(panel.high, mask, moved),
        low=_pack_field(panel.low, mask, moved),
        close=_pack_field(panel.close, mask, moved),
        volume=_pack_field(panel.volume, mask, moved),
        lengths=lengths,
        moved=moved,
    )


def _pack_field(
    field: FloatArray, present: BoolArray | None, moved: dict[int, IndexArray]
) -> FloatArray:
    out = np.array(field.T, dtype=np.float64, order="C")  # always a copy: edited below
    if present is not None:
        out[~present.T] = np.nan  # a partial bar is no bar: clear its finite fields too
    for j, rows in moved.items():
        out[j] = np.nan
        out[j, : rows.size] = field[rows, j]
    return out
