"""The classification behind the error boundary (cli/errors.py), on real exception objects."""

from __future__ import annotations

import errno
import sqlite3
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from ouroboros.errors import ConfigError, DataError, OuroborosError, RateLimited
from ouroboros.interfaces.cli.errors import ExitCode, classify, note_input, reset_inputs


@pytest.fixture(autouse=True)
def _fresh_inputs() -> None:
    reset_inputs()


def _sqlite_error(sql: str, path: Path) -> OperationalError:
    engine = sa.create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(sql)
    except OperationalError as exc:
        return exc
    finally:
        engine.dispose()
    raise AssertionError("no error")


def test_a_missing_table_names_the_database_and_the_table(tmp_path: Path) -> None:
    note_input("--db", "sqlite:///x.db")
    verdict = classify(_sqlite_error("SELECT * FROM fills", tmp_path / "x.db"))
    assert verdict.code is ExitCode.BAD_INPUT
    assert verdict.message.startswith("--db sqlite:///x.db: ")
    assert "fills" in verdict.message


def test_a_locked_database_is_a_failure_not_bad_input(tmp_path: Path) -> None:
    path = tmp_path / "busy.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN EXCLUSIVE")
    engine = sa.create_engine(f"sqlite:///{path}", connect_args={"timeout": 0})
    try:
        with pytest.raises(OperationalError) as info, engine.begin() as conn:
            conn.exec_driver_sql("INSERT INTO t VALUES (1)")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        engine.dispose()
    wrapped = OuroborosError("database unavailable")
    wrapped.__cause__ = info.value
    assert classify(wrapped).code is ExitCode.FAILED  # the cause decides
    assert "locked" in classify(wrapped).message


@pytest.mark.parametrize(
    ("number", "code"),
    [
        (errno.ENOSPC, ExitCode.FAILED),
        (errno.EACCES, ExitCode.BAD_INPUT),
        (errno.EROFS, ExitCode.BAD_INPUT),
        (errno.ECONNREFUSED, ExitCode.UNAVAILABLE),
    ],
)
def test_file_system_errors_by_errno(number: int, code: ExitCode) -> None:
    note_input("--report", "/data/out")
    verdict = classify(OSError(number, "x", "/data/out/r.html"))
    assert verdict.code is code
    assert verdict.message.startswith("--report /data/out/r.html: ")


def test_ours_and_pythons_classes() -> None:
    assert classify(ConfigError("bad")).code is ExitCode.BAD_INPUT
    assert classify(DataError("bad")).code is ExitCode.BAD_INPUT
    assert classify(RateLimited("slow down")).code is ExitCode.UNAVAILABLE
    assert classify(OuroborosError("failed")).code is ExitCode.FAILED
    assert classify(KeyboardInterrupt()).code is ExitCode.INTERRUPTED
    with pytest.raises(InvalidOperation) as info:
        Decimal("1e400").quantize(Decimal("0.01"))
    assert classify(info.value).code is ExitCode.BAD_INPUT
    unexpected = classify(RuntimeError("boom"))
    assert unexpected.code is ExitCode.FAILED
    assert "--debug" in unexpected.message


def test_passwords_never_reach_the_message() -> None:
    verdict = classify(ConfigError("cannot reach postgresql://u:hunter2@db/x"))
    assert "hunter2" not in verdict.message
