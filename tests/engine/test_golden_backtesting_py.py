"""Golden test: ``sma-cross`` must reproduce backtesting.py's own result on its GOOG data.

backtesting.py (AGPL) is a test-only dependency; it runs here as the independent reference.
"""

from __future__ import annotations

import warnings
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from backtesting import Backtest, Strategy
from backtesting.lib import crossover
from backtesting.test import GOOG, SMA

from ouroboros.data.panel import Panel
from ouroboros.domain import Instrument, Money
from ouroboros.engine.backtest import RunConfig, daily_feed, run
from ouroboros.engine.sizing import Sizing
from ouroboros.execution.simulator import FillModel
from ouroboros.strategy.sma_cross import SmaCross


def goog_panel() -> Panel:
    frame = pd.DataFrame(
        {
            "ts": pd.DatetimeIndex(GOOG.index).tz_localize("UTC"),
            "symbol": "GOOG.NASDAQ",
            "open": GOOG["Open"].to_numpy(np.float64),
            "high": GOOG["High"].to_numpy(np.float64),
            "low": GOOG["Low"].to_numpy(np.float64),
            "close": GOOG["Close"].to_numpy(np.float64),
            "volume": GOOG["Volume"].to_numpy(np.float64),
        }
    )
    return Panel.from_long(frame)


def reference(
    fast: int, slow: int, commission: float
) -> tuple[int, float, list[tuple[int, float]]]:
    class LongOnlyCross(Strategy):
        def init(self) -> None:
            self.fast = self.I(SMA, self.data.Close, fast)
            self.slow = self.I(SMA, self.data.Close, slow)

        def next(self) -> None:
            if crossover(self.fast, self.slow) and not self.position:
                self.buy()
            elif crossover(self.slow, self.fast) and self.position:
                self.position.close()

    bt = Backtest(GOOG, LongOnlyCross, cash=10_000, commission=commission, finalize_trades=False)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Some trades remain open", UserWarning)
        stats = bt.run()
    closed = stats["_trades"]
    open_trades = len(stats["_strategy"].trades)  # still open at the end
    entries = [(int(r.Size), float(r.EntryPrice)) for r in closed.itertuples()]
    return len(closed) + open_trades, float(stats["Equity Final [$]"]), entries


@pytest.mark.parametrize(("fast", "slow"), [(10, 30), (5, 20), (20, 50), (15, 40)])
def test_sma_cross_matches_backtesting_py(fast: int, slow: int) -> None:
    ref_trades, ref_equity, ref_entries = reference(fast, slow, 0.002)
    panel = goog_panel()
    outcome = run(
        [daily_feed("US_NASDAQ", panel, [Instrument.for_venue("GOOG.NASDAQ")])],
        SmaCross(fast=fast, slow=slow),
        RunConfig.reference(
            Money.of(10_000, "USD"),
            sizing=Sizing.parse("all_in"),
            fill_model=FillModel.frictionless(),
            commission=Decimal("0.002"),
        ),
    )
    trades = outcome.result.trades.all_trades()
    ours = [(int(t.quantity), float(t.entry_price)) for t in trades if not t.is_open]
    assert ours == ref_entries
    assert outcome.stats.trades == ref_trades
    assert outcome.final_equity.amount == Decimal(str(round(ref_equity, 2)))


def test_the_documented_case_is_33_trades_and_50462_41() -> None:
    panel = goog_panel()
    outcome = run(
        [daily_feed("US_NASDAQ", panel, [Instrument.for_venue("GOOG.NASDAQ")])],
        SmaCross(fast=10, slow=30),
        RunConfig.reference(
            Money.of(10_000, "USD"),
            sizing=Sizing.parse("all_in"),
            fill_model=FillModel.frictionless(),
            commission=Decimal("0.002"),
        ),
    )
    assert outcome.stats.trades == 33
    assert outcome.final_equity == Money.of("50462.41", "USD")
