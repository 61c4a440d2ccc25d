"""URLs (validation, masking) and the SQLite connection settings."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from ouroboros.errors import ConfigError
from ouroboros.store import DEFAULT_URL, DatabaseUrlError, make_engine, mask_url, parse_url


@pytest.mark.parametrize(
    "raw",
    [
        "postgresql://trader:s3cret@db.example:5432/ouroboros",
        "postgres://trader:s3cret@db.example/ouroboros",
        "postgresql+psycopg://trader:s3cret@db.example/ouroboros",
    ],
)
def test_postgres_urls_use_psycopg3(raw: str) -> None:
    url = parse_url(raw)
    assert url.drivername == "postgresql+psycopg"
    assert url.password == "s3cret"


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("mysql://trader:s3cret@db/x", "unsupported database backend 'mysql'"),
        ("postgresql+psycopg2://trader:s3cret@db/x", "driver 'psycopg2' is not installed"),
        ("postgresql://trader:s3cret@db", "no database name"),
        ("not a url :s3cret@", "not a database URL"),
        ("   ", "empty"),
    ],
)
def test_bad_urls_name_the_setting_and_hide_the_password(raw: str, why: str) -> None:
    with pytest.raises(DatabaseUrlError) as info:
        parse_url(raw, setting="OUROBOROS_DB_URL")
    message = str(info.value)
    assert why in message
    assert "OUROBOROS_DB_URL" in message
    assert "s3cret" not in message
    assert isinstance(info.value, ConfigError)


def test_mask_url_hides_passwords_in_text_and_query() -> None:
    assert mask_url("postgresql://u:pw@h/db") == "postgresql://u:***@h/db"
    assert "pw" not in mask_url(parse_url("postgresql://u@h/db?password=pw"))
    assert "pw" not in mask_url(parse_url("postgresql://u:pw@h/db"))


def test_sqlite_connections_get_wal_busy_timeout_and_foreign_keys(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        with engine.connect() as conn:
            pragma = {
                name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
            }
    finally:
        engine.dispose()
    assert pragma == {
        "journal_mode": "wal",
        "foreign_keys": 1,
        "busy_timeout": 10000,
        "synchronous": 2,
    }


def test_default_url_creates_the_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    engine = make_engine(DEFAULT_URL)
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    finally:
        engine.dispose()
    assert (tmp_path / "data" / "ouroboros.db").is_file()


def test_sqlite_transactions_are_real(tmp_path: Path) -> None:
    """pysqlite's legacy mode commits DDL implicitly; the engine must roll DDL back too."""
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        conn = engine.connect()
        transaction = conn.begin()
        conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        transaction.rollback()
        conn.close()
        with engine.connect() as conn:
            assert "t" not in sa.inspect(conn).get_table_names()
    finally:
        engine.dispose()
