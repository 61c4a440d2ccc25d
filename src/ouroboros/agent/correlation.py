"""Before the open: which instruments' daily returns move together, from history (numpy).

``daily_returns`` turns a closes matrix (sessions x instruments) into simple returns;
``correlated_pairs`` is the pure numerical core (a returns matrix in, a boolean matrix out);
``correlation_map`` wraps it into the :class:`~ouroboros.risk.correlation.CorrelationMap` the
risk manager's correlated-positions limit reads. Floats stay in this module: the map holds only
ids and the parameters it was computed with.

An instrument is *covered* only if it has ``lookback`` finite returns ending at the last row
and a non-zero variance over them; the risk check counts an uncovered instrument as correlated
with everything (fail closed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from ouroboros.domain import InstrumentId
from ouroboros.risk.correlation import CorrelationMap
from ouroboros.risk.limits import RiskLimits

FloatMatrix = npt.NDArray[np.float64]
BoolMatrix = npt.NDArray[np.bool_]
BoolVector = npt.NDArray[np.bool_]


def daily_returns(closes: FloatMatrix) -> FloatMatrix:
    """Simple returns ``close[t] / close[t-1] - 1`` per column; one row shorter. NaN stays NaN."""
    c = np.asarray(closes, dtype=np.float64)
    if c.ndim != 2:
        raise ValueError(f"closes must be a 2-d matrix (sessions x instruments), was {c.ndim}-d")
    if np.any(c[np.isfinite(c)] <= 0):
        raise ValueError("closes must be positive prices")
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(c[1:] / c[:-1] - 1.0, dtype=np.float64)


def correlated_pairs(
    returns: FloatMatrix, *, lookback: int, threshold: float
) -> tuple[BoolMatrix, BoolVector]:
    """Pearson correlation of the last ``lookback`` rows, thresholded.

    Returns ``(above, covered)``: ``above[i, j]`` is true when columns ``i`` and ``j`` (both
    covered, ``i != j``) correlate strictly above ``threshold``; ``covered[i]`` says column ``i``
    has ``lookback`` finite returns with non-zero variance.
    """
    r = np.asarray(returns, dtype=np.float64)
    if r.ndim != 2:
        raise ValueError(f"returns must be a 2-d matrix (sessions x instruments), was {r.ndim}-d")
    if lookback < 2:
        raise ValueError(f"invalid lookback, was {lookback}: must be >= 2")
    n = r.shape[1]
    if r.shape[0] < lookback:
        return np.zeros((n, n), dtype=bool), np.zeros(n, dtype=bool)
    window = r[-lookback:]
    finite = np.all(np.isfinite(window), axis=0)
    safe = np.where(finite, window, 0.0)
    centred = safe - safe.mean(axis=0)
    norms = np.sqrt((centred * centred).sum(axis=0))
    covered = finite & (norms > 1e-12 * np.maximum(1.0, np.abs(safe).max(axis=0)))
    scale = np.where(covered, norms, 1.0)
    unit = centred / scale
    corr = unit.T @ unit
    above = (corr > threshold) & covered[:, None] & covered[None, :]
    np.fill_diagonal(above, False)
    return above, covered


def correlation_map(
    instruments: Sequence[InstrumentId],
    returns: FloatMatrix,
    *,
    as_of: dt.date,
    lookback: int,
    threshold: Decimal,
) -> CorrelationMap:
    """The map for ``instruments`` (one per column of ``returns``), as of the day it is for."""
    r = np.asarray(returns, dtype=np.float64)
    if r.ndim != 2 or r.shape[1] != len(instruments):
        raise ValueError(
            f"returns has shape {r.shape}, expected (sessions, {len(instruments)} instruments)"
        )
    if len(set(instruments)) != len(instruments):
        raise ValueError("instruments must be distinct")
    above, covered = correlated_pairs(r, lookback=lookback, threshold=float(threshold))
    ii, jj = np.nonzero(np.triu(above, k=1))
    return CorrelationMap.of(
        as_of,
        lookback,
        threshold,
        (instruments[int(i)] for i in np.flatnonzero(covered)),
        ((instruments[int(i)], instruments[int(j)]) for i, j in zip(ii, jj, strict=True)),
    )


def correlation_map_for(
    instruments: Sequence[InstrumentId], closes: FloatMatrix, limits: RiskLimits, as_of: dt.date
) -> CorrelationMap:
    """The map a session hands the risk manager: closes in, the limits' lookback and threshold."""
    return correlation_map(
        instruments,
        daily_returns(closes),
        as_of=as_of,
        lookback=limits.correlation_lookback,
        threshold=limits.correlation_threshold,
    )
