"""The fields every run-like command (``run``, ``run --broker``, ``backtest``) reports alike.

One name per fact across commands: ``policy`` (not strategy), ``db``, ``elapsed_s`` (the
command's real duration), ``audit_problems`` (always a list of problem objects), ``markets`` in
the order given, ``resumed``. Money is a string in ``currency`` (the base currency), ratios and
percentages are floats rounded to ``RATIO_PLACES`` decimals (null when undefined).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

from ouroboros.domain.ids import InstrumentId
from ouroboros.domain.money import Money, to_decimal
from ouroboros.engine.loop import MarketFeed
from ouroboros.evaluation.stats import Statistics
from ouroboros.interfaces.cli.output import RATIO_PLACES, ratio


def statistics_fields(stats: Statistics) -> dict[str, Any]:
    return {
        "return_pct": ratio(stats.total_return_pct),
        "cagr_pct": ratio(stats.cagr_pct),
        "max_drawdown_pct": ratio(stats.max_drawdown_pct),
        "sharpe": ratio(stats.sharpe),
        "sortino": ratio(stats.sortino),
        "win_rate_pct": ratio(stats.win_rate_pct),
        "profit_factor": ratio(stats.profit_factor),
        "exposure_pct": ratio(stats.exposure_pct),
        "turnover": ratio(stats.turnover),
        "fees": str(stats.fees),
        "trades": stats.trades,
        "closed_trades": stats.closed_trades,
        "periods": stats.periods,
        "ratio_places": RATIO_PLACES,
    }


def money_json(money: Money) -> dict[str, str]:
    return {"amount": str(money.amount), "currency": money.currency.value}


def data_label(markets: Sequence[str], synthetic: Sequence[str], symbols: int, seed: int) -> str:
    """Which markets traded real (bundled) bars and which SYNTHETIC ones, for the report."""
    parts = []
    real = [m for m in markets if m not in synthetic]
    if real:
        parts.append(f"bundled daily bars (real, public domain) for {', '.join(real)}")
    if synthetic:
        parts.append(
            f"SYNTHETIC bars (generated, {symbols} symbols, seed {seed}) for {', '.join(synthetic)}"
        )
    return "; ".join(parts)


def last_prices(
    feeds: Sequence[MarketFeed], last_close: Mapping[str, npt.NDArray[np.float64]]
) -> dict[InstrumentId, Decimal]:
    """Each instrument's last close of the run (what open trades are marked at)."""
    prices: dict[InstrumentId, Decimal] = {}
    for feed in feeds:
        closes = last_close.get(feed.code)
        if closes is None:
            continue
        for inst, px in zip(feed.instruments, closes, strict=True):
            if not np.isnan(px):
                prices[inst.id] = to_decimal(float(px))
    return prices
