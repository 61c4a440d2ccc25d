"""Migrations: shipped in the package, identical on both backends, matching the models."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from ouroboros.store import current_revision, downgrade, head_revision, make_engine, upgrade
from ouroboros.store.models import metadata


def test_upgrade_creates_every_table_and_matches_the_models(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the script location must not depend on the CWD
    assert current_revision(db_url) is None
    result = upgrade(db_url)
    assert (result.before, result.after) == (None, head_revision())
    assert current_revision(db_url) == head_revision()
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            tables = set(sa.inspect(conn).get_table_names())
            assert set(metadata.tables) <= tables
            drift = compare_metadata(
                MigrationContext.configure(conn, opts={"compare_type": True}), metadata
            )
        assert drift == []
    finally:
        engine.dispose()


def test_upgrade_is_idempotent_and_downgrade_reverses_it(db_url: str) -> None:
    upgrade(db_url)
    again = upgrade(db_url)
    assert not again.changed
    assert downgrade(db_url, "base").after is None
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            assert set(sa.inspect(conn).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()
    assert upgrade(db_url).after == head_revision()


def _capital(conn: sa.Connection, event_id: str, kind: str) -> None:
    conn.exec_driver_sql(
        "INSERT INTO capital_events (event_id, run_id, account, kind, amount, currency, ts, note)"
        f" VALUES ('{event_id}', 'r1', 'default', '{kind}', '5', 'KRW', "
        "'2026-12-04 00:00:00.000000+00:00', '')"
    )


def test_0002_keeps_existing_rows_adds_the_broker_tables_and_fee_kinds(db_url: str) -> None:
    upgrade(db_url, "0001")
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO runs (run_id, mode, config_hash, status, started_at) VALUES "
                "('r1', 'paper', 'h', 'running', '2026-12-04 00:00:00.000000+00:00')"
            )
            _capital(conn, "dep", "DEPOSIT")
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
            _capital(conn, "fee0", "FEE_CHARGE")  # 0001 knows deposits and withdrawals only
        assert upgrade(engine, "0002").after == "0002"
        with engine.begin() as conn:
            _capital(conn, "fee1", "FEE_CHARGE")
            kinds = conn.exec_driver_sql("SELECT kind FROM capital_events ORDER BY id").all()
            tables = set(sa.inspect(conn).get_table_names())
        assert [k for (k,) in kinds] == ["DEPOSIT", "FEE_CHARGE"]
        assert {"broker_intents", "broker_fill_ledger", "broker_ledger_fills"} <= tables
        with engine.begin() as conn:
            conn.exec_driver_sql("DELETE FROM capital_events WHERE kind = 'FEE_CHARGE'")
        assert downgrade(engine, "0001").after == "0001"
        with engine.connect() as conn:
            assert "broker_intents" not in set(sa.inspect(conn).get_table_names())
            assert conn.exec_driver_sql("SELECT count(*) FROM capital_events").scalar() == 1
    finally:
        engine.dispose()


def _order(conn: sa.Connection, cid: str, status: str, reason: str) -> None:
    conn.exec_driver_sql(
        "INSERT INTO orders (client_order_id, run_id, account, instrument_id, side, order_type,"
        " time_in_force, quantity, status, filled_quantity, reason, created_at) VALUES"
        f" ('{cid}', 'r1', 'default', 'AAPL.NASDAQ', 'BUY', 'MARKET', 'DAY', '10', '{status}',"
        f" '0', '{reason}', '2026-12-04 00:00:00.000000+00:00')"
    )


def _tags(conn: sa.Connection) -> list[tuple[str, str | None, str]]:
    query = "SELECT client_order_id, tag, reason FROM orders ORDER BY id"
    return [(cid, tag, reason) for cid, tag, reason in conn.exec_driver_sql(query).all()]


def test_0004_moves_the_tag_out_of_reason_and_downgrades_back(db_url: str) -> None:
    upgrade(db_url, "0003")
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO runs (run_id, mode, config_hash, status, started_at) VALUES "
                "('r1', 'paper', 'h', 'running', '2026-12-04 00:00:00.000000+00:00')"
            )
            _order(conn, "filled", "FILLED", "ta; confidence=0.80")  # 0003 kept the tag
            _order(conn, "cancelled", "CANCELED", "session closed")  # ... or the status reason
        assert upgrade(engine, "0004").after == "0004"
        with engine.connect() as conn:
            assert _tags(conn) == [
                ("filled", "ta; confidence=0.80", ""),
                ("cancelled", None, "session closed"),
            ]
        assert downgrade(engine, "0003").after == "0003"
        with engine.connect() as conn:
            columns = {c["name"] for c in sa.inspect(conn).get_columns("orders")}
            rows = conn.exec_driver_sql("SELECT reason FROM orders ORDER BY id").all()
        assert "tag" not in columns
        assert [r for (r,) in rows] == ["ta; confidence=0.80", "session closed"]
    finally:
        engine.dispose()
