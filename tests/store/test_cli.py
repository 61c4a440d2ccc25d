"""``ouroboros db`` and ``ouroboros audit`` through Typer's test runner."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from ouroboros.interfaces.cli import audit_cmd, db_cmd
from ouroboros.store import head_revision, make_engine
from ouroboros.store.tables import POSITIONS
from tests.store.factories import book_clean_ledger

runner = CliRunner()


def _text(output: str) -> str:
    """Output with Rich's line wrapping undone."""
    return " ".join(output.split())


def test_db_upgrade_then_status(db_url: str) -> None:
    first = runner.invoke(db_cmd.app, ["upgrade", "--db", db_url])
    assert first.exit_code == 0, first.output
    assert f"upgraded empty -> {head_revision()}" in _text(first.output)
    again = runner.invoke(db_cmd.app, ["upgrade", "--db", db_url])
    assert f"already at {head_revision()}" in _text(again.output)

    status = runner.invoke(db_cmd.app, ["status", "--db", db_url, "--json"])
    assert status.exit_code == 0, status.output
    doc = json.loads(status.stdout)
    assert doc["current"] == doc["head"] == head_revision()
    assert doc["up_to_date"] is True
    assert doc["tables"]["orders"] == 0
    assert doc["tables"]["events"] == 0

    human = runner.invoke(db_cmd.app, ["status", "--db", db_url])
    assert "up to date" in _text(human.output)


def test_db_status_of_an_empty_database(db_url: str) -> None:
    if db_url.startswith("sqlite:///"):
        Path(db_url.removeprefix("sqlite:///")).touch()  # an empty file is an empty database
    result = runner.invoke(db_cmd.app, ["status", "--db", db_url, "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["current"] is None
    assert doc["up_to_date"] is False
    assert doc["tables"]["orders"] is None


def test_the_url_can_come_from_the_environment(
    migrated_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(db_cmd.DB_ENV, migrated_url)
    result = runner.invoke(db_cmd.app, ["status", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["up_to_date"] is True


def test_audit_verify_clean_and_dirty(engine: Engine) -> None:
    url = engine.url.render_as_string(hide_password=False)
    book_clean_ledger(engine)
    clean = runner.invoke(audit_cmd.app, ["verify", "--db", url, "--json"])
    assert clean.exit_code == 0, clean.output
    doc = json.loads(clean.stdout)
    assert doc["ok"] is True
    assert (doc["audit_problems"], doc["orders"], doc["fills"]) == ([], 2, 3)

    with engine.begin() as conn:
        conn.execute(POSITIONS.update().values(quantity=Decimal(7)))
    dirty = runner.invoke(audit_cmd.app, ["verify", "--db", url, "--json", "--run", "run-1"])
    assert dirty.exit_code == 4
    doc = json.loads(dirty.stdout)
    assert doc["ok"] is False
    assert doc["error"]["code"] == "audit_problems"
    assert [p["kind"] for p in doc["audit_problems"]] == ["position_mismatch"]

    human = runner.invoke(audit_cmd.app, ["verify", "--db", url])
    assert human.exit_code == 4
    assert "position_mismatch" in _text(human.output)


def test_audit_verify_needs_a_migrated_database(db_url: str) -> None:
    make_engine(db_url).dispose()
    result = runner.invoke(audit_cmd.app, ["verify", "--db", db_url])
    assert result.exit_code == 2
    assert "ouroboros db upgrade" in _text(result.output)


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("mysql://trader:s3cret@db/x", 2),  # bad configuration
        ("postgresql://trader:s3cret@127.0.0.1:1/ouroboros", 3),  # nothing listens on port 1
    ],
)
def test_database_errors_exit_with_their_code_without_the_password(url: str, code: int) -> None:
    for app, args in ((db_cmd.app, ["status"]), (audit_cmd.app, ["verify"])):
        result = runner.invoke(app, [*args, "--db", url])
        assert result.exit_code == code, result.output
        text = _text(result.output)
        assert "error:" in text
        assert "s3cret" not in text
        assert "***" in text


def test_the_root_command_registers_db_and_audit() -> None:
    from ouroboros.interfaces.cli.app import app

    for group, command in (("db", "upgrade"), ("db", "status"), ("audit", "verify")):
        result = runner.invoke(app, [group, command, "--help"])
        assert result.exit_code == 0, result.output
        assert "--db" in result.output
