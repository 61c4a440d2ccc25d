"""The batch writer: one transaction per batch, all or nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from ouroboros.domain import (
    ClientOrderId,
    Currency,
    OrderEventKind,
    OrderStatus,
    Position,
    Price,
    Quantity,
)
from ouroboros.store import (
    BatchRejected,
    BatchWriter,
    DecisionLog,
    DecisionRecord,
    EventRecord,
    EventStore,
    FillRepository,
    OrderRepository,
    PositionRepository,
    RunRepository,
    SnapshotRecord,
    SnapshotRepository,
)
from ouroboros.store.tables import EVENTS, FILLS, ORDERS, SNAPSHOTS
from tests.store.factories import AAPL, RUN, fill, minutes, order


def _event(i: int, event_id: str | None = None) -> EventRecord:
    return EventRecord(
        "BarProcessed", {"i": i}, minutes(i), event_id=event_id or f"e-{i}", run_id=RUN
    )


def _count(engine: Engine, table: sa.Table) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def test_flush_writes_every_kind_of_row_in_one_go(engine: Engine) -> None:
    placed = order()
    placed.apply(OrderEventKind.SUBMIT, minutes(1))
    position = Position(AAPL, Currency.USD)
    position.apply(placed.side, Quantity.of(10), Price.of("150.25"))
    writer = BatchWriter(engine)
    writer.add_order(placed, run_id=RUN, decision_id="d-1")
    writer.add_fill(fill("T-1"), run_id=RUN, broker="paper")
    placed.apply_fill(Quantity.of(10), Price.of("150.25"), minutes(2))
    writer.add_order(placed, run_id=RUN, decision_id="d-1")  # same order, newer state
    writer.put_position(position, run_id=RUN, at=minutes(2))
    writer.add_snapshot(
        SnapshotRecord(RUN, minutes(2), Currency.USD, {Currency.USD: Decimal("1")}, Decimal("2"))
    )
    writer.add_event(_event(1))
    writer.set_cursor(RUN, minutes(2), {"bar": 2})
    assert writer.pending == 6
    assert _count(engine, ORDERS) == 0  # nothing reaches the database before a flush
    result = writer.flush()
    assert (
        result.orders,
        result.fills,
        result.positions,
        result.snapshots,
        result.events,
        result.cursors,
    ) == (1, 1, 1, 1, 1, 1)
    assert writer.pending == 0
    stored = OrderRepository(engine).get(ClientOrderId("o-1"))
    assert stored is not None
    assert stored.status is OrderStatus.FILLED
    assert FillRepository(engine).for_run(RUN) == [fill("T-1")]
    assert PositionRepository(engine).get(RUN, AAPL) == position
    run = RunRepository(engine).get(RUN)
    assert run is not None
    assert (run.cursor_at, run.cursor) == (minutes(2), {"bar": 2})


def test_a_batched_order_keeps_its_tag_and_its_status_reason(engine: Engine) -> None:
    denied, filled = order("o-1", tag="stop-loss"), order("o-2", tag="ta; confidence=0.80")
    denied.apply(OrderEventKind.DENY, minutes(1), reason="max position")
    filled.apply(OrderEventKind.SUBMIT, minutes(1))
    filled.apply_fill(Quantity.of(10), Price.of("150.25"), minutes(2))
    with BatchWriter(engine) as writer:
        writer.add_order(denied, run_id=RUN)
        writer.add_order(filled, run_id=RUN)
    repo = OrderRepository(engine)
    assert repo.get(ClientOrderId("o-1")) == denied
    assert repo.get(ClientOrderId("o-2")) == filled
    with engine.connect() as conn:
        rows = conn.execute(sa.select(ORDERS.c.tag, ORDERS.c.reason).order_by(ORDERS.c.id)).all()
    assert [tuple(r) for r in rows] == [("stop-loss", "max position"), ("ta; confidence=0.80", "")]


def test_size_trigger_flushes_automatically(engine: Engine) -> None:
    writer = BatchWriter(engine, max_rows=10)
    for i in range(25):
        writer.add_event(_event(i))
    assert (_count(engine, EVENTS), writer.pending, writer.flushes) == (20, 5, 2)


def test_step_trigger_and_context_manager(engine: Engine) -> None:
    with BatchWriter(engine, every_steps=3) as writer:
        for i in range(7):
            writer.add_event(_event(i))
            flushed = writer.step()
            assert (flushed is not None) == (i in (2, 5))
        assert _count(engine, EVENTS) == 6
    assert _count(engine, EVENTS) == 7  # the clean exit flushed the rest


def test_a_failing_row_rolls_back_the_whole_batch(engine: Engine) -> None:
    EventStore(engine).append([_event(0)])
    writer = BatchWriter(engine)
    writer.add_order(order(), run_id=RUN)
    writer.add_fill(fill("T-1"), run_id=RUN, broker="paper")
    writer.add_snapshot(SnapshotRecord(RUN, minutes(1), Currency.USD, {}, Decimal(0)))
    for i in range(1, 50):
        writer.add_event(_event(i))
    writer.add_event(_event(99, event_id="e-0"))  # already in the log: refused
    writer.set_cursor(RUN, minutes(50))
    with pytest.raises(BatchRejected, match="nothing written"):
        writer.flush()
    assert (_count(engine, ORDERS), _count(engine, FILLS), _count(engine, SNAPSHOTS)) == (0, 0, 0)
    assert _count(engine, EVENTS) == 1
    run = RunRepository(engine).get(RUN)
    assert run is not None
    assert run.cursor_at is None  # the cursor did not move past unwritten rows
    assert writer.pending == 54  # kept for the caller to inspect, retry or discard
    assert writer.discard() == 54


def test_an_orphan_fill_rejects_the_batch(engine: Engine) -> None:
    writer = BatchWriter(engine)
    writer.add_event(_event(1))
    writer.add_fill(fill("T-1", "no-such-order"), run_id=RUN, broker="paper")
    with pytest.raises(BatchRejected):
        writer.flush()
    assert _count(engine, EVENTS) == 0


def test_replayed_fills_are_skipped_not_rejected(engine: Engine) -> None:
    OrderRepository(engine).insert(order(), run_id=RUN)
    writer = BatchWriter(engine)
    writer.add_fill(fill("T-1", qty="4"), run_id=RUN, broker="paper")
    writer.flush()
    writer.add_fill(fill("T-1", qty="4"), run_id=RUN, broker="paper")
    writer.add_fill(fill("T-2", qty="6"), run_id=RUN, broker="paper")
    writer.flush()
    assert [f.fill_id for f in FillRepository(engine).for_run(RUN)] == ["T-1", "T-2"]


def test_the_cursor_of_an_unknown_run_rejects_the_batch(engine: Engine) -> None:
    writer = BatchWriter(engine)
    writer.add_event(_event(1))
    writer.set_cursor("ghost", minutes(1))
    with pytest.raises(BatchRejected, match="ghost"):
        writer.flush()
    assert _count(engine, EVENTS) == 0


def test_invalid_settings_are_refused(engine: Engine) -> None:
    with pytest.raises(ValueError, match="max_rows"):
        BatchWriter(engine, max_rows=0)
    with pytest.raises(ValueError, match="every_steps"):
        BatchWriter(engine, every_steps=0)


def test_snapshots_written_in_batches_read_back(engine: Engine) -> None:
    with BatchWriter(engine, max_rows=3) as writer:
        for i in range(5):
            writer.add_snapshot(
                SnapshotRecord(
                    RUN, minutes(i), Currency.USD, {Currency.USD: Decimal(i)}, Decimal(i)
                )
            )
    history = SnapshotRepository(engine).history(RUN)
    assert [s.equity for s in history] == [Decimal(i) for i in range(5)]


def test_decisions_can_be_batched_and_read_back(engine: Engine) -> None:
    decision = DecisionRecord(
        "d-1",
        minutes(1),
        "KR",
        "005930",
        "BUY",
        0.82,
        "gap up on volume",
        {"L7": {}},
        {"p": "70100"},
    )
    with BatchWriter(engine) as writer:
        writer.add_decision(decision)
    assert DecisionLog(engine).get("d-1") == decision
