"""Portfolio snapshots: cash per currency and equity over time."""

from __future__ import annotations

from datetime import datetime

from ouroboros.store.convert import snapshot_from, snapshot_row
from ouroboros.store.records import DEFAULT_ACCOUNT, SnapshotRecord
from ouroboros.store.session import Bind, transaction
from ouroboros.store.tables import SNAPSHOTS


class SnapshotRepository:
    def __init__(self, bind: Bind) -> None:
        self._bind = bind

    def add(self, snapshot: SnapshotRecord) -> None:
        with transaction(self._bind) as conn:
            conn.execute(SNAPSHOTS.insert(), snapshot_row(snapshot))

    def latest(self, run_id: str, account: str = DEFAULT_ACCOUNT) -> SnapshotRecord | None:
        query = (
            SNAPSHOTS.select()
            .where(SNAPSHOTS.c.run_id == run_id, SNAPSHOTS.c.account == account)
            .order_by(SNAPSHOTS.c.ts.desc(), SNAPSHOTS.c.id.desc())
            .limit(1)
        )
        with transaction(self._bind) as conn:
            row = conn.execute(query).mappings().first()
        return snapshot_from(row) if row else None

    def history(
        self, run_id: str, account: str = DEFAULT_ACCOUNT, *, since: datetime | None = None
    ) -> list[SnapshotRecord]:
        """Snapshots in time order: the equity curve."""
        query = SNAPSHOTS.select().where(
            SNAPSHOTS.c.run_id == run_id, SNAPSHOTS.c.account == account
        )
        if since is not None:
            query = query.where(SNAPSHOTS.c.ts >= since)
        with transaction(self._bind) as conn:
            rows = conn.execute(query.order_by(SNAPSHOTS.c.ts, SNAPSHOTS.c.id)).mappings()
            return [snapshot_from(row) for row in rows]
