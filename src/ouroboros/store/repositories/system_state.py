"""System state that must survive restarts, as versioned key/value entries.

Every key carries a version. ``put`` overwrites; ``compare_and_put`` writes only if nobody
else wrote since the caller read, which makes a read-modify-write atomic on both backends
without holding locks. What lives here: run ownership (``run_owner:<run>``) and the safety state
of each account or run (``circuit_breaker:<scope>``, ``trading_enabled:<scope>``; see
:mod:`ouroboros.store.repositories.safety`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from ouroboros.store.dialect import upsert
from ouroboros.store.records import StateEntry
from ouroboros.store.session import Bind, transaction
from ouroboros.store.tables import SYSTEM_STATE


class SystemStateRepository:
    def __init__(self, bind: Bind) -> None:
        self._bind = bind

    def get(self, key: str) -> StateEntry | None:
        with transaction(self._bind) as conn:
            return _get(conn, key)

    def put(self, key: str, value: Mapping[str, Any], at: datetime) -> int:
        """Overwrite ``key``; returns the new version."""
        with transaction(self._bind) as conn:
            return _put(conn, key, value, at)

    def compare_and_put(
        self, key: str, value: Mapping[str, Any], *, expected_version: int | None, at: datetime
    ) -> bool:
        """Write only if ``key`` is still at ``expected_version`` (``None``: must not exist).
        ``False`` means someone else wrote first: read again and retry."""
        if expected_version is None:
            try:
                with transaction(self._bind) as conn:
                    conn.execute(
                        SYSTEM_STATE.insert(),
                        {"key": key, "value": dict(value), "version": 1, "updated_at": at},
                    )
            except IntegrityError:
                return False
            return True
        with transaction(self._bind) as conn:
            result = conn.execute(
                SYSTEM_STATE.update()
                .where(SYSTEM_STATE.c.key == key, SYSTEM_STATE.c.version == expected_version)
                .values(value=dict(value), version=expected_version + 1, updated_at=at)
            )
        return result.rowcount == 1


def _get(conn: Connection, key: str) -> StateEntry | None:
    row = conn.execute(SYSTEM_STATE.select().where(SYSTEM_STATE.c.key == key)).mappings().first()
    if row is None:
        return None
    return StateEntry(row["key"], row["value"], row["version"], row["updated_at"])


def _put(conn: Connection, key: str, value: Mapping[str, Any], at: datetime) -> int:
    stmt = upsert(
        conn,
        SYSTEM_STATE,
        ["key"],
        ["value", "updated_at"],
        extra={"version": SYSTEM_STATE.c.version + 1},
    )
    conn.execute(stmt, {"key": key, "value": dict(value), "version": 1, "updated_at": at})
    version = conn.execute(
        sa.select(SYSTEM_STATE.c.version).where(SYSTEM_STATE.c.key == key)
    ).scalar_one()
    return int(version)
