"""Database fixtures: every store test runs on a real SQLite file and on real PostgreSQL.

PostgreSQL: the session creates ``ouroboros_test_<random>`` on the server named by
``OUROBOROS_TEST_PG_URL`` (default ``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``)
and drops it at the end; each test gets its own schema in it (``search_path`` in the URL), so
tests are isolated without a database per test. Tests that only move rows share one migrated
schema (emptied before each test) and SQLite tests copy one migrated file, so the suite does not
pay for a migration per test. No server: the PostgreSQL cases are skipped
with the reason - unless ``OUROBOROS_REQUIRE_POSTGRES=1`` (set by scripts/test.sh and CI),
which turns the skip into a failure.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine, make_url

from ouroboros.store import RunMode, RunRecord, RunRepository, make_engine, upgrade
from ouroboros.store.models import metadata
from tests.store.factories import RUN, T0
from tests.store.postgres import (
    DEFAULT_PG_ADMIN_URL,
    PG_ADMIN_URL_ENV,
    postgres_unavailable,
    probe_postgres,
)


@pytest.fixture(scope="session")
def pg_database() -> Iterator[URL]:
    """A fresh PostgreSQL database for this test session, dropped afterwards."""
    admin_url = os.environ.get(PG_ADMIN_URL_ENV, DEFAULT_PG_ADMIN_URL)
    reason = probe_postgres(admin_url)
    if reason is not None:
        postgres_unavailable(reason)
    name = f"ouroboros_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(admin_url).set(drivername="postgresql+psycopg", database=name)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def _schema_url(database: URL, schema: str) -> str:
    url = database.update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


@contextmanager
def _pg_schema(database: URL) -> Iterator[str]:
    """A new schema in the session database (a URL that sees only it), dropped afterwards."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(database)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        yield _schema_url(database, schema)
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture
def pg_url(pg_database: URL) -> Iterator[str]:
    """An empty PostgreSQL schema of its own, for tests that migrate or alter the schema."""
    with _pg_schema(pg_database) as url:
        yield url


@pytest.fixture(scope="session")
def pg_migrated_url(pg_database: URL) -> Iterator[str]:
    """One migrated PostgreSQL schema shared by the tests that only read and write rows."""
    with _pg_schema(pg_database) as url:
        upgrade(url)
        yield url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (a copy is much cheaper than a migration)."""
    path = tmp_path_factory.mktemp("template") / "store.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        upgrade(engine)
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        engine.dispose()
    return path


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty (not migrated) database of its own on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    url: str = request.getfixturevalue("pg_url")
    return url


@pytest.fixture
def fresh_engine(db_url: str) -> Iterator[Engine]:
    """A migrated database of its own (slower): for tests that alter the schema."""
    eng = make_engine(db_url)
    try:
        upgrade(eng)
        RunRepository(eng).start(RunRecord(RUN, RunMode.BACKTEST, "cfg-hash", T0))
        yield eng
    finally:
        eng.dispose()


@pytest.fixture(params=BACKENDS)
def migrated_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated database holding no rows, on each backend."""
    if request.param == "sqlite":
        path = tmp_path / "store.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("pg_migrated_url")
    _empty_all_tables(url)
    return url


@pytest.fixture
def engine(migrated_url: str) -> Iterator[Engine]:
    """A migrated database with one run (``RUN``) to hang rows on."""
    eng = make_engine(migrated_url)
    try:
        RunRepository(eng).start(RunRecord(RUN, RunMode.BACKTEST, "cfg-hash", T0))
        yield eng
    finally:
        eng.dispose()


def _empty_all_tables(url: str) -> None:
    """Delete every row of the shared schema. ``replica`` mode suspends the foreign keys and
    the append-only triggers for this one transaction (test cleanup only)."""
    eng = make_engine(url)
    try:
        with eng.begin() as conn:
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
            for table in reversed(metadata.sorted_tables):
                conn.execute(table.delete())
    finally:
        eng.dispose()
