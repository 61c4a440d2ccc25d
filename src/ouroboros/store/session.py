"""Explicit transactions for repositories: each call is one transaction, or joins the caller's.

Repositories take a *bind*: an ``Engine`` (each method commits on its own) or a ``Connection``
that is already inside a transaction (the methods join it, and the caller commits several
repositories' writes together)::

    with transaction(engine) as conn:
        OrderRepository(conn).insert(order, run_id=run)
        EventStore(conn).append([...])
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Connection, Engine

Bind = Engine | Connection

SQLITE_BEGIN_OPTION = "ouroboros_sqlite_begin"


@contextmanager
def transaction(bind: Bind, *, immediate: bool = False) -> Iterator[Connection]:
    """A connection inside a transaction that commits on success and rolls back on error.

    ``immediate`` makes SQLite take the write lock at ``BEGIN`` (``BEGIN IMMEDIATE``), for
    transactions that read before they write; it is a no-op on PostgreSQL.
    """
    if isinstance(bind, Connection):
        if bind.in_transaction():
            yield bind
            return
        with bind.begin():
            yield bind
        return
    with bind.connect() as connection:
        if immediate:
            connection.execution_options(**{SQLITE_BEGIN_OPTION: "BEGIN IMMEDIATE"})
        with connection.begin():
            yield connection
