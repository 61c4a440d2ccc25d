"""Runs, system state (breaker, trading switch), playbooks, snapshots, capital events,
positions and trades."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy.engine import Engine

from ouroboros.domain import Currency, Money, OrderSide, Position, Price, Quantity
from ouroboros.store import (
    CapitalEvent,
    CapitalEventKind,
    CapitalEvents,
    DuplicateKey,
    PlaybookRecord,
    PlaybookRepository,
    PositionRepository,
    RecordNotFound,
    RunMode,
    RunRecord,
    RunRepository,
    RunStatus,
    SnapshotRecord,
    SnapshotRepository,
    SystemStateRepository,
    TradeRecord,
    TradeRepository,
)
from tests.store.factories import AAPL, RUN, SAMSUNG, T0, minutes


def test_runs_start_resume_and_finish(engine: Engine) -> None:
    runs = RunRepository(engine)
    with pytest.raises(DuplicateKey):
        runs.start(RunRecord(RUN, RunMode.BACKTEST, "x", T0))
    runs.start(RunRecord("run-2", RunMode.PAPER, "cfg", minutes(10)))
    runs.save_cursor("run-2", minutes(15), {"bar": 42})
    latest = runs.latest(RunMode.PAPER, running_only=True)
    assert latest is not None
    assert (latest.run_id, latest.cursor_at, latest.cursor) == ("run-2", minutes(15), {"bar": 42})
    runs.finish("run-2", RunStatus.COMPLETED, minutes(20))
    assert runs.latest(RunMode.PAPER, running_only=True) is None
    finished = runs.get("run-2")
    assert finished is not None
    assert (finished.status, finished.ended_at) == (RunStatus.COMPLETED, minutes(20))
    with pytest.raises(RecordNotFound):
        runs.finish("ghost", RunStatus.FAILED, minutes(20))


def test_breaker_state_survives_and_writes_atomically(engine: Engine) -> None:
    state = SystemStateRepository(engine)
    assert state.get_breaker() is None
    assert state.trading_enabled(default=True)
    tripped = {"state": "tripped", "reason": "daily loss 3.1%", "loss_pct": "3.1"}
    state.put_breaker(tripped, minutes(1), trading_enabled=False, reason="breaker")
    entry = state.get_breaker()
    assert entry is not None
    assert (entry.value, entry.version, entry.updated_at) == (tripped, 1, minutes(1))
    assert not state.trading_enabled(default=True)
    state.put_breaker({"state": "armed"}, minutes(2))
    again = state.get_breaker()
    assert again is not None
    assert again.version == 2


def test_compare_and_put_detects_a_concurrent_writer(engine: Engine) -> None:
    state = SystemStateRepository(engine)
    assert state.compare_and_put("k", {"n": 1}, expected_version=None, at=T0)
    assert not state.compare_and_put("k", {"n": 1}, expected_version=None, at=T0)
    assert state.compare_and_put("k", {"n": 2}, expected_version=1, at=T0)
    assert not state.compare_and_put("k", {"n": 99}, expected_version=1, at=T0)  # stale read
    entry = state.get("k")
    assert entry is not None
    assert (entry.value, entry.version) == ({"n": 2}, 2)


def test_playbooks_replace_fall_back_and_count_matches(engine: Engine) -> None:
    books = PlaybookRepository(engine)
    monday = PlaybookRecord(date(2026, 3, 2), "KR", "generated", {"scenarios": [1]}, T0, 1)
    first_id = books.save(monday)
    regenerated = PlaybookRecord(date(2026, 3, 2), "KR", "active", {"scenarios": [1, 2]}, T0, 2)
    assert books.save(regenerated) == first_id
    books.add_matches(first_id, 3)
    books.set_status(first_id, "closed")
    stored = books.get(date(2026, 3, 2), "KR")
    assert stored is not None
    assert (stored.body, stored.scenario_count, stored.match_count, stored.status) == (
        {"scenarios": [1, 2]},
        2,
        3,
        "closed",
    )
    fallback = books.latest_before(date(2026, 3, 4), "KR")
    assert fallback is not None
    assert fallback.id == first_id
    assert books.latest_before(date(2026, 3, 2), "KR") is None
    assert books.get(date(2026, 3, 2), "US_NASDAQ") is None


def test_snapshots_keep_cash_exact_per_currency(engine: Engine) -> None:
    snaps = SnapshotRepository(engine)
    cash = {Currency.USD: Decimal("1234.56"), Currency.KRW: Decimal("98765432")}
    snaps.add(SnapshotRecord(RUN, minutes(1), Currency.KRW, cash, Decimal("100500000.5")))
    snaps.add(SnapshotRecord(RUN, minutes(2), Currency.KRW, cash, Decimal("100600000")))
    latest = snaps.latest(RUN)
    assert latest is not None
    assert (latest.ts, latest.cash, latest.equity) == (minutes(2), cash, Decimal("100600000"))
    assert [s.ts for s in snaps.history(RUN, since=minutes(2))] == [minutes(2)]


def test_capital_events_are_idempotent(engine: Engine) -> None:
    events = CapitalEvents(engine)
    deposit = CapitalEvent(RUN, CapitalEventKind.DEPOSIT, Money.of("5000.00", "USD"), T0)
    assert events.record(deposit)
    assert not events.record(deposit)
    assert events.list(RUN) == [deposit]


def test_positions_upsert_current_state(engine: Engine) -> None:
    positions = PositionRepository(engine)
    pos = Position(SAMSUNG, Currency.KRW)
    pos.apply(OrderSide.BUY, Quantity.of(10), Price.of(70000))
    positions.put(pos, run_id=RUN, at=minutes(1))
    pos.apply(OrderSide.SELL, Quantity.of(4), Price.of(71000))
    positions.put(pos, run_id=RUN, at=minutes(2))
    assert positions.get(RUN, SAMSUNG) == pos
    assert list(positions.all(RUN)) == [SAMSUNG]


def test_trades_round_trip(engine: Engine) -> None:
    trade = TradeRecord(
        RUN,
        AAPL,
        OrderSide.BUY,
        Quantity.of(10),
        Price.of("150.25"),
        Price.of("155.10"),
        minutes(1),
        minutes(9),
        Money.of("48.50", "USD"),
        Money.of("1.20", "USD"),
        decision_id="d-1",
    )
    TradeRepository(engine).add(trade)
    assert TradeRepository(engine).for_run(RUN) == [trade]
