"""Recording a run's trail in the database through the store's batched writer.

Everything the engine emits goes to one :class:`BatchWriter`: orders (last state), fills,
positions, account snapshots and append-only audit events. The writer flushes every
``every_steps`` price points in one transaction and moves the run's resume cursor with it, so
the hot loop never waits on a per-bar round trip and a crash loses at most one batch, never
half of one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.engine import Engine as SqlEngine

from ouroboros.domain.currency import Currency
from ouroboros.domain.fills import Fill
from ouroboros.domain.money import Money
from ouroboros.domain.orders import Order
from ouroboros.domain.position import Position
from ouroboros.store import (
    BatchWriter,
    CapitalEvent,
    CapitalEventKind,
    CapitalEvents,
    EventRecord,
    RunMode,
    RunRecord,
    RunRepository,
    RunStatus,
    SnapshotRecord,
)


class StoreSink:
    """An ``EventSink`` writing to SQLite or PostgreSQL in batches."""

    def __init__(
        self, engine: SqlEngine, run_id: str, *, broker: str = "paper", every_steps: int = 50
    ) -> None:
        self.run_id = run_id
        self.broker = broker
        self.writer = BatchWriter(engine, every_steps=every_steps)

    def emit(self, kind: str, ts: datetime, payload: dict[str, Any]) -> None:
        self.writer.add_event(EventRecord(kind, payload, ts, run_id=self.run_id))

    def record_order(self, order: Order) -> None:
        self.writer.add_order(order, run_id=self.run_id)

    def record_fill(self, fill: Fill) -> None:
        self.writer.add_fill(fill, run_id=self.run_id, broker=self.broker)

    def record_position(self, position: Position, at: datetime) -> None:
        self.writer.put_position(position, run_id=self.run_id, at=at)

    def record_snapshot(
        self, ts: datetime, base: Currency, cash: Mapping[Currency, Decimal], equity: Decimal
    ) -> None:
        self.writer.add_snapshot(SnapshotRecord(self.run_id, ts, base, dict(cash), equity))

    def step(self, at: datetime) -> None:
        self.writer.set_cursor(self.run_id, at)
        self.writer.step()

    def flush(self) -> None:
        self.writer.flush()


def start_run(
    engine: SqlEngine,
    run_id: str,
    mode: RunMode,
    config_hash: str,
    started_at: datetime,
    deposits: Sequence[Money],
) -> None:
    """Create the run row and book its starting capital as explicit capital events."""
    RunRepository(engine).start(RunRecord(run_id, mode, config_hash, started_at))
    capital = CapitalEvents(engine)
    for money in deposits:
        capital.record(CapitalEvent(run_id, CapitalEventKind.DEPOSIT, money, started_at))


def finish_run(engine: SqlEngine, run_id: str, at: datetime, ok: bool) -> None:
    RunRepository(engine).finish(run_id, RunStatus.COMPLETED if ok else RunStatus.FAILED, at)
