"""One pure statistics function shared by backtest, replay, paper and live reports."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from ouroboros.evaluation.trades import Trade


@dataclass(frozen=True, slots=True)
class Statistics:
    start_equity: float
    final_equity: float
    total_return_pct: float
    cagr_pct: float
    sharpe: float
    sortino: float
    max_drawdown_pct: float
    win_rate_pct: float
    profit_factor: float
    exposure_pct: float
    turnover: float
    trades: int
    closed_trades: int
    fees: float
    periods: int

    def to_dict(self) -> dict[str, float | int | None]:
        """JSON-safe: infinities and NaN (e.g. no losing trade) become null."""
        return {
            key: None if isinstance(value, float) and not math.isfinite(value) else value
            for key, value in asdict(self).items()
        }


def compute_statistics(
    equity: npt.NDArray[np.float64],
    trades: Sequence[Trade],
    exposure: npt.NDArray[np.float64],
    traded_value: float,
    fees: float,
    periods_per_year: float = 252.0,
) -> Statistics:
    """Statistics from an equity curve sampled once per period (e.g. each session close).

    ``exposure`` is the invested fraction of equity per period; ``traded_value`` the gross value
    of all fills (turnover = traded value / mean equity). Sharpe and Sortino are annualised
    with ``periods_per_year`` and a zero risk-free rate; max drawdown is from the running peak.
    """
    if len(equity) == 0:
        raise ValueError("statistics need at least one equity point")
    start, final = float(equity[0]), float(equity[-1])
    returns = np.diff(equity) / equity[:-1] if len(equity) > 1 else np.zeros(0)
    years = max(len(equity) - 1, 1) / periods_per_year
    total = final / start - 1 if start else float("nan")
    cagr = (final / start) ** (1 / years) - 1 if start > 0 and final > 0 else float("nan")
    std = float(np.std(returns, ddof=1)) if len(returns) > 1 else 0.0
    mean = float(np.mean(returns)) if len(returns) else 0.0
    sharpe = mean / std * math.sqrt(periods_per_year) if std > 0 else float("nan")
    downside = returns[returns < 0]
    dstd = float(np.sqrt(np.mean(downside**2))) if len(downside) else 0.0
    sortino = mean / dstd * math.sqrt(periods_per_year) if dstd > 0 else float("nan")
    peak = np.maximum.accumulate(equity)
    drawdown = float(np.max((peak - equity) / peak)) if len(equity) else 0.0
    closed = [t for t in trades if not t.is_open]
    wins = [t.pnl for t in closed if t.pnl > 0]
    losses = [t.pnl for t in closed if t.pnl <= 0]
    gross_loss = -sum(losses, Decimal(0))
    profit_factor = (
        float(sum(wins, Decimal(0)) / gross_loss)
        if gross_loss > 0
        else float("inf" if wins else "nan")
    )
    return Statistics(
        start_equity=start,
        final_equity=final,
        total_return_pct=total * 100,
        cagr_pct=cagr * 100,
        sharpe=sharpe,
        sortino=sortino,
        max_drawdown_pct=drawdown * 100,
        win_rate_pct=(len(wins) / len(closed) * 100) if closed else float("nan"),
        profit_factor=profit_factor,
        exposure_pct=float(np.mean(exposure)) * 100 if len(exposure) else 0.0,
        turnover=traded_value / float(np.mean(equity)) if float(np.mean(equity)) else 0.0,
        trades=len(trades),
        closed_trades=len(closed),
        fees=fees,
        periods=len(equity),
    )
