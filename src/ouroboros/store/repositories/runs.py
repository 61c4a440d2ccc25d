"""Runs: start, finish, and the resume cursor of each engine run."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ouroboros.store.errors import DuplicateKey, RecordNotFound
from ouroboros.store.integrity import violates
from ouroboros.store.records import RunMode, RunRecord, RunStatus
from ouroboros.store.session import Bind, transaction
from ouroboros.store.tables import RUNS


class RunRepository:
    def __init__(self, bind: Bind) -> None:
        self._bind = bind

    def start(self, run: RunRecord) -> None:
        """Record a new run; its id must be new."""
        row = {
            "run_id": run.run_id,
            "mode": run.mode.value,
            "config_hash": run.config_hash,
            "status": run.status.value,
            "started_at": run.started_at,
            "ended_at": run.ended_at,
            "cursor_at": run.cursor_at,
            "cursor": dict(run.cursor) if run.cursor is not None else None,
        }
        try:
            with transaction(self._bind) as conn:
                conn.execute(RUNS.insert(), row)
        except IntegrityError as exc:
            if violates(exc, table="runs", columns=("run_id",), name="pk_runs"):
                raise DuplicateKey(f"run {run.run_id!r} already exists") from exc
            raise

    def get(self, run_id: str) -> RunRecord | None:
        with transaction(self._bind) as conn:
            row = conn.execute(RUNS.select().where(RUNS.c.run_id == run_id)).mappings().first()
        return _run_from(row) if row else None

    def latest(
        self, mode: RunMode | None = None, *, running_only: bool = False
    ) -> RunRecord | None:
        """The most recently started run (of ``mode``), e.g. the one to resume after a crash."""
        query = RUNS.select().order_by(RUNS.c.started_at.desc(), RUNS.c.run_id.desc()).limit(1)
        if mode is not None:
            query = query.where(RUNS.c.mode == mode.value)
        if running_only:
            query = query.where(RUNS.c.status == RunStatus.RUNNING.value)
        with transaction(self._bind) as conn:
            row = conn.execute(query).mappings().first()
        return _run_from(row) if row else None

    def latest_unfinished(self, config_hash: str) -> RunRecord | None:
        """The newest run with this configuration that never finished (crashed or killed)."""
        query = (
            RUNS.select()
            .where(RUNS.c.config_hash == config_hash, RUNS.c.status == RunStatus.RUNNING.value)
            .order_by(RUNS.c.started_at.desc(), RUNS.c.run_id.desc())
            .limit(1)
        )
        with transaction(self._bind) as conn:
            row = conn.execute(query).mappings().first()
        return _run_from(row) if row else None

    def save_cursor(
        self, run_id: str, cursor_at: datetime, cursor: Mapping[str, Any] | None = None
    ) -> None:
        """Move the resume point. Prefer ``BatchWriter.set_cursor`` in the hot loop, which
        moves it in the same transaction as the rows it covers."""
        self._update(run_id, cursor_at=cursor_at, cursor=dict(cursor) if cursor else None)

    def finish(self, run_id: str, status: RunStatus, at: datetime) -> None:
        self._update(run_id, status=status.value, ended_at=at)

    def _update(self, run_id: str, **values: Any) -> None:
        with transaction(self._bind) as conn:
            result = conn.execute(RUNS.update().where(RUNS.c.run_id == run_id).values(**values))
        if result.rowcount == 0:
            raise RecordNotFound(f"run {run_id!r} does not exist")


def _run_from(row: sa.RowMapping) -> RunRecord:
    return RunRecord(
        run_id=row["run_id"],
        mode=RunMode(row["mode"]),
        config_hash=row["config_hash"],
        status=RunStatus(row["status"]),
        started_at=row["started_at"],
        ended_at=row["ended_at"],
        cursor_at=row["cursor_at"],
        cursor=row["cursor"],
    )
