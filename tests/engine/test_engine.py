"""Engine behaviour: no look-ahead, a per-symbol reference loop, the playbook fallback."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from ouroboros.data.panel import Panel
from ouroboros.domain import Instrument, Money
from ouroboros.engine.backtest import RunConfig, daily_feed, run
from ouroboros.engine.sizing import Sizing
from ouroboros.execution.simulator import FillModel
from ouroboros.markets import get_calendar
from ouroboros.strategy.playbook.policy import PlannerFailure, PlaybookPolicy
from ouroboros.strategy.sma_cross import SmaCross
from ouroboros.strategy.ta import TechnicalStrategy


def nyse_index(first: date, bars: int) -> pd.DatetimeIndex:
    """``bars`` real NYSE sessions from ``first`` (business days include holidays, and the
    engine refuses bars on dates the calendar says were closed)."""
    sessions = get_calendar("US_NYSE").sessions(first, date(first.year + 20, 12, 31))[:bars]
    return pd.DatetimeIndex([pd.Timestamp(s.date) for s in sessions]).tz_localize("UTC")


def random_panel(n: int, bars: int, seed: int) -> Panel:
    rng = np.random.default_rng(seed)
    close = np.round(50 * np.exp(np.cumsum(rng.normal(0, 0.02, (bars, n)), axis=0)), 2)
    opening = np.round(close * (1 + rng.normal(0, 0.004, (bars, n))), 2)
    high = np.round(np.maximum(opening, close) * 1.01, 2)
    low = np.round(np.minimum(opening, close) * 0.99, 2)
    volume = rng.integers(10_000, 100_000, (bars, n)).astype(np.float64)
    # Real NYSE sessions: the risk gate refuses orders on days the market is closed.
    index = nyse_index(date(2020, 1, 1), bars)
    return Panel(
        index, tuple(f"S{j:02d}.NYSE" for j in range(n)), opening, high, low, close, volume
    )


def run_sma(
    panel: Panel, sizing: str = "fixed:10"
) -> list[tuple[str, str, str, str | None, str | None]]:
    outcome = run(
        [daily_feed("US_NYSE", panel, [Instrument.for_venue(s) for s in panel.symbols])],
        SmaCross(fast=5, slow=20),
        RunConfig.reference(
            Money.of(10_000_000, "USD"),
            sizing=Sizing.parse(sizing),
            fill_model=FillModel.frictionless(),
            commission=Decimal("0.001"),
        ),
    )
    return sorted(
        (
            str(t.instrument_id),
            t.entry_ts.date().isoformat(),
            f"{t.entry_price:.2f}",
            t.exit_ts.date().isoformat() if t.exit_ts else None,
            f"{t.exit_price:.2f}" if t.exit_price is not None else None,
        )
        for t in outcome.result.trades.all_trades()
    )


def reference_loop(panel: Panel) -> list[tuple[str, str, str, str | None, str | None]]:
    """A plain per-symbol loop written independently of the engine (pandas rolling means)."""
    trades = []
    dates = [d.date().isoformat() for d in panel.index]
    for j, symbol in enumerate(panel.symbols):
        close = pd.Series(panel.close[:, j])
        fast, slow = close.rolling(5).mean().to_numpy(), close.rolling(20).mean().to_numpy()
        holding = False
        entry: tuple[str, str] | None = None
        for t in range(1, len(close) - 1):
            up = fast[t - 1] < slow[t - 1] and fast[t] > slow[t]
            down = slow[t - 1] < fast[t - 1] and slow[t] > fast[t]
            if up and not holding:
                holding, entry = True, (dates[t + 1], f"{panel.open[t + 1, j]:.2f}")
            elif down and holding and entry is not None:
                trades.append((symbol, *entry, dates[t + 1], f"{panel.open[t + 1, j]:.2f}"))
                holding, entry = False, None
        if holding and entry is not None:
            trades.append((symbol, *entry, None, None))
    return sorted(trades)


def test_twenty_symbols_trade_exactly_like_a_per_symbol_reference_loop() -> None:
    panel = random_panel(20, 400, seed=11)
    assert run_sma(panel) == reference_loop(panel)


@dataclass
class Recorder:
    """Wraps a policy and records every decision it makes, by step."""

    inner: SmaCross | TechnicalStrategy | PlaybookPolicy
    name: str = "recorder"

    def __post_init__(self) -> None:
        self.log: list[tuple[int, tuple[int, ...], tuple[int, ...]]] = []

    def prepare(self, market, panel):  # type: ignore[no-untyped-def]
        return self.inner.prepare(market, panel)

    def before_session(self, market, t, features, qty):  # type: ignore[no-untyped-def]
        self.inner.before_session(market, t, features, qty)

    def decide(self, market, view):  # type: ignore[no-untyped-def]
        d = self.inner.decide(market, view)
        self.log.append((view.t, tuple(np.flatnonzero(d.buy)), tuple(np.flatnonzero(d.sell))))
        return d


@pytest.mark.parametrize("make", [lambda: SmaCross(5, 20), TechnicalStrategy, PlaybookPolicy])
def test_canary_absurd_future_values_change_no_earlier_decision(make) -> None:  # type: ignore[no-untyped-def]
    panel = random_panel(12, 320, seed=5)
    cut = 250
    poisoned = Panel(
        panel.index,
        panel.symbols,
        *(
            np.concatenate([m[:cut], m[cut:] * 1000 + 7])
            for m in (panel.open, panel.high, panel.low, panel.close)
        ),
        np.concatenate([panel.volume[:cut], panel.volume[cut:] * 1e6]),
    )
    logs = []
    for p in (panel, poisoned):
        recorder = Recorder(make())
        run(
            [daily_feed("US_NYSE", p, [Instrument.for_venue(s) for s in p.symbols])],
            recorder,  # type: ignore[arg-type]
            RunConfig(cash=Money.of(1_000_000, "USD"), sizing=Sizing.parse("fraction:0.05")),
        )
        logs.append([entry for entry in recorder.log if entry[0] < cut])
    assert len(logs[0]) == cut
    assert logs[0] == logs[1]


def test_planner_failure_falls_back_to_a_defensive_playbook(
    caplog: pytest.LogCaptureFixture,
) -> None:
    class Broken:
        name = "broken"

        def plan(self, *args: object) -> object:
            raise RuntimeError("LLM timed out")

    panel = random_panel(5, 60, seed=2)
    failures: list[PlannerFailure] = []
    policy = PlaybookPolicy(planner=Broken(), on_planner_failure=failures.append)  # type: ignore[arg-type]
    outcome = run(
        [daily_feed("US_NYSE", panel, [Instrument.for_venue(s) for s in panel.symbols])],
        policy,
        RunConfig(cash=Money.of(100_000, "USD")),
    )
    assert outcome.stats.trades == 0
    assert policy.playbooks
    assert all(p.defensive for p in policy.playbooks)
    assert "planner failed: LLM timed out" in policy.playbooks[-1].notes[0]
    # Not only folded into the notes: logged with its traceback, counted and reported.
    sessions = len(policy.playbooks) - 1  # the first session has no history to plan from
    assert policy.planner_failures == sessions
    assert [f.count for f in failures] == list(range(1, sessions + 1))
    assert failures[0].error == "RuntimeError: LLM timed out"
    assert "raise RuntimeError" in failures[0].traceback
    logged = [r for r in caplog.records if r.name == "ouroboros.strategy.playbook.policy"]
    assert len(logged) == sessions
    assert logged[0].exc_info is not None


def test_ledger_balances_after_a_full_ta_run() -> None:
    panel = random_panel(15, 300, seed=9)
    outcome = run(
        [daily_feed("US_NYSE", panel, [Instrument.for_venue(s) for s in panel.symbols])],
        TechnicalStrategy(),
        RunConfig(cash=Money.of(1_000_000, "USD"), sizing=Sizing.parse("fraction:0.1")),
    )
    book = outcome.result.portfolio
    from ouroboros.domain import Currency

    assert book.ledger_imbalance(Currency.USD) == 0
    assert book.cash_of(Currency.USD).amount >= 0
    assert outcome.stats.trades > 0
