"""Protection is never dropped before its replacement exists: a stop-loss (engine-held or
resting at the venue) stays in force until the exit that replaces it is approved and sent.
Entries the open already gapped through are denied; daily bars on closed dates are refused."""

from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import pytest

from ouroboros.data.panel import Panel
from ouroboros.data.sources import SourceData
from ouroboros.domain import Instrument, Money
from ouroboros.domain.orders import OrderSide, OrderStatus, OrderType
from ouroboros.domain.portfolio import Portfolio
from ouroboros.engine.backtest import RunConfig, RunOutcome, daily_feed, run
from ouroboros.engine.feeds import feeds_from_source
from ouroboros.engine.risk_gate import EntryRequest, RiskGate
from ouroboros.engine.sizing import Sizing
from ouroboros.errors import ConfigError
from ouroboros.execution.fees import DEFAULT_FEES
from ouroboros.execution.order_manager import MemorySink
from ouroboros.execution.simulator import FillModel, FillSimulator
from ouroboros.risk import PERMISSIVE_LIMITS
from ouroboros.strategy.base import Decisions, StepView
from tests.engine.test_engine import nyse_index

BARS = 20
STOP = 90.0


class Scripted:
    """Buys the first symbol at row 5 with a stop at 90, sells it at ``sell_at``."""

    name = "scripted"

    def __init__(self, sell_at: int | None = None, buy_at: int = 5) -> None:
        self.sell_at = sell_at
        self.buy_at = buy_at

    def prepare(self, market: str, panel: Panel) -> dict[str, Any]:
        return {}

    def before_session(self, market: str, t: int, features: Any, qty: Any) -> None:
        return None

    def decide(self, market: str, view: StepView) -> Decisions:
        d = Decisions.none(view.n_symbols)
        d.buy[0] = view.t == self.buy_at
        d.sell[0] = view.t == self.sell_at
        d.confidence[0] = 1.0
        d.stop_price[0] = STOP
        return d


def panel_with(
    lows: dict[int, float], missing: tuple[int, ...] = (), opens: dict[int, float] | None = None
) -> Panel:
    close = np.full((BARS, 1), 100.0)
    opening = close.copy()
    for t, px in (opens or {}).items():
        opening[t, 0] = px
    high = np.maximum(opening, close) + 1
    low = np.minimum(opening, close) - 1
    for t, px in lows.items():
        low[t, 0] = px
    volume = np.full((BARS, 1), 1e6)
    for t in missing:
        for m in (opening, high, low, close, volume):
            m[t, 0] = np.nan
    index = nyse_index(date(2024, 1, 2), BARS)
    return Panel(index, ("AAA.NYSE",), opening, high, low, close, volume)


class NoRestingStops(FillSimulator):
    @property
    def supports_protective_orders(self) -> bool:
        return False


def trade(panel: Panel, policy: Scripted, *, resting: bool) -> tuple[RunOutcome, MemorySink]:
    instruments = [Instrument.for_venue(s) for s in panel.symbols]
    cash = Money.of(100_000, "USD")
    model = FillModel.frictionless()
    books = Portfolio(cash.currency)
    books.deposit(cash)
    kind = FillSimulator if resting else NoRestingStops
    venue = kind({i.id: i for i in instruments}, lambda i: DEFAULT_FEES[i.venue], model, books)
    config = RunConfig(
        cash=cash, sizing=Sizing.parse("fixed:10"), fill_model=model, risk_limits=PERMISSIVE_LIMITS
    )
    sink = MemorySink()
    feeds = [daily_feed("US_NYSE", panel, instruments)]
    return run(feeds, policy, config, sink=sink, venue=venue), sink


def sells(sink: MemorySink) -> list[Any]:
    return [o for o in sink.orders.values() if o.side is OrderSide.SELL]


def test_a_skipped_engine_held_exit_leaves_the_stop_in_force() -> None:
    # The close of row 8 goes through the stop; row 9 has no bar (the exit is skipped);
    # row 10 goes through it again: the level must still be there to send the exit.
    panel = panel_with({8: 80.0, 10: 85.0}, missing=(9,))
    outcome, sink = trade(panel, Scripted(), resting=False)
    assert [e for e in sink.events if e[0] == "intent.skipped"], "the exit was never skipped"
    [exit_] = sells(sink)
    assert "engine-held" in exit_.tag
    assert exit_.created_at.date() == panel.index[11].date()
    assert outcome.result.portfolio.quantity_of(exit_.instrument_id) == 0


def test_a_denied_engine_held_exit_leaves_the_stop_in_force(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    panel = panel_with({8: 80.0, 9: 85.0})
    denied_at = panel.index[9].date()
    real = RiskGate.evaluate

    def evaluate(self: RiskGate, request: EntryRequest, account: Any, now: datetime) -> Any:
        verdict = real(self, request, account, now)
        if request.side is OrderSide.SELL and now.date() == denied_at:
            return SimpleNamespace(approved=False, quantity=verdict.quantity)
        return verdict

    monkeypatch.setattr(RiskGate, "evaluate", evaluate)
    outcome, sink = trade(panel, Scripted(), resting=False)
    [exit_] = sells(sink)
    assert exit_.created_at.date() == panel.index[10].date()  # the next try, a bar later
    assert outcome.result.portfolio.quantity_of(exit_.instrument_id) == 0


def test_a_denied_exit_leaves_the_resting_stop_at_the_venue(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The policy sells at row 7 (exit at the open of row 8, denied); row 10 falls through
    # the stop, which must still rest at the venue and fill.
    panel = panel_with({10: 80.0})
    denied_at = panel.index[8].date()
    real = RiskGate.evaluate

    def evaluate(self: RiskGate, request: EntryRequest, account: Any, now: datetime) -> Any:
        verdict = real(self, request, account, now)
        if request.side is OrderSide.SELL and now.date() == denied_at:
            return SimpleNamespace(approved=False, quantity=verdict.quantity)
        return verdict

    monkeypatch.setattr(RiskGate, "evaluate", evaluate)
    outcome, sink = trade(panel, Scripted(sell_at=7), resting=True)
    [stop] = [o for o in sells(sink) if o.order_type is OrderType.STOP]
    assert stop.status is OrderStatus.FILLED, f"the stop was {stop.status.value}"
    assert outcome.result.portfolio.quantity_of(stop.instrument_id) == 0


def test_a_skipped_exit_leaves_the_resting_stop_at_the_venue() -> None:
    panel = panel_with({10: 80.0}, missing=(8,))
    outcome, sink = trade(panel, Scripted(sell_at=7), resting=True)
    assert [e for e in sink.events if e[0] == "intent.skipped"]
    [stop] = [o for o in sells(sink) if o.order_type is OrderType.STOP]
    assert stop.status is OrderStatus.FILLED
    assert outcome.result.portfolio.quantity_of(stop.instrument_id) == 0


@pytest.mark.parametrize("resting", [True, False])
def test_an_entry_whose_stop_the_open_gapped_through_is_denied(resting: bool) -> None:
    panel = panel_with({}, opens={6: 88.0})  # decided at the close of 5, opens below 90
    outcome, sink = trade(panel, Scripted(), resting=resting)
    assert [o for o in sink.orders.values() if o.side is OrderSide.BUY] == []
    denied = [e[2] for e in sink.events if e[0] == "intent.denied"]
    assert [d["reason"] for d in denied] == ["the price is at or below the entry's stop"]
    assert outcome.result.fills == []


def test_daily_bars_on_a_closed_date_are_refused() -> None:
    index = pd.DatetimeIndex(
        ["2024-01-04", "2024-01-05", "2024-01-06"], tz="UTC"
    )  # 2024-01-06 is a Saturday
    ones = np.ones((3, 1))
    panel = Panel(index, ("AAA.NYSE",), ones, ones, ones, ones, ones)
    data = SourceData(
        "test",
        "path",
        "1d",
        pd.DataFrame(),
        {"US_NYSE": panel},
        {"AAA.NYSE": Instrument.for_venue("AAA.NYSE")},
        {"AAA.NYSE": "US_NYSE"},
    )
    with pytest.raises(ConfigError, match=r"US_NYSE: daily bars on dates .* closed: 2024-01-06"):
        feeds_from_source(data)
