"""Store write throughput: the batched writer on a SQLite file and on PostgreSQL.

Simulates an engine loop: every step writes 6 audit events, 1 order state, 1 fill, 1 position
and 1 portfolio snapshot (10 rows), and the writer flushes every 100 steps (~1,000 rows per
transaction) as the backtest would. For contrast it also times the naive path - one transaction
per row through the repositories - on a smaller run. Prints rows/s per backend and the ratios.

PostgreSQL: a throwaway database is created on ``OUROBOROS_BENCH_PG_URL`` (default
``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``) and dropped afterwards; with no
server the PostgreSQL line says why it was skipped. Run: ``bash bench/run.sh bench/bench_store.py``
(or ``.venv/bin/python bench/bench_store.py``).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from ouroboros.domain import (
    ClientOrderId,
    Currency,
    Fill,
    InstrumentId,
    Money,
    Order,
    OrderEventKind,
    OrderSide,
    OrderType,
    Position,
    Price,
    Quantity,
)
from ouroboros.store import (
    BatchWriter,
    EventRecord,
    EventStore,
    OrderRepository,
    RunMode,
    RunRecord,
    RunRepository,
    SnapshotRecord,
    make_engine,
    upgrade,
)

STEPS = 2000
FLUSH_EVERY = 100
NAIVE_STEPS = 50
REPEATS = 3  # best of N: other processes on a shared machine only ever slow a run down
EVENTS_PER_STEP = 6
ROWS_PER_STEP = EVENTS_PER_STEP + 4
T0 = datetime(2026, 1, 2, 14, 30, tzinfo=UTC)
RUN = "bench"
SYMBOLS = [InstrumentId.parse(f"S{i:03d}.NASDAQ") for i in range(50)]


Step = tuple[list[EventRecord], Order, Fill, Position, SnapshotRecord]


def step_rows(step: int) -> Step:
    ts = T0 + timedelta(minutes=step)
    iid = SYMBOLS[step % len(SYMBOLS)]
    events = [
        EventRecord(
            "SignalGenerated",
            {"symbol": str(iid), "rsi": "28.4", "volume_ratio": "2.1", "k": k},
            ts,
            run_id=RUN,
            cycle_id=f"c{step}",
            trace_id="bench",
            aggregate_id=f"c{step}",
        )
        for k in range(EVENTS_PER_STEP)
    ]
    cid = ClientOrderId(f"o{step}")
    order = Order(cid, iid, OrderSide.BUY, OrderType.LIMIT, Quantity.of(10), ts, Price.of("101.25"))
    order.apply(OrderEventKind.SUBMIT, ts)
    order.apply_fill(Quantity.of(10), Price.of("101.25"), ts)
    fill = Fill(
        f"f{step}",
        cid,
        iid,
        OrderSide.BUY,
        Quantity.of(10),
        Price.of("101.25"),
        Money(Decimal("1.01"), Currency.USD),
        ts,
    )
    position = Position(iid, Currency.USD, Decimal(10 * (step + 1)), Decimal("1012.50"))
    snapshot = SnapshotRecord(
        RUN, ts, Currency.USD, {Currency.USD: Decimal("1000000") - step}, Decimal("1000000.00")
    )
    return events, order, fill, position, snapshot


def batched(engine: Engine, steps: list[Step]) -> int:
    with BatchWriter(engine, every_steps=FLUSH_EVERY, max_rows=100_000) as writer:
        for events, order, fill, position, snapshot in steps:
            for event in events:
                writer.add_event(event)
            writer.add_order(order, run_id=RUN)
            writer.add_fill(fill, run_id=RUN, broker="paper")
            writer.put_position(position, run_id=RUN, at=snapshot.ts)
            writer.add_snapshot(snapshot)
            writer.step()
    return writer.rows_written


def one_transaction_per_row(engine: Engine, steps: list[Step]) -> int:
    """The path the batch writer replaces: every row its own transaction (and fsync)."""
    from ouroboros.store import FillRepository, PositionRepository, SnapshotRepository

    orders, fills = OrderRepository(engine), FillRepository(engine)
    positions, snaps, events = (
        PositionRepository(engine),
        SnapshotRepository(engine),
        EventStore(engine),
    )
    for step_events, order, fill, position, snapshot in steps:
        for event in step_events:
            events.append([event])
        orders.insert(order, run_id=RUN)
        fills.insert(fill, run_id=RUN, broker="paper")
        positions.put(position, run_id=RUN, at=snapshot.ts)
        snaps.add(snapshot)
    return len(steps) * ROWS_PER_STEP


def measure(
    make_url: Callable[[], str], write: Callable[[Engine, list[Step]], int], n_steps: int
) -> float:
    """Rows per second for ``write`` on a fresh, migrated database (building the domain
    objects is not timed: that is the engine's work, not the store's)."""
    steps = [step_rows(i) for i in range(n_steps)]
    engine = make_engine(make_url())
    try:
        upgrade(engine)
        RunRepository(engine).start(RunRecord(RUN, RunMode.BACKTEST, "bench", T0))
        started = time.perf_counter()
        rows = write(engine, steps)
        return rows / (time.perf_counter() - started)
    finally:
        engine.dispose()


@contextmanager
def postgres_database() -> Iterator[Callable[[], str]]:
    admin_url = os.environ.get(
        "OUROBOROS_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    admin = sa.create_engine(
        admin_url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
    )
    created: list[str] = []

    def new_database() -> str:
        name = f"ouroboros_bench_{uuid.uuid4().hex[:10]}"
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        created.append(name)
        return sa.make_url(admin_url).set(database=name).render_as_string(hide_password=False)

    try:
        yield new_database
    finally:
        with admin.connect() as conn:
            for name in created:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def main() -> int:
    print(
        f"store write throughput: {STEPS} steps x {ROWS_PER_STEP} rows "
        f"(events, order, fill, position, snapshot), flush every {FLUSH_EVERY} steps, "
        f"best of {REPEATS}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    print(f"{'backend':<12}{'batched rows/s':>16}{'row-at-a-time rows/s':>24}{'speedup':>10}")
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        counter = iter(range(1_000))

        def sqlite_url() -> str:
            return f"sqlite:///{Path(tmp) / f'bench{next(counter)}.db'}"

        results["sqlite"] = _report("sqlite", sqlite_url)
    try:
        with postgres_database() as pg_url:
            results["postgresql"] = _report("postgresql", pg_url)
    except sa.exc.OperationalError as exc:
        print(f"{'postgresql':<12}skipped: no server ({str(exc.orig).splitlines()[0]})")
    if len(results) == 2:
        ratio = results["postgresql"] / results["sqlite"]
        print(f"ratio postgresql/sqlite (batched rows/s): {ratio:.2f}")
    return 0


def _report(name: str, make_url: Callable[[], str]) -> float:
    fast = max(measure(make_url, batched, STEPS) for _ in range(REPEATS))
    slow = max(measure(make_url, one_transaction_per_row, NAIVE_STEPS) for _ in range(REPEATS))
    print(f"{name:<12}{fast:>16,.0f}{slow:>24,.0f}{fast / slow:>9.1f}x")
    return fast


if __name__ == "__main__":
    sys.exit(main())
