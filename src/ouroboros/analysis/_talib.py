"""Typed wrappers over the TA-Lib calls we use: the only module that touches ``talib``.

TA-Lib is untyped, accepts only float64 (it raises a bare ``Exception`` otherwise) and marks
its lookback with leading NaNs. Callers here always pass contiguous, gap-free float64 series,
so the wrappers only pin the dtype and the return types.

Note for anyone comparing against another implementation: the bundled C library is compiled
with fused multiply-add, so its recursions (EMA, RSI, ATR) round differently from plain
``a * b + c`` in numpy by an ulp or so per step; see ``docs/indicators.md``.
"""

from __future__ import annotations

import numpy as np
import talib

from ouroboros.analysis._formulas import FloatArray


def _f64(x: FloatArray) -> FloatArray:
    return np.ascontiguousarray(x, dtype=np.float64)


def sma(x: FloatArray, period: int) -> FloatArray:
    out: FloatArray = talib.SMA(_f64(x), timeperiod=period)
    return out


def ema(x: FloatArray, period: int) -> FloatArray:
    out: FloatArray = talib.EMA(_f64(x), timeperiod=period)
    return out


def macd(
    x: FloatArray, fast: int, slow: int, signal: int
) -> tuple[FloatArray, FloatArray, FloatArray]:
    line, sig, hist = talib.MACD(_f64(x), fastperiod=fast, slowperiod=slow, signalperiod=signal)
    return line, sig, hist


def rsi(x: FloatArray, period: int) -> FloatArray:
    out: FloatArray = talib.RSI(_f64(x), timeperiod=period)
    return out


def atr(high: FloatArray, low: FloatArray, close: FloatArray, period: int) -> FloatArray:
    out: FloatArray = talib.ATR(_f64(high), _f64(low), _f64(close), timeperiod=period)
    return out


def rolling_max(x: FloatArray, period: int) -> FloatArray:
    out: FloatArray = talib.MAX(_f64(x), timeperiod=period)
    return out


def rolling_min(x: FloatArray, period: int) -> FloatArray:
    out: FloatArray = talib.MIN(_f64(x), timeperiod=period)
    return out
