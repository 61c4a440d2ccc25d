"""``ouroboros run`` resumes the unfinished run with the same settings, and refuses when the
record and the re-simulation disagree (naming each difference) or another process owns it."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from ouroboros.engine.resume import ResumeRefused, claim
from ouroboros.interfaces.cli.app import app
from ouroboros.store import SystemStateRepository, make_engine, upgrade

ARGS = ["--days", "20", "--markets", "KR,US_NASDAQ", "--flush-every", "1"]


def invoke(db: str, tmp_path: Path, *extra: str) -> Any:
    return CliRunner().invoke(
        app, ["run", "--db", db, "--report-dir", str(tmp_path), "--json", *ARGS, *extra]
    )


def reopen(db: str) -> None:
    """Make the finished run look killed at its last batch (status running)."""
    engine = make_engine(db)
    with engine.begin() as conn:
        conn.execute(sa.text("update runs set status = 'running', ended_at = null"))
    engine.dispose()


def test_same_command_resumes_and_refuses_a_tampered_record(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'resume.db'}"
    first = invoke(db, tmp_path)
    assert first.exit_code == 0, first.output
    summary = json.loads(first.stdout)
    reopen(db)
    again = invoke(db, tmp_path)
    assert again.exit_code == 0, again.output
    resumed = json.loads(again.stdout)
    assert resumed["run_id"] == summary["run_id"]
    assert resumed["final_equity"] == summary["final_equity"]
    assert resumed["audit_ok"]

    reopen(db)
    engine = make_engine(db)
    with engine.begin() as conn:
        iid = conn.execute(sa.text("select instrument_id from positions limit 1")).scalar_one()
        conn.execute(
            sa.text("update positions set quantity = quantity + 1 where instrument_id = :i"),
            {"i": iid},
        )
    refused = invoke(db, tmp_path)
    assert refused.exit_code == 1
    assert "cannot resume" in refused.output
    assert f"position {iid}" in refused.output
    with engine.connect() as conn:
        kinds = [r[0] for r in conn.execute(sa.text("select type from events"))]
        status = conn.execute(sa.text("select status from runs")).scalar_one()
    engine.dispose()
    assert "run.resume_refused" in kinds
    assert status == "running"  # still refused on the next try, until someone decides

    fresh = invoke(db, tmp_path, "--fresh")
    assert fresh.exit_code == 0, fresh.output
    assert json.loads(fresh.stdout)["run_id"] != summary["run_id"]


def test_a_run_owned_by_a_live_process_is_not_resumed(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'owned.db'}"
    upgrade(db)
    engine = make_engine(db)
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        import socket

        now = datetime(2026, 11, 22, tzinfo=UTC)
        SystemStateRepository(engine).put(
            "run_owner:r1", {"pid": sleeper.pid, "host": socket.gethostname()}, now
        )
        with pytest.raises(ResumeRefused, match=f"still running as process {sleeper.pid}"):
            claim(engine, "r1", now)
    finally:
        sleeper.kill()
        sleeper.wait()
    claim(engine, "r1", datetime(2026, 11, 22, 1, tzinfo=UTC))  # the owner is gone: taken over
    engine.dispose()
