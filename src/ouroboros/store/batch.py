"""The hot loop's writer: rows collect in memory and reach the database one transaction per
batch, never one round trip per bar.

A flush writes everything buffered - orders (upserted, last state wins), fills (idempotent by
broker fill id), positions (upserted), trades, capital events, snapshots, decisions, audit
events, the run's resume cursor and ``system_state`` entries (the circuit breaker of the account
or run, compare-and-set on the version read at start) - in a single transaction with bulk
``executemany`` inserts. Either the whole batch is stored or none of it: if any row is refused,
the transaction rolls back, the rows stay buffered and :class:`BatchRejected` says why. Because
the cursor moves in the same transaction as the rows it covers, a crashed run resumes exactly
after its last stored batch.

Flushes happen when ``max_rows`` rows are buffered, every ``every_steps`` calls to
:meth:`step` (one step per bar or cycle), on :meth:`flush`, and on a clean ``with`` exit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from types import TracebackType
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from ouroboros.domain.fills import Fill
from ouroboros.domain.money import Money
from ouroboros.domain.orders import Order
from ouroboros.domain.position import Position
from ouroboros.store.convert import (
    ORDER_MUTABLE_COLUMNS,
    Row,
    capital_row,
    decision_row,
    event_row,
    fill_row,
    order_row,
    position_row,
    snapshot_row,
    trade_row,
)
from ouroboros.store.dialect import insert_ignore, upsert
from ouroboros.store.errors import BatchRejected, DatabaseUnavailable
from ouroboros.store.records import (
    DEFAULT_ACCOUNT,
    CapitalEvent,
    DecisionRecord,
    EventRecord,
    SnapshotRecord,
    TradeRecord,
)
from ouroboros.store.repositories.fills import FILL_KEY
from ouroboros.store.repositories.positions import POSITION_KEY, POSITION_VALUES
from ouroboros.store.session import transaction
from ouroboros.store.tables import (
    CAPITAL_EVENTS,
    DECISIONS,
    EVENTS,
    FILLS,
    ORDERS,
    POSITIONS,
    RUNS,
    SNAPSHOTS,
    SYSTEM_STATE,
    TRADES,
)


@dataclass(frozen=True, slots=True)
class FlushResult:
    """What one flush wrote (rows offered; idempotent fills already stored are skipped)."""

    orders: int = 0
    fills: int = 0
    positions: int = 0
    trades: int = 0
    capital_events: int = 0
    snapshots: int = 0
    decisions: int = 0
    events: int = 0
    cursors: int = 0
    states: int = 0

    @property
    def rows(self) -> int:
        return (
            self.orders
            + self.fills
            + self.positions
            + self.trades
            + self.capital_events
            + self.snapshots
            + self.decisions
            + self.events
            + self.cursors
            + self.states
        )


class BatchWriter:
    """Buffers rows and writes them in one transaction per batch. Not thread-safe: one writer
    per engine loop."""

    def __init__(
        self, engine: Engine, *, max_rows: int = 5000, every_steps: int | None = None
    ) -> None:
        if max_rows < 1:
            raise ValueError(f"max_rows must be >= 1, was {max_rows}")
        if every_steps is not None and every_steps < 1:
            raise ValueError(f"every_steps must be >= 1, was {every_steps}")
        self._engine = engine
        self._max_rows = max_rows
        self._every_steps = every_steps
        self._steps = 0
        self._orders: dict[str, Row] = {}
        self._positions: dict[tuple[str, str, str], Row] = {}
        self._cursors: dict[str, Row] = {}
        self._fills: list[Row] = []
        self._trades: list[Row] = []
        self._capital: list[Row] = []
        self._snapshots: list[Row] = []
        self._decisions: list[Row] = []
        self._outcomes: list[Row] = []
        self._events: list[Row] = []
        self._states: dict[str, Row] = {}
        self._state_versions: dict[str, int | None] = {}
        self.rows_written = 0
        self.flushes = 0

    # -- buffering ---------------------------------------------------------------------------

    def add_order(
        self,
        order: Order,
        *,
        run_id: str,
        account: str = DEFAULT_ACCOUNT,
        decision_id: str | None = None,
    ) -> None:
        """Buffer the order's current state; several calls for one order keep the last.

        Live trading must still insert an order *before* submitting it (``OrderRepository``);
        this path is for state updates and for simulated modes.
        """
        row = order_row(order, run_id=run_id, account=account, decision_id=decision_id)
        self._orders[row["client_order_id"]] = row
        self._maybe_flush()

    def add_fill(self, fill: Fill, *, run_id: str, broker: str) -> None:
        self._fills.append(fill_row(fill, run_id=run_id, broker=broker))
        self._maybe_flush()

    def put_position(
        self, position: Position, *, run_id: str, at: datetime, account: str = DEFAULT_ACCOUNT
    ) -> None:
        row = position_row(position, run_id=run_id, account=account, at=at)
        self._positions[(run_id, account, row["instrument_id"])] = row
        self._maybe_flush()

    def add_trade(self, trade: TradeRecord) -> None:
        self._trades.append(trade_row(trade))
        self._maybe_flush()

    def add_capital_event(self, event: CapitalEvent) -> None:
        self._capital.append(capital_row(event))
        self._maybe_flush()

    def add_snapshot(self, snapshot: SnapshotRecord) -> None:
        self._snapshots.append(snapshot_row(snapshot))
        self._maybe_flush()

    def add_decision(self, decision: DecisionRecord) -> None:
        """Buffer a decision (outcomes and reviews come later, through ``DecisionLog``)."""
        self._decisions.append(decision_row(decision))
        self._maybe_flush()

    def set_outcome(self, decision_id: str, *, pnl: Money, accuracy: float, at: datetime) -> None:
        """Attach a decision's outcome with the next flush (after the batch's own inserts, so
        a decision and its outcome may share one batch)."""
        if not 0.0 <= accuracy <= 1.0:
            raise ValueError(f"decision {decision_id}: accuracy must be in [0, 1], was {accuracy}")
        self._outcomes.append(
            {
                "b_decision_id": decision_id,
                "outcome_pnl": pnl.amount,
                "outcome_currency": pnl.currency.value,
                "outcome_accuracy": accuracy,
                "outcome_at": at,
            }
        )
        self._maybe_flush()

    def add_event(self, event: EventRecord) -> None:
        self._events.append(event_row(event))
        self._maybe_flush()

    def set_cursor(
        self, run_id: str, cursor_at: datetime, cursor: Mapping[str, Any] | None = None
    ) -> None:
        """Move the run's resume point with the next flush (the run must exist)."""
        self._cursors[run_id] = {
            "b_run_id": run_id,
            "cursor_at": cursor_at,
            "cursor": dict(cursor) if cursor is not None else None,
        }

    def watch_state(self, key: str, version: int | None) -> None:
        """Write ``key`` only while it is still at ``version`` (as read at start; ``None``:
        absent): a batch whose entry someone else changed meanwhile is refused whole."""
        self._state_versions[key] = version

    def put_state(self, key: str, value: Mapping[str, Any], at: datetime) -> None:
        """Set a ``system_state`` entry with the next flush (last value wins); the key must be
        watched (:meth:`watch_state`)."""
        if key not in self._state_versions:
            raise ValueError(f"system_state key {key!r} is not watched: read its version first")
        self._states[key] = {"key": key, "value": dict(value), "updated_at": at}

    def step(self) -> FlushResult | None:
        """Mark the end of one bar or cycle; flushes every ``every_steps`` steps."""
        self._steps += 1
        if self._every_steps is not None and self._steps >= self._every_steps:
            return self.flush()
        return None

    @property
    def pending(self) -> int:
        """Rows waiting for the next flush."""
        return (
            len(self._orders)
            + len(self._fills)
            + len(self._positions)
            + len(self._trades)
            + len(self._capital)
            + len(self._snapshots)
            + len(self._decisions)
            + len(self._outcomes)
            + len(self._events)
            + len(self._cursors)
            + len(self._states)
        )

    def discard(self) -> int:
        """Drop everything buffered (after a rejected batch the caller chose not to retry)."""
        dropped = self.pending
        self._clear()
        return dropped

    # -- writing -----------------------------------------------------------------------------

    def flush(self) -> FlushResult:
        """Write every buffered row in one transaction; all or nothing."""
        self._steps = 0
        if not self.pending:
            return FlushResult()
        try:
            with transaction(self._engine, immediate=True) as conn:
                result = self._write(conn)
                versions = _write_states(conn, self._states, self._state_versions)
        except OperationalError as exc:
            raise DatabaseUnavailable(
                f"batch of {self.pending} rows not written, database unavailable: {exc.orig}"
            ) from exc
        except SQLAlchemyError as exc:
            cause = getattr(exc, "orig", None) or exc
            raise BatchRejected(
                f"batch of {self.pending} rows refused, nothing written: {cause}"
            ) from exc
        self._state_versions.update(versions)
        self._clear()
        result = replace(result, states=len(versions))
        self.rows_written += result.rows
        self.flushes += 1
        return result

    def _write(self, conn: Connection) -> FlushResult:
        orders = list(self._orders.values())
        positions = list(self._positions.values())
        cursors = list(self._cursors.values())
        if orders:
            conn.execute(upsert(conn, ORDERS, ["client_order_id"], ORDER_MUTABLE_COLUMNS), orders)
        if self._fills:
            conn.execute(insert_ignore(conn, FILLS, FILL_KEY), self._fills)
        if positions:
            conn.execute(upsert(conn, POSITIONS, POSITION_KEY, POSITION_VALUES), positions)
        for table, rows in (
            (TRADES, self._trades),
            (SNAPSHOTS, self._snapshots),
            (DECISIONS, self._decisions),
            (EVENTS, self._events),
        ):
            if rows:
                conn.execute(table.insert(), rows)
        if self._capital:
            conn.execute(insert_ignore(conn, CAPITAL_EVENTS, ["event_id"]), self._capital)
        if self._outcomes:
            conn.execute(_OUTCOME_UPDATE, self._outcomes)
        for cursor in cursors:
            updated = conn.execute(_CURSOR_UPDATE, cursor).rowcount
            if updated != 1:
                raise BatchRejected(f"run {cursor['b_run_id']!r} does not exist; cursor not moved")
        return FlushResult(
            orders=len(orders),
            fills=len(self._fills),
            positions=len(positions),
            trades=len(self._trades),
            capital_events=len(self._capital),
            snapshots=len(self._snapshots),
            decisions=len(self._decisions),
            events=len(self._events),
            cursors=len(cursors),
        )

    def _maybe_flush(self) -> None:
        if self.pending >= self._max_rows:
            self.flush()

    def _clear(self) -> None:
        for buffer in (
            self._orders,
            self._positions,
            self._cursors,
            self._fills,
            self._trades,
            self._capital,
            self._snapshots,
            self._decisions,
            self._outcomes,
            self._events,
            self._states,
        ):
            buffer.clear()

    def __enter__(self) -> BatchWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # On an exception the buffer is left as is: flushing half a step would store a state
        # the engine never reached.
        if exc_type is None:
            self.flush()


def _write_states(
    conn: Connection, states: Mapping[str, Row], versions: Mapping[str, int | None]
) -> dict[str, int]:
    """Compare-and-set each entry on the version last read or written; the new versions."""
    written: dict[str, int] = {}
    for key, row in states.items():
        expected = versions[key]
        if expected is None:
            exists = conn.execute(
                sa.select(SYSTEM_STATE.c.version).where(SYSTEM_STATE.c.key == key)
            ).first()
            if exists is not None:
                raise BatchRejected(f"system_state {key!r} was created by another process")
            conn.execute(SYSTEM_STATE.insert(), {**row, "version": 1})
            written[key] = 1
            continue
        updated = conn.execute(
            SYSTEM_STATE.update()
            .where(SYSTEM_STATE.c.key == key, SYSTEM_STATE.c.version == expected)
            .values(value=row["value"], updated_at=row["updated_at"], version=expected + 1)
        ).rowcount
        if updated != 1:
            raise BatchRejected(
                f"system_state {key!r} was changed by another process since version {expected}"
            )
        written[key] = expected + 1
    return written


_CURSOR_UPDATE = (
    RUNS.update()
    .where(RUNS.c.run_id == sa.bindparam("b_run_id"))
    .values(cursor_at=sa.bindparam("cursor_at"), cursor=sa.bindparam("cursor"))
)

_OUTCOME_UPDATE = (
    DECISIONS.update()
    .where(DECISIONS.c.decision_id == sa.bindparam("b_decision_id"))
    .values(
        outcome_pnl=sa.bindparam("outcome_pnl"),
        outcome_currency=sa.bindparam("outcome_currency"),
        outcome_accuracy=sa.bindparam("outcome_accuracy"),
        outcome_at=sa.bindparam("outcome_at"),
    )
)
