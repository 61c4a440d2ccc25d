"""Runs, system state (the breaker and trading switch of an account or a run), playbooks,
snapshots, capital events, positions and trades."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy.engine import Engine

from ouroboros.domain import Currency, Money, OrderSide, Position, Price, Quantity
from ouroboros.errors import ConfigError
from ouroboros.store import (
    BatchRejected,
    BatchWriter,
    CapitalEvent,
    CapitalEventKind,
    CapitalEvents,
    DuplicateKey,
    EventRecord,
    EventStore,
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
from ouroboros.store.repositories.safety import (
    CorruptSafetyState,
    SafetyStateRepository,
    account_scope,
    breaker_key,
    run_scope,
    trading_key,
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


def test_safety_state_is_scoped_to_the_account_or_the_run(engine: Engine) -> None:
    safety = SafetyStateRepository(engine)
    account, other, run = account_scope("kis-virtual:5000-01"), account_scope("x:1"), run_scope(RUN)
    assert safety.breaker(account) is None
    assert safety.trading_enabled(account)
    safety.set_trading_enabled(account, False, minutes(1), by="alice", reason="review")
    assert not safety.trading_enabled(account)
    assert safety.trading_enabled(other)  # another account is not affected
    assert safety.trading_enabled(run)
    assert safety.switch(account) == {"enabled": False, "reason": "review", "by": "alice"}
    assert SystemStateRepository(engine).get("trading_enabled:kis-virtual:5000-01") is not None
    assert run == f"run:{RUN}"


def test_a_malformed_kill_switch_is_an_error_not_enabled(engine: Engine) -> None:
    SystemStateRepository(engine).put(trading_key("acct"), {"enabled": "no"}, T0)
    with pytest.raises(CorruptSafetyState, match="invalid enabled, was 'no'"):
        SafetyStateRepository(engine).trading_enabled("acct")


def test_bad_scopes_are_refused_with_the_input_named() -> None:
    with pytest.raises(ConfigError, match="invalid broker account key, was 'run:x'"):
        account_scope("run:x")
    with pytest.raises(ConfigError, match="too long for a system_state key"):
        account_scope("k" * 60)


def test_the_batch_writes_state_compare_and_set_with_its_rows(engine: Engine) -> None:
    """A batch carries its system_state entry in its own transaction; an entry someone else
    changed since it was read refuses the whole batch (nothing of it is written)."""
    state = SystemStateRepository(engine)
    key = breaker_key(account_scope("acct"))
    writer = BatchWriter(engine)
    writer.watch_state(key, None)
    writer.put_state(key, {"status": "TRIPPED"}, minutes(1))
    assert writer.flush().states == 1
    entry = state.get(key)
    assert entry is not None
    assert (entry.value, entry.version) == ({"status": "TRIPPED"}, 1)
    writer.put_state(key, {"status": "ARMED"}, minutes(2))
    writer.flush()
    assert state.get(key).version == 2  # type: ignore[union-attr]
    state.put(key, {"status": "TRIPPED", "by": "another session"}, minutes(3))
    writer.put_state(key, {"status": "ARMED"}, minutes(4))
    writer.add_event(EventRecord("x", {}, minutes(4), run_id=RUN))
    with pytest.raises(BatchRejected, match="changed by another process since version 2"):
        writer.flush()
    assert state.get(key).value == {"status": "TRIPPED", "by": "another session"}  # type: ignore[union-attr]
    assert EventStore(engine).read(run_id=RUN, event_type="x") == []
    with pytest.raises(ValueError, match="is not watched"):
        BatchWriter(engine).put_state("other", {}, T0)


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
