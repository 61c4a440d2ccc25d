"""A per-symbol ring buffer of recent bars, for the streaming path.

Each symbol advances only when it has a bar, so each has its own write position; reads
gather across symbols with one flat fancy index. Every value is written twice, ``capacity``
apart, so "k bars back" is always ``position − k`` with no modulo per element.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view

from ouroboros.analysis._formulas import BoolArray, FloatArray

IntArray = npt.NDArray[np.int64]


class Ring:
    """The last ``capacity`` values of one field, per symbol."""

    __slots__ = ("_buf", "_cap", "_flat", "_pos", "_row_base", "_rows", "_views")

    def __init__(self, n_symbols: int, capacity: int) -> None:
        self._cap = max(capacity, 1)
        self._buf = np.full((n_symbols, 2 * self._cap), np.nan)
        self._flat = self._buf.reshape(-1)
        self._rows = np.arange(n_symbols)
        self._row_base = self._rows * (2 * self._cap)
        # Column of each symbol's newest value in the upper copy: cap - 1 + (bars - 1) % cap.
        self._pos: IntArray = np.full(n_symbols, self._cap - 1, dtype=np.int64)
        self._views: dict[int, FloatArray] = {}

    @property
    def capacity(self) -> int:
        return self._cap

    def push(self, values: FloatArray, present: BoolArray) -> None:
        """Store this bar's value for the symbols that have one."""
        pos = self._pos + present
        pos[pos == 2 * self._cap] = self._cap
        self._pos = pos
        if present.all():
            self._flat[self._row_base + pos] = values
            self._flat[self._row_base + (pos - self._cap)] = values
            return
        rows = self._rows[present]
        self._buf[rows, pos[rows]] = values[rows]
        self._buf[rows, pos[rows] - self._cap] = values[rows]

    def ago(self, k: int) -> FloatArray:
        """Each symbol's value ``k`` of its own bars back (0 = the newest).

        Garbage where the symbol has fewer than ``k + 1`` bars: callers mask by bar count.
        """
        if not 0 <= k < self._cap:
            raise ValueError(f"ring holds {self._cap} bars, asked for {k} bars back")
        out: FloatArray = self._flat[self._row_base + (self._pos - k)]
        return out

    def ago_each(self, back: IntArray) -> FloatArray:
        """(len(back), N): row ``i`` is each symbol's value ``back[i]`` bars back.

        Unchecked (it runs every step): callers check ``back`` against :attr:`capacity` once.
        """
        out: FloatArray = self._flat[self._row_base[None, :] + (self._pos[None, :] - back[:, None])]
        return out

    def window(self, k_from: int, k_to: int) -> FloatArray:
        """(N, k_from − k_to + 1): values ``k_from`` … ``k_to`` bars back, oldest first."""
        if not 0 <= k_to <= k_from < self._cap:
            raise ValueError(f"ring holds {self._cap} bars, asked for {k_from}..{k_to} back")
        width = k_from - k_to + 1
        windows = self._views.get(width)
        if windows is None:  # (N, 2·cap − width + 1, width) view, built once per width
            windows = self._views[width] = sliding_window_view(self._buf, width, axis=1)
        # One contiguous run per symbol: a block copy each, much cheaper than per-element
        # fancy indexing.
        out: FloatArray = windows[self._rows, self._pos - k_from]
        return out
