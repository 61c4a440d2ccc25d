"""Vectorised tick snapping for float price arrays, driven by the domain's tick tables.

The domain rounds one ``Decimal`` at a time, which is exact but far too slow for millions of
synthetic prices. Here the same ``TickTable`` bands are applied to whole arrays: each price is
moved to a multiple of its band's tick and then rounded to the table's decimal places, so the
float is the one nearest the exact decimal and ``Decimal(repr(x))`` is on the grid (tested
against ``Instrument.is_valid_price``). Band edges are multiples of both neighbouring ticks, so a
price pushed across an edge by rounding is still valid.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ouroboros.domain import PriceRounding, TickTable

FloatArray = npt.NDArray[np.float64]


def snap_prices(
    prices: FloatArray, table: TickTable, mode: PriceRounding = PriceRounding.NEAREST
) -> FloatArray:
    """``prices`` snapped onto ``table``'s grid (NaN stays NaN; results are at least one tick)."""
    lowers = np.array([float(x) for x in table.lowers])
    ticks = np.array([float(x) for x in table.ticks])
    decimals = max(max(-int(t.as_tuple().exponent), 0) for t in table.ticks)
    p = np.asarray(prices, dtype=np.float64)
    band = np.clip(np.searchsorted(lowers, p, side="right") - 1, 0, len(ticks) - 1)
    tick = ticks[band]
    steps = p / tick
    if mode is PriceRounding.UP:
        k = np.ceil(np.round(steps, 6))
    elif mode is PriceRounding.DOWN:
        k = np.floor(np.round(steps, 6))
    else:
        k = np.rint(steps)
    snapped = np.round(np.maximum(k, 1.0) * tick, decimals)
    return np.where(np.isnan(p), np.nan, snapped)
