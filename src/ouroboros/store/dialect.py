"""The two statements whose SQL differs by backend: insert-or-ignore and upsert.

Both SQLite (3.24+) and PostgreSQL speak ``INSERT ... ON CONFLICT``; SQLAlchemy exposes it per
dialect, so this module picks the dialect's ``insert`` and nothing else needs to know.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection


def _insert(connection: Connection, table: sa.Table) -> Any:
    if connection.dialect.name == "postgresql":
        return postgresql.insert(table)
    if connection.dialect.name == "sqlite":
        return sqlite.insert(table)
    raise ValueError(f"unsupported dialect {connection.dialect.name!r}")  # pragma: no cover


def insert_ignore(connection: Connection, table: sa.Table, conflict_on: Sequence[str]) -> sa.Insert:
    """``INSERT`` that silently skips rows whose ``conflict_on`` key already exists.

    Its result's ``rowcount`` is the number of rows actually inserted (SQLAlchemy only keeps
    an INSERT's rowcount when asked to).
    """
    stmt: sa.Insert = (
        _insert(connection, table)
        .on_conflict_do_nothing(index_elements=list(conflict_on))
        .execution_options(preserve_rowcount=True)
    )
    return stmt


def upsert(
    connection: Connection,
    table: sa.Table,
    conflict_on: Sequence[str],
    update: Sequence[str],
    extra: dict[str, Any] | None = None,
) -> sa.Insert:
    """``INSERT`` that, on a ``conflict_on`` clash, overwrites the ``update`` columns with the
    new row's values (plus any ``extra`` SQL expressions)."""
    base = _insert(connection, table)
    set_: dict[str, Any] = {name: base.excluded[name] for name in update}
    set_.update(extra or {})
    stmt: sa.Insert = base.on_conflict_do_update(index_elements=list(conflict_on), set_=set_)
    return stmt
