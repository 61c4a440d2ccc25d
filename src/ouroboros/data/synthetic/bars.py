"""Turn simulated returns into OHLCV bars on the exchange's tick grid.

Daily: the close follows the log returns; the open takes a random share of the day's move as
the overnight gap; high and low extend beyond the body by a multiple of the day's conditional
sigma. Markets with a daily price limit (KRX 30 %, SSE/SZSE 10 %, HOSE 7 %, HNX 10 %) have
every price kept inside the band around the previous close. Minute bars chain open to the
previous close, with the overnight gap on each session's first minute.

Prices are snapped with the tick table in force on each bar's date (HKEX changed its table on
2025-08-04): open and close to the nearest tick, high up and low down, then the body is re-
enclosed so low <= open, close <= high holds on the grid.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import numpy.typing as npt

from ouroboros.data.synthetic.model import Returns
from ouroboros.data.synthetic.universe import Universe
from ouroboros.data.ticks import snap_prices
from ouroboros.domain import PriceRounding, tick_table_for

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
OHLCV = dict[str, FloatArray]
_GAP_SHARE = 0.8  # of the first minute's return that happens before the open


def daily_ohlc(rng: np.random.Generator, universe: Universe, returns: Returns) -> OHLCV:
    """Raw (unsnapped) daily open/high/low/close matrices (T, N)."""
    r = returns.log_returns
    limit = universe.profile.daily_limit
    if limit is not None:
        r = np.clip(r, np.log1p(-limit), np.log1p(limit))
    log_close = np.log(universe.start_price) + np.cumsum(r, axis=0)
    prev = np.vstack([np.log(universe.start_price)[None, :], log_close[:-1]])
    gap = rng.uniform(0.1, 0.5, r.shape) * r + rng.normal(0.0, 0.15, r.shape) * returns.sigma
    log_open = prev + gap
    wick_up = np.abs(rng.normal(0.0, 0.5, r.shape)) * returns.sigma
    wick_dn = np.abs(rng.normal(0.0, 0.5, r.shape)) * returns.sigma
    log_high = np.maximum(log_open, log_close) + wick_up
    log_low = np.minimum(log_open, log_close) - wick_dn
    if limit is not None:
        lo, hi = prev + np.log1p(-limit), prev + np.log1p(limit)
        log_open, log_high, log_low = (np.clip(x, lo, hi) for x in (log_open, log_high, log_low))
    return {
        "open": np.exp(log_open),
        "high": np.exp(log_high),
        "low": np.exp(log_low),
        "close": np.exp(log_close),
    }


def minute_ohlc(
    rng: np.random.Generator,
    universe: Universe,
    returns: Returns,
    segment: IntArray,
) -> OHLCV:
    """Raw minute bars. ``segment[t]`` is the session index of minute ``t`` (non-decreasing)."""
    r = returns.log_returns
    n_steps = r.shape[0]
    first = np.ones(n_steps, dtype=bool)
    first[1:] = segment[1:] != segment[:-1]
    log_close = np.log(universe.start_price) + np.cumsum(r, axis=0)
    limit = universe.profile.daily_limit
    if limit is not None:
        log_close = _clamp_sessions(log_close, segment, np.log(universe.start_price), limit)
    prev = np.vstack([np.log(universe.start_price)[None, :], log_close[:-1]])
    step = log_close - prev
    log_open = np.where(first[:, None], prev + _GAP_SHARE * step, prev)
    wick = returns.sigma * np.where(first[:, None], 1 - _GAP_SHARE, 1.0)
    log_high = np.maximum(log_open, log_close) + np.abs(rng.normal(0, 0.5, r.shape)) * wick
    log_low = np.minimum(log_open, log_close) - np.abs(rng.normal(0, 0.5, r.shape)) * wick
    return {
        "open": np.exp(log_open),
        "high": np.exp(log_high),
        "low": np.exp(log_low),
        "close": np.exp(log_close),
    }


def _clamp_sessions(
    log_close: FloatArray, segment: IntArray, start: FloatArray, limit: float
) -> FloatArray:
    """Keep every minute close inside the daily limit band around the previous session's
    close. A loop over sessions (not minutes or symbols): each band depends on the last."""
    out = log_close.copy()
    ref = start.copy()
    shift = np.zeros_like(start)
    starts = np.flatnonzero(np.concatenate([[True], segment[1:] != segment[:-1]]))
    ends = np.concatenate([starts[1:], [len(segment)]])
    for a, b in zip(starts, ends, strict=True):
        clamped = np.clip(out[a:b] + shift, ref + np.log1p(-limit), ref + np.log1p(limit))
        out[a:b] = clamped
        shift = clamped[-1] - log_close[b - 1]
        ref = clamped[-1]
    return out


def snap_bars(raw: OHLCV, universe: Universe, bar_dates: Sequence[date]) -> OHLCV:
    """Snap every price onto the venue's tick grid as of each bar's date."""
    venue = universe.profile.venue
    tables = [tick_table_for(venue, d) for d in bar_dates]
    out = {k: np.empty_like(v) for k, v in raw.items()}
    names = sorted({t.name for t in tables})
    for name in names:
        rows = np.array([t.name == name for t in tables])
        table = next(t for t in tables if t.name == name)
        for key, mode in (
            ("open", PriceRounding.NEAREST),
            ("close", PriceRounding.NEAREST),
            ("high", PriceRounding.UP),
            ("low", PriceRounding.DOWN),
        ):
            out[key][rows] = snap_prices(raw[key][rows], table, mode)
    out["high"] = np.maximum(out["high"], np.maximum(out["open"], out["close"]))
    out["low"] = np.minimum(out["low"], np.minimum(out["open"], out["close"]))
    return out
