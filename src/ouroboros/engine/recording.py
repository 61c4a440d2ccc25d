"""Recording a run's trail in the database through the store's batched writer.

Everything the engine emits goes to one :class:`BatchWriter`: orders (last state), fills,
positions, account snapshots and append-only audit events. The writer flushes every
``every_steps`` price points in one transaction and moves the run's resume cursor with it, so
the hot loop never waits on a per-bar round trip and a crash loses at most one batch, never
half of one. The checkpoint's circuit breaker goes to its scope's ``system_state`` entry (the
account's, or the run's) in the same transaction, not into the cursor: one record of it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.engine import Engine as SqlEngine

from ouroboros.domain.currency import Currency
from ouroboros.domain.decision import Decision
from ouroboros.domain.fills import Fill
from ouroboros.domain.money import Money, Price, Quantity
from ouroboros.domain.orders import Order, OrderSide
from ouroboros.domain.position import Position
from ouroboros.engine.safety import SafetyBinding, SafetyRecord
from ouroboros.evaluation.trades import Trade
from ouroboros.store import (
    BatchWriter,
    CapitalEvent,
    CapitalEventKind,
    CapitalEvents,
    DecisionRecord,
    EventRecord,
    RunMode,
    RunRecord,
    RunRepository,
    RunStatus,
    SnapshotRecord,
    TradeRecord,
)
from ouroboros.store.session import transaction
from ouroboros.store.types import quantize_for_storage


class StoreSink:
    """An ``EventSink`` writing to SQLite or PostgreSQL in batches."""

    def __init__(
        self,
        engine: SqlEngine,
        run_id: str,
        *,
        broker: str = "paper",
        every_steps: int = 50,
        scope: str | None = None,
    ) -> None:
        """``scope`` owns the breaker and kill switch (a broker account's key; default: this
        run)."""
        self.run_id = run_id
        self.broker = broker
        # Only step boundaries flush (no size-triggered flush mid-step): a committed batch
        # always ends at a cursor, which is what makes resuming after a crash exact.
        self.writer = BatchWriter(engine, max_rows=sys.maxsize, every_steps=every_steps)
        # safety-state: the breaker of the account (or run) rides in the same batches.
        self.safety_record = SafetyRecord(engine, self.writer, scope, run_id)

    def safety(self, clock: Callable[[], datetime] | None = None) -> SafetyBinding:
        """The run's safety binding (``clock``: the breaker's, e.g. the wall clock)."""
        return self.safety_record.binding(clock)

    def emit(self, kind: str, ts: datetime, payload: dict[str, Any]) -> None:
        self.writer.add_event(EventRecord(kind, payload, ts, run_id=self.run_id))

    def record_order(self, order: Order, decision_id: str | None = None) -> None:
        self.writer.add_order(order, run_id=self.run_id, decision_id=decision_id)

    def record_decision(self, decision: Decision) -> None:
        self.writer.add_decision(
            DecisionRecord(
                decision_id=decision.decision_id,
                ts=decision.ts,
                market=decision.market,
                symbol=str(decision.instrument_id),
                action=decision.side.value,
                confidence=decision.confidence,
                rationale=decision.rationale,
                context_snapshot=decision.context,
                input_data=decision.inputs,
                run_id=self.run_id,
            )
        )

    def record_trade(self, trade: Trade, currency: Currency, decision_id: str | None) -> None:
        """A closed round trip, and the outcome of the decision that opened it."""
        if trade.exit_ts is None or trade.exit_price is None:
            raise ValueError(f"trade on {trade.instrument_id} is still open")
        pnl = Money(trade.pnl, currency)
        self.writer.add_trade(
            TradeRecord(
                run_id=self.run_id,
                instrument_id=trade.instrument_id,
                side=OrderSide.BUY,
                quantity=Quantity(trade.quantity),
                # Averages over several fills can be repeating decimals: store them rounded.
                entry_price=Price(quantize_for_storage(trade.entry_price)),
                exit_price=Price(quantize_for_storage(trade.exit_price)),
                entry_at=trade.entry_ts,
                exit_at=trade.exit_ts,
                pnl=pnl,
                fees=Money(trade.fees, currency),
                decision_id=decision_id,
            )
        )
        if decision_id is not None:
            accuracy = 1.0 if trade.pnl > 0 else 0.0
            self.writer.set_outcome(decision_id, pnl=pnl, accuracy=accuracy, at=trade.exit_ts)

    def record_fill(self, fill: Fill) -> None:
        self.writer.add_fill(fill, run_id=self.run_id, broker=self.broker)

    def record_position(self, position: Position, at: datetime) -> None:
        self.writer.put_position(position, run_id=self.run_id, at=at)

    def record_snapshot(
        self, ts: datetime, base: Currency, cash: Mapping[Currency, Decimal], equity: Decimal
    ) -> None:
        self.writer.add_snapshot(SnapshotRecord(self.run_id, ts, base, dict(cash), equity))

    def step(self, at: datetime, checkpoint: Mapping[str, Any] | None = None) -> None:
        checkpoint = self.safety_record.take(checkpoint, at)  # safety-state
        self.writer.set_cursor(self.run_id, at, checkpoint)
        self.writer.step()

    def flush(self) -> None:
        self.safety_record.before_flush()  # safety-state
        self.writer.flush()


def start_run(
    engine: SqlEngine,
    run_id: str,
    mode: RunMode,
    config_hash: str,
    started_at: datetime,
    deposits: Sequence[Money],
) -> None:
    """Create the run row and book its starting capital as explicit capital events, in one
    transaction: a crash leaves either no run or a run with all of its capital."""
    with transaction(engine, immediate=True) as conn:
        RunRepository(conn).start(RunRecord(run_id, mode, config_hash, started_at))
        capital = CapitalEvents(conn)
        for money in deposits:
            capital.record(
                CapitalEvent(
                    run_id,
                    CapitalEventKind.DEPOSIT,
                    money,
                    started_at,
                    event_id=f"{run_id}-deposit-{money.currency.value}",
                )
            )


def finish_run(engine: SqlEngine, run_id: str, at: datetime, ok: bool) -> None:
    RunRepository(engine).finish(run_id, RunStatus.COMPLETED if ok else RunStatus.FAILED, at)
