"""Incremental replicas of TA-Lib's recursive indicators, vectorised across symbols.

Each kernel holds one state vector per quantity (one lane per symbol) and advances only the
lanes that have a bar this step, so a symbol's state evolves exactly as if TA-Lib ran over
that symbol's own bars. Seeding and alignment follow TA-Lib's C code operation by operation:

* SMA keeps TA-Lib's running total (add the new value, divide, subtract the oldest), so it is
  bit-identical to ``talib.SMA``.
* EMA is seeded with the plain mean of its first ``period`` inputs, summed left to right from
  0.0, at a configurable bar: its own ``period``-th bar for ``talib.EMA``, the slow period's
  bar for MACD's fast EMA (TA-Lib starts both MACD EMAs on the same bar).
* RSI and ATR follow Wilder: sums over the first ``period`` changes / true ranges, divided by
  ``period``, then ``(prev × (period − 1) + new) / period``.

The C library is compiled with fused multiply-add, so the recursions here (two roundings per
multiply-add) drift from TA-Lib by an ulp or so per step; the recursions are contractions, so
the gap stays at that level (see ``docs/indicators.md``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ouroboros.analysis._formulas import RSI_FLAT, BoolArray, FloatArray
from ouroboros.analysis._ring import IntArray, Ring


@dataclass(frozen=True, slots=True)
class Step:
    """Which lanes have a bar this step, and how many bars each lane has seen (including it).

    ``steady_after(n)`` is the fast-path test: every lane has a bar and more than ``n`` bars,
    so a kernel can skip its per-lane masks. Both paths perform the same float operations on
    each lane, so they give identical numbers.
    """

    present: BoolArray
    count: IntArray
    all_present: bool
    min_count: int

    @classmethod
    def of(cls, present: BoolArray, count: IntArray) -> Step:
        all_present = bool(present.all())
        min_count = int(count.min()) if count.size else 0
        return cls(present, count, all_present, min_count)

    def steady_after(self, n: int) -> bool:
        return self.all_present and self.min_count > n


class RunningMeans:
    """``talib.SMA`` for several periods of one field, one bar at a time.

    The periods share one (P, N) state so a step costs the same few numpy calls for six
    SMAs as for one.
    """

    __slots__ = ("_back", "_longest", "_periods", "_ring", "_total")

    def __init__(self, n_symbols: int, periods: tuple[int, ...], ring: Ring) -> None:
        self._periods = np.array(periods, dtype=np.float64)[:, None]
        self._back = np.array(periods, dtype=np.int64) - 1
        self._longest = max(periods, default=1)
        if min(periods, default=1) < 1 or self._longest > ring.capacity:
            raise ValueError(f"periods {periods} do not fit a ring of {ring.capacity} bars")
        self._ring = ring
        self._total = np.zeros((len(periods), n_symbols))

    def update(self, x: FloatArray, step: Step) -> FloatArray:
        """(P, N): each SMA at this bar (NaN before its period); the ring must hold ``x``."""
        oldest = self._ring.ago_each(self._back)
        if step.steady_after(self._longest - 1):
            total = self._total + x
            self._total = total - oldest
            out: FloatArray = total / self._periods
            return out
        present = step.present[None, :]
        total = np.where(present, self._total + x, self._total)
        full = present & (step.count[None, :] >= self._periods)
        out = np.where(full, total / self._periods, np.nan)
        self._total = np.where(full, total - oldest, total)
        return out


class TalibEma:
    """``talib.EMA`` seeded at bar ``seed_count`` (1-based count of the input's bars)."""

    __slots__ = ("_acc", "_k", "_period", "_seed", "_value")

    def __init__(self, n_symbols: int, period: int, seed_count: int) -> None:
        self._period = period
        self._seed = seed_count
        self._k = 2.0 / float(period + 1)
        self._acc = np.zeros(n_symbols)
        self._value = np.full(n_symbols, np.nan)

    def update(self, x: FloatArray, step: Step) -> FloatArray:
        """The EMA at this bar; ``x`` need only be valid where ``count`` reaches the seed window."""
        if step.steady_after(self._seed):
            self._value = (x - self._value) * self._k + self._value
            return self._value
        present, count = step.present, step.count
        window = present & (count > self._seed - self._period) & (count <= self._seed)
        self._acc = np.where(window, self._acc + x, self._acc)
        seeding = present & (count == self._seed)
        stepping = present & (count > self._seed)
        advanced = (x - self._value) * self._k + self._value
        value = np.where(stepping, advanced, self._value)
        self._value = np.where(seeding, self._acc / self._period, value)
        return np.where(present & (count >= self._seed), self._value, np.nan)


class WilderRsi:
    """``talib.RSI`` (Wilder smoothing), except that no movement at all reads ``RSI_FLAT``."""

    __slots__ = ("_gain", "_loss", "_period", "_prev")

    def __init__(self, n_symbols: int, period: int) -> None:
        self._period = period
        self._prev = np.full(n_symbols, np.nan)
        self._gain = np.zeros(n_symbols)
        self._loss = np.zeros(n_symbols)

    def update(self, close: FloatArray, step: Step) -> FloatArray:
        n = self._period
        d = close - self._prev
        down = d < 0.0
        self._prev = close if step.all_present else np.where(step.present, close, self._prev)
        if step.steady_after(n + 1):
            g_old = self._gain * (n - 1)
            l_old = self._loss * (n - 1)
            self._gain = np.where(down, g_old, g_old + d) / n
            self._loss = np.where(down, l_old - d, l_old) / n
            return self._rsi()
        present, count = step.present, step.count
        moved = present & (count >= 2)
        seeding = moved & (count <= n + 1)
        stepping = moved & (count > n + 1)
        # Seed: plain sums of up and down moves, divided by n on the (n+1)-th bar.
        g_acc = np.where(down, self._gain, self._gain + d)
        l_acc = np.where(down, self._loss - d, self._loss)
        seeded = seeding & (count == n + 1)
        g_acc = np.where(seeded, g_acc / n, g_acc)
        l_acc = np.where(seeded, l_acc / n, l_acc)
        # Wilder step: scale by (n − 1), add this move, divide by n.
        g_old = self._gain * (n - 1)
        l_old = self._loss * (n - 1)
        g_step = np.where(down, g_old, g_old + d) / n
        l_step = np.where(down, l_old - d, l_old) / n
        self._gain = np.where(stepping, g_step, np.where(seeding, g_acc, self._gain))
        self._loss = np.where(stepping, l_step, np.where(seeding, l_acc, self._loss))
        return np.where(present & (count >= n + 1), self._rsi(), np.nan)

    def _rsi(self) -> FloatArray:
        total = self._gain + self._loss
        rsi = 100.0 * (self._gain / total)
        # TA-Lib 0.8 (C 0.8.1) reads "no movement" only when gain + loss is exactly 0
        # (measured: a sum of 5e-324 still gives 100); it then returns 0, we return RSI_FLAT.
        out: FloatArray = np.where(total == 0.0, RSI_FLAT, rsi)
        return out


class WilderAtr:
    """``talib.ATR``: the mean of the first ``period`` true ranges, then Wilder smoothing."""

    __slots__ = ("_acc", "_period", "_prev_close", "_value")

    def __init__(self, n_symbols: int, period: int) -> None:
        self._period = period
        self._prev_close = np.full(n_symbols, np.nan)
        self._acc = np.zeros(n_symbols)
        self._value = np.full(n_symbols, np.nan)

    def update(
        self,
        high: FloatArray,
        low: FloatArray,
        close: FloatArray,
        step: Step,
    ) -> FloatArray:
        n = self._period
        pc = self._prev_close
        true_range = np.maximum(np.maximum(high - low, np.abs(pc - high)), np.abs(low - pc))
        if step.steady_after(n + 1):
            self._value = (self._value * (n - 1) + true_range) / n
            self._prev_close = close
            return self._value
        present, count = step.present, step.count
        moved = present & (count >= 2)
        self._acc = np.where(moved & (count <= n + 1), self._acc + true_range, self._acc)
        seeding = present & (count == n + 1)
        stepping = present & (count > n + 1)
        advanced = (self._value * (n - 1) + true_range) / n
        value = np.where(stepping, advanced, self._value)
        self._value = np.where(seeding, self._acc / n, value)
        self._prev_close = np.where(present, close, pc)
        return np.where(present & (count >= n + 1), self._value, np.nan)
