"""Engines for both backends, configured so the rest of the store never branches on them.

SQLite gets, on every new connection: WAL (readers never block the writer), a busy timeout
(a second process waits instead of failing at once), foreign keys on (SQLite's default is off)
and ``synchronous=FULL`` (a committed order intent survives power loss; the batch writer pays
that fsync once per batch, not per row). pysqlite's own transaction handling is switched off
and SQLAlchemy emits ``BEGIN`` itself, so DDL, savepoints and batches are truly transactional.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Engine

from ouroboros.store.session import SQLITE_BEGIN_OPTION
from ouroboros.store.types import dumps_json
from ouroboros.store.url import URL_SETTING, parse_url

SQLITE_BUSY_TIMEOUT_MS = 10_000
PG_CONNECT_TIMEOUT_S = 10


def make_engine(url: str | URL, *, setting: str = URL_SETTING, echo: bool = False) -> Engine:
    """An engine for ``url`` (SQLite file or PostgreSQL via psycopg 3), ready for the store.

    A SQLite file's parent folder is created if missing, so the default ``./data`` just works.
    The caller owns the engine and should ``dispose()`` it when done.
    """
    parsed = parse_url(url, setting=setting)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, echo)
    return _postgres_engine(parsed, echo)


def _sqlite_engine(url: URL, echo: bool) -> Engine:
    database = url.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, echo=echo, json_serializer=dumps_json)
    event.listen(engine, "connect", _on_sqlite_connect)
    event.listen(engine, "begin", _on_sqlite_begin)
    return engine


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Autocommit at the driver level: SQLAlchemy's "begin" hook below opens every transaction.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA synchronous = FULL")
    finally:
        cursor.close()


def _on_sqlite_begin(connection: Connection) -> None:
    begin = connection.get_execution_options().get(SQLITE_BEGIN_OPTION, "BEGIN")
    connection.exec_driver_sql(begin)


def _postgres_engine(url: URL, echo: bool) -> Engine:
    connect_args: dict[str, Any] = {}
    if "application_name" not in url.query:
        connect_args["application_name"] = "ouroboros"
    if "connect_timeout" not in url.query:
        connect_args["connect_timeout"] = PG_CONNECT_TIMEOUT_S
    return sa.create_engine(
        url,
        echo=echo,
        json_serializer=dumps_json,
        pool_pre_ping=True,
        connect_args=connect_args,
    )


def backend_name(engine: Engine) -> str:
    """``"sqlite"`` or ``"postgresql"``."""
    return engine.dialect.name
