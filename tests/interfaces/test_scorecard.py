"""The console scorecard of ``ouroboros run``: every fill of the day counted (fills at the
open included), the run's base currency, each market's own move, and breaker trips."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ouroboros.interfaces.cli.app import app

LINE = re.compile(
    r"^\d{4}-\d\d-\d\d (\S+)\s+equity\s+[\d,.]+ (\w{3}) .* market (\S+)\s+fills (\d+)$"
)


def test_scorecard_counts_every_fill_and_prints_breaker_trips(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAX_LOSS_PCT", "0.05")  # a tiny daily loss limit: the breaker trips
    db = tmp_path / "state.db"
    result = CliRunner().invoke(
        app,
        [
            "run", "--markets", "KR,US_NASDAQ", "--days", "20", "--symbols", "5",
            "--db", f"sqlite:///{db}", "--report-dir", str(tmp_path / "r"),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = [m for m in map(LINE.match, result.stdout.splitlines()) if m]
    assert lines
    assert {m.group(1) for m in lines} == {"KR", "US_NASDAQ"}
    assert {m.group(2) for m in lines} == {"USD"}
    moves = {m.group(3) for m in lines}
    assert len(moves) > 2  # each market's own day change, not one account figure
    with sqlite3.connect(db) as conn:
        (stored,) = conn.execute("SELECT count(*) FROM fills").fetchone()
    assert stored > 0
    assert sum(int(m.group(4)) for m in lines) == stored  # fills at the open are counted too
    assert "breaker tripped" in result.stdout
