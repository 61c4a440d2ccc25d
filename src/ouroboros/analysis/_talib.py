"""Typed wrappers over the TA-Lib calls we use: the only module that touches ``talib``.

TA-Lib is untyped, accepts only float64 (it raises a bare ``Exception`` otherwise) and marks
its lookback with leading NaNs. Callers here always pass contiguous, gap-free float64 series,
so the wrappers only pin the dtype and the return types.

Note for anyone comparing against another implementation: the bundled C library is compiled
with fused multiply-add, so its recursions (EMA, RSI, ATR) round differently from plain
``a * b + c`` in numpy by an ulp or so per step; see ``docs/indicators.md``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import talib

from ouroboros.analysis._formulas import FloatArray

# ``talib.SMA`` etc. are Python wrappers that only add pandas/polars Series support; the
# Cython functions underneath take numpy arrays directly and skip ~15 µs of checks per call
# (thousands of calls per universe). Fall back to the wrappers if a release moves them.
_ta: Any = getattr(talib, "_ta_lib", talib)


def _f64(x: FloatArray) -> FloatArray:
    return np.ascontiguousarray(x, dtype=np.float64)


def sma(x: FloatArray, period: int) -> FloatArray:
    out: FloatArray = _ta.SMA(_f64(x), timeperiod=period)
    return out


def ema(x: FloatArray, period: int) -> FloatArray:
    out: FloatArray = _ta.EMA(_f64(x), timeperiod=period)
    return out


def macd(
    x: FloatArray, fast: int, slow: int, signal: int
) -> tuple[FloatArray, FloatArray, FloatArray]:
    line, sig, hist = _ta.MACD(_f64(x), fastperiod=fast, slowperiod=slow, signalperiod=signal)
    return line, sig, hist


def rsi(x: FloatArray, period: int) -> FloatArray:
    out: FloatArray = _ta.RSI(_f64(x), timeperiod=period)
    return out


def atr(high: FloatArray, low: FloatArray, close: FloatArray, period: int) -> FloatArray:
    out: FloatArray = _ta.ATR(_f64(high), _f64(low), _f64(close), timeperiod=period)
    return out


def rolling_max(x: FloatArray, period: int) -> FloatArray:
    out: FloatArray = _ta.MAX(_f64(x), timeperiod=period)
    return out


def rolling_min(x: FloatArray, period: int) -> FloatArray:
    out: FloatArray = _ta.MIN(_f64(x), timeperiod=period)
    return out
