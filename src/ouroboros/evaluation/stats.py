"""One pure statistics function shared by backtest, replay, paper and live reports.

:func:`evaluate` is the door every mode uses: it samples the equity curve once per trading day
(a KR + US + JP replay marks the account at each market's close, about three times a day) and
converts every money figure - fees, traded value, trade P&L - to the run's base currency
through the run's FX source, so no statistic sums won, yen and dollars as plain numbers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from ouroboros.domain.currency import Currency
from ouroboros.domain.fills import Fill
from ouroboros.domain.fx import FxRateSource, convert
from ouroboros.domain.money import Money
from ouroboros.evaluation.trades import Trade

PERIODS_PER_YEAR = 252.0
"""Trading days per year: the annualisation of daily-sampled statistics."""


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
    fees: Decimal
    """Every fill's fee, converted to ``currency`` and rounded to its minor unit."""
    periods: int
    """Equity points the ratios were computed from (one per trading day via :func:`evaluate`)."""
    currency: str = ""
    """The base currency of every money figure here."""

    def to_dict(self) -> dict[str, float | int | str | None]:
        """JSON-safe: infinities and NaN (e.g. no losing trade) become null, money a string."""
        out: dict[str, float | int | str | None] = {}
        for key, value in asdict(self).items():
            if isinstance(value, float) and not math.isfinite(value):
                out[key] = None
            elif isinstance(value, Decimal):
                out[key] = str(value)
            else:
                out[key] = value
        return out


def daily_points(times: Sequence[datetime]) -> npt.NDArray[np.int64]:
    """Index of the last equity point of each UTC day (the day's closing mark of the account).

    One point per day already (a daily backtest) gives every index back unchanged."""
    if not times:
        return np.zeros(0, dtype=np.int64)
    days = [t.date() if t.tzinfo is None else t.astimezone(UTC).date() for t in times]
    if len(set(days)) == len(days):
        return np.arange(len(days), dtype=np.int64)
    keep = [i for i in range(len(days) - 1) if days[i] != days[i + 1]]
    keep.append(len(days) - 1)
    return np.asarray(keep, dtype=np.int64)


def _in_base(money: Money, base: Currency, fx: FxRateSource) -> Decimal:
    return convert(money, base, fx).amount


def evaluate(
    times: Sequence[datetime],
    equity: npt.NDArray[np.float64],
    exposure: npt.NDArray[np.float64],
    fills: Sequence[Fill],
    trades: Sequence[Trade],
    base: Currency,
    fx: FxRateSource,
    periods_per_year: float = PERIODS_PER_YEAR,
) -> Statistics:
    """Statistics of a run in ``base``: equity sampled once per trading day, fees, turnover and
    trade P&L converted through ``fx`` (the run's own rate source)."""
    if len(times) != len(equity):
        raise ValueError(f"{len(times)} equity times for {len(equity)} equity points")
    rows = daily_points(times)
    fees = sum((_in_base(f.fee, base, fx) for f in fills), Decimal(0))
    traded = sum(
        (
            _in_base(Money(f.price.value * f.quantity.value, f.fee.currency), base, fx)
            for f in fills
        ),
        Decimal(0),
    )
    pnl = [_in_base(Money(t.pnl, t.currency), base, fx) for t in trades if not t.is_open]
    return compute_statistics(
        equity[rows] if len(rows) else equity,
        len(trades),
        pnl,
        exposure[rows] if len(rows) and len(exposure) == len(equity) else exposure,
        float(traded),
        Money(fees, base).rounded().amount,
        periods_per_year,
        currency=base.value,
    )


def compute_statistics(
    equity: npt.NDArray[np.float64],
    trades: int,
    closed_pnl: Sequence[Decimal],
    exposure: npt.NDArray[np.float64],
    traded_value: float,
    fees: Decimal,
    periods_per_year: float = PERIODS_PER_YEAR,
    *,
    currency: str = "",
) -> Statistics:
    """Statistics from an equity curve sampled once per period, all money in one currency.

    ``closed_pnl`` is each closed round trip's P&L; ``exposure`` the invested fraction of
    equity per period; ``traded_value`` the gross value of all fills (turnover = traded value
    / mean equity). Sharpe and Sortino are annualised with ``periods_per_year`` and a zero
    risk-free rate; max drawdown is from the running peak.
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
    wins = [p for p in closed_pnl if p > 0]
    losses = [p for p in closed_pnl if p <= 0]
    gross_loss = -sum(losses, Decimal(0))
    profit_factor = (
        float(sum(wins, Decimal(0)) / gross_loss)
        if gross_loss > 0
        else float("inf" if wins else "nan")
    )
    closed = len(closed_pnl)
    return Statistics(
        start_equity=start,
        final_equity=final,
        total_return_pct=total * 100,
        cagr_pct=cagr * 100,
        sharpe=sharpe,
        sortino=sortino,
        max_drawdown_pct=drawdown * 100,
        win_rate_pct=(len(wins) / closed * 100) if closed else float("nan"),
        profit_factor=profit_factor,
        exposure_pct=float(np.mean(exposure)) * 100 if len(exposure) else 0.0,
        turnover=traded_value / float(np.mean(equity)) if float(np.mean(equity)) else 0.0,
        trades=trades,
        closed_trades=closed,
        fees=fees,
        periods=len(equity),
        currency=currency,
    )
