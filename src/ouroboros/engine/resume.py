"""Resuming a replay run after a crash: find it, check its record, refuse when it disagrees.

A replay run commits its rows in batches, each with the run's cursor (the timeline position and
a checkpoint of the breaker, counters and sequence numbers) in the same transaction. After a
SIGKILL the record therefore holds exactly the points before the cursor, never half of one.

The restarted process re-simulates those points with its sink muted (the policy's state, the
simulated venue's working orders and the books are rebuilt deterministically, as a broker's
reports would be fetched) and, before writing anything, checks the result against the record:
every order's state, every fill, each position, cash per currency, the order and decision
counters and the whole circuit breaker (stored under the run's ``system_state`` entry, written
in the same transaction as the cursor). Any difference is irreconcilable for a replay: the run
refuses to continue and names each difference. The breaker then continues from its stored
state, tightened (never loosened) to the configured thresholds.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.engine import Engine as SqlEngine

from ouroboros.domain.money import Money
from ouroboros.domain.portfolio import Portfolio
from ouroboros.engine.backtest import Resume
from ouroboros.engine.loop import Engine
from ouroboros.engine.recording import start_run
from ouroboros.errors import OuroborosError
from ouroboros.execution.order_manager import EventSink
from ouroboros.store import (
    CapitalEventKind,
    CapitalEvents,
    EventRecord,
    EventStore,
    FillRepository,
    OrderRepository,
    PositionRepository,
    RunMode,
    RunRecord,
    RunRepository,
    SystemStateRepository,
    new_id,
)
from ouroboros.store.repositories.safety import SafetyStateRepository, run_scope


class ResumeRefused(OuroborosError):
    """The record of a run and its re-simulation disagree, or another process owns the run."""


@dataclass(frozen=True)
class ResumePoint:
    run: RunRecord
    cursor: int
    """Timeline points on record (the checkpoint's ``position`` key)."""
    breaker: Mapping[str, Any] | None
    checkpoint: Mapping[str, Any]


def find_resumable(store: SqlEngine, config_hash: str) -> RunRecord | None:
    """The newest unfinished run started with the same configuration, if any."""
    return RunRepository(store).latest_unfinished(config_hash)


def resume_point(run: RunRecord, store: SqlEngine) -> ResumePoint:
    """Where ``run`` continues: at the start when no batch was committed yet."""
    cursor = dict(run.cursor or {})
    position = cursor.get("position", 0)
    if not isinstance(position, int) or position < 0:
        raise ResumeRefused(f"run {run.run_id}: cursor position is corrupt, was {position!r}")
    stored = SafetyStateRepository(store).breaker(run_scope(run.run_id))  # safety-state
    return ResumePoint(run, position, stored.value if stored is not None else None, cursor)


# -- ownership --------------------------------------------------------------------------------


def claim(store: SqlEngine, run_id: str, now: datetime) -> None:
    """Refuse to resume a run another live process on this host still works on; then own it.

    The owner is recorded in ``system_state``; a process on another host, or a pid that no
    longer exists, is taken to be gone (a crashed run). PIDs can be reused, so this is a guard
    against the common mistake of starting the same command twice, not a distributed lock.
    """
    state = SystemStateRepository(store)
    key = f"run_owner:{run_id}"
    entry = state.get(key)
    host = socket.gethostname()
    if entry is not None:
        pid = entry.value.get("pid")
        same_host = entry.value.get("host") == host
        if same_host and isinstance(pid, int) and pid != os.getpid() and _alive(pid):
            raise ResumeRefused(f"run {run_id} is still running as process {pid} on {host}")
    claimed = state.compare_and_put(
        key,
        {"pid": os.getpid(), "host": host},
        expected_version=entry.version if entry is not None else None,
        at=now,
    )
    if not claimed:
        raise ResumeRefused(f"run {run_id} was claimed by another process at the same moment")


def release(store: SqlEngine, run_id: str, now: datetime) -> None:
    """Give up ownership of a run that ended (completed or failed): the owner entry keeps the
    host and drops the pid, so nothing mistakes a later process for this one."""
    state = SystemStateRepository(store)
    key = f"run_owner:{run_id}"
    entry = state.get(key)
    if entry is not None and entry.value.get("pid") == os.getpid():
        state.put(key, {"pid": None, "host": entry.value.get("host"), "released": True}, now)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# -- the check at the resume point ------------------------------------------------------------


def differences(engine: Engine, store: SqlEngine, point: ResumePoint) -> list[str]:
    """Every way the re-simulated engine differs from the record of the run (empty = agree)."""
    run_id = point.run.run_id
    problems: list[str] = []
    problems += _orders(engine, store, run_id)
    fills = FillRepository(store).for_run(run_id)
    ours = {f.fill_id for f in engine.fills}
    theirs = {f.fill_id for f in fills}
    if ours != theirs:
        problems.append(
            f"fills: {len(theirs - ours)} on record but not re-simulated "
            f"{sorted(theirs - ours)[:5]}, {len(ours - theirs)} re-simulated but not on record "
            f"{sorted(ours - theirs)[:5]}"
        )
    recorded = {
        iid: p.quantity for iid, p in PositionRepository(store).all(run_id).items() if p.quantity
    }
    held = {iid: p.quantity for iid, p in engine.portfolio.positions.items() if p.quantity}
    for iid in sorted(set(recorded) | set(held), key=str):
        if recorded.get(iid, Decimal(0)) != held.get(iid, Decimal(0)):
            problems.append(
                f"position {iid}: record {recorded.get(iid, 0)}, re-simulated {held.get(iid, 0)}"
            )
    problems += _cash(engine, store, point, fills)
    checkpoint = engine.checkpoint()
    for key in ("order_seq", "decision_seq", "fills"):
        if point.checkpoint.get(key) != checkpoint[key]:
            problems.append(
                f"{key}: record {point.checkpoint.get(key)}, re-simulated {checkpoint[key]}"
            )
    if point.breaker != checkpoint["breaker"]:
        problems.append(
            "circuit breaker: record "
            f"{_breaker_brief(point.breaker)}, re-simulated {_breaker_brief(checkpoint['breaker'])}"
        )
    return problems


def _orders(engine: Engine, store: SqlEngine, run_id: str) -> list[str]:
    problems: list[str] = []
    recorded = {o.client_order_id: o for o in OrderRepository(store).for_run(run_id)}
    ours = engine.orders.orders
    for cid in sorted(set(recorded) | set(ours), key=lambda c: c.value):
        rec, sim = recorded.get(cid), ours.get(cid)
        if rec is None:
            problems.append(f"order {cid}: re-simulated but not on record")
        elif sim is None:
            problems.append(f"order {cid}: on record ({rec.status.value}) but not re-simulated")
        elif (rec.status, rec.filled_quantity) != (sim.status, sim.filled_quantity):
            problems.append(
                f"order {cid}: record {rec.status.value} {rec.filled_quantity} filled, "
                f"re-simulated {sim.status.value} {sim.filled_quantity} filled"
            )
    return problems


def _cash(engine: Engine, store: SqlEngine, point: ResumePoint, fills: Sequence[Any]) -> list[str]:
    """Cash rebuilt from the record (capital events + fills) against the re-simulated ledger."""
    base = engine.portfolio.base_currency
    books = Portfolio(base)
    for event in CapitalEvents(store).list(point.run.run_id):
        if event.kind is CapitalEventKind.DEPOSIT:
            books.deposit(event.amount)
        else:
            books.withdraw(event.amount)
    instruments = engine.instruments
    for fill in sorted(fills, key=lambda f: (f.ts, f.fill_id)):
        books.apply_fill(fill, instruments[fill.instrument_id])
    problems = []
    for currency in sorted(set(books.cash) | set(engine.portfolio.cash), key=lambda c: c.value):
        ours = engine.portfolio.cash.get(currency, Decimal(0))
        theirs = books.cash.get(currency, Decimal(0))
        if ours != theirs:
            problems.append(f"cash {currency.value}: record {theirs}, re-simulated {ours}")
    return problems


def _breaker_brief(state: Mapping[str, Any] | None) -> str:
    if state is None:
        return "none"
    return f"{state.get('status')} ({state.get('reason') or 'no reason'})"


# -- opening a recorded run -----------------------------------------------------------------


def open_run(
    store: SqlEngine,
    *,
    config_hash: str,
    mode: RunMode,
    started_at: datetime,
    deposits: Sequence[Money],
    fresh: bool,
    now: datetime,
) -> tuple[str, ResumePoint | None]:
    """The run to record into: the unfinished one with the same configuration (resumed), or a
    new one with its starting capital. The process claims the run either way."""
    existing = None if fresh else find_resumable(store, config_hash)
    if existing is not None:
        claim(store, existing.run_id, now)
        return existing.run_id, resume_point(existing, store)
    run_id = "r" + new_id()[:12]
    start_run(store, run_id, mode, config_hash, started_at, deposits)
    claim(store, run_id, now)
    return run_id, None


def resume_for(store: SqlEngine, point: ResumePoint, sink: EventSink) -> Resume:
    """The engine's resume instruction: re-simulate up to the cursor, then check the record."""

    def check(engine: Engine) -> None:
        problems = differences(engine, store, point)
        at = engine.clock.now()
        if problems:
            EventStore(store).append(
                [
                    EventRecord(
                        "run.resume_refused",
                        {"position": point.cursor, "problems": problems},
                        at,
                        run_id=point.run.run_id,
                    )
                ]
            )
            raise ResumeRefused(
                f"run {point.run.run_id} cannot resume at point {point.cursor}: the record "
                f"and the re-simulation disagree ({len(problems)}): " + "; ".join(problems[:10])
            )
        sink.emit(
            "run.resumed",
            at,
            {
                "position": point.cursor,
                "orders": len(engine.orders.orders),
                "fills": len(engine.fills),
                "breaker": (point.breaker or {}).get("status"),
            },
        )

    return Resume(point.cursor, point.breaker, verify=check)
