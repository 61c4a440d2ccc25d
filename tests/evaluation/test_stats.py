"""Statistics in one base currency at one point per trading day (issue 9, item 5)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import numpy as np
import pytest

from ouroboros.domain.currency import Currency
from ouroboros.domain.fills import Fill
from ouroboros.domain.fx import StaticFxRates
from ouroboros.domain.ids import ClientOrderId, InstrumentId
from ouroboros.domain.money import Money, Price, Quantity
from ouroboros.domain.orders import OrderSide
from ouroboros.evaluation.stats import daily_points, evaluate
from ouroboros.evaluation.trades import TradeTracker, marked_trades

FX = StaticFxRates(Currency.USD, {Currency.KRW: Decimal("1000"), Currency.JPY: Decimal("100")})
SAMSUNG = InstrumentId.parse("005930.KRX")
TOYOTA = InstrumentId.parse("7203.TSE")
DAY = datetime(2024, 1, 2, tzinfo=UTC)


def fill(
    n: int, iid: InstrumentId, side: OrderSide, qty: str, px: str, fee: str, cur: Currency
) -> Fill:
    return Fill(
        f"f{n}",
        ClientOrderId(f"c-{n}"),
        iid,
        side,
        Quantity.of(qty),
        Price.of(px),
        Money(Decimal(fee), cur),
        DAY + timedelta(hours=n),
    )


def three_marks_a_day(days: int) -> tuple[list[datetime], np.ndarray]:
    times, equity = [], []
    for d in range(days):
        for hour in (6, 7, 21):  # JP, KR, US closes in UTC
            times.append(DAY + timedelta(days=d, hours=hour))
            equity.append(100_000.0 * (1.001**d) + hour)  # intraday noise between closes
    return times, np.asarray(equity)


def test_one_point_per_trading_day() -> None:
    times, _ = three_marks_a_day(5)
    assert daily_points(times).tolist() == [2, 5, 8, 11, 14]
    daily = [DAY + timedelta(days=d) for d in range(4)]
    assert daily_points(daily).tolist() == [0, 1, 2, 3]


def test_ratios_use_the_daily_curve_not_every_market_close() -> None:
    times, equity = three_marks_a_day(30)
    stats = evaluate(times, equity, np.zeros(len(equity)), [], [], Currency.USD, FX)
    assert stats.periods == 30
    daily = equity[2::3]
    returns = np.diff(daily) / daily[:-1]
    expected = float(np.mean(returns) / np.std(returns, ddof=1) * np.sqrt(252))
    assert stats.sharpe == pytest.approx(expected)


def test_money_statistics_are_converted_to_the_base_currency() -> None:
    tracker = TradeTracker()
    fills = [
        fill(1, SAMSUNG, OrderSide.BUY, "10", "70000", "1000", Currency.KRW),
        fill(2, SAMSUNG, OrderSide.SELL, "10", "80000", "2000", Currency.KRW),
        fill(3, TOYOTA, OrderSide.BUY, "5", "3000", "300", Currency.JPY),
    ]
    after = {1: Decimal(10), 2: Decimal(0), 3: Decimal(5)}
    for i, f in enumerate(fills, 1):
        tracker.on_fill(f, after[i])
    trades = tracker.all_trades()
    assert [t.currency for t in trades] == [Currency.KRW, Currency.JPY]
    assert trades[0].to_dict()["currency"] == "KRW"
    times = [DAY, DAY + timedelta(days=1)]
    stats = evaluate(
        times, np.asarray([100_000.0, 100_100.0]), np.zeros(2), fills, trades, Currency.USD, FX
    )
    # fees: 3,000 KRW = 3 USD, 300 JPY = 3 USD (not 3,300 "units")
    assert stats.fees == Decimal("6.00")
    assert stats.currency == "USD"
    # traded value: 700,000 + 800,000 KRW = 1,500 USD; 15,000 JPY = 150 USD
    assert stats.turnover == pytest.approx(1650 / 100_050.0)
    assert stats.closed_trades == 1
    assert stats.win_rate_pct == 100.0


def test_open_trades_are_marked_to_market() -> None:
    tracker = TradeTracker()
    tracker.on_fill(fill(1, TOYOTA, OrderSide.BUY, "5", "3000", "300", Currency.JPY), Decimal(5))
    (trade,) = marked_trades(tracker.all_trades(), {TOYOTA: Decimal("3100")})
    assert trade.is_open
    assert trade.pnl == Decimal(5 * 100 - 300)
    assert tracker.all_trades()[0].pnl == 0  # the tracker's own trade is untouched
