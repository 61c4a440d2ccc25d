"""``ouroboros backtest`` and ``ouroboros run`` end to end, as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from ouroboros.interfaces.cli.app import app

OUROBOROS = str(Path(sys.executable).with_name("ouroboros"))


def test_backtest_json_has_the_documented_keys_and_writes_a_report(tmp_path: Path) -> None:
    report = tmp_path / "bt.html"
    result = CliRunner().invoke(
        app,
        [
            "backtest",
            "--data",
            "bundled:AAPL",
            "--strategy",
            "sma-cross",
            "--param",
            "fast=10",
            "--param",
            "slow=30",
            "--sizing",
            "all_in",
            "--commission",
            "0.002",
            "--json",
            "--report",
            str(report),
        ],
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    for key in (
        "trades",
        "final_equity",
        "return_pct",
        "max_drawdown_pct",
        "sharpe",
        "win_rate_pct",
        "bars",
        "symbols",
        "elapsed_s",
        "load_s",
    ):
        assert key in payload
    assert payload["symbols"] == 1
    assert payload["trades"] > 0
    html = report.read_text()
    assert "<svg" in html
    assert "http" not in html.replace("http-equiv", "")  # opens from disk, nothing fetched


def test_backtest_rejects_unknown_strategy_params_by_name() -> None:
    result = CliRunner().invoke(
        app, ["backtest", "--data", "bundled:AAPL", "--strategy", "sma-cross", "--param", "speed=3"]
    )
    assert result.exit_code == 2
    assert "unknown --param speed" in result.output


def test_run_replays_several_markets_offline_and_leaves_a_report(tmp_path: Path) -> None:
    completed = subprocess.run(
        [
            OUROBOROS,
            "run",
            "--days",
            "5",
            "--symbols",
            "6",
            "--json",
            "--report-dir",
            str(tmp_path),
            "--db",
            f"sqlite:///{tmp_path}/state.db",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    summary = json.loads(completed.stdout)
    assert set(summary["markets"]) == {"KR", "US_NASDAQ", "JP"}
    for key in ("trades", "final_equity", "return_pct", "max_drawdown_pct", "days", "report"):
        assert key in summary
    assert Path(summary["report"]).exists()
    assert summary["audit_ok"] is True
    assert (tmp_path / "state.db").exists()


def test_an_in_memory_database_warns_that_nothing_persists(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["run", "--markets", "US_NASDAQ", "--days", "2", "--db", "sqlite://",
         "--report-dir", str(tmp_path)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "in-memory database: nothing persists" in " ".join(result.stderr.split())


def test_reports_of_two_runs_on_the_same_dates_do_not_collide(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'state.db'}"
    for markets in ("US_NASDAQ", "US_NASDAQ,KR"):
        result = CliRunner().invoke(
            app,
            ["run", "--markets", markets, "--days", "2", "--symbols", "2", "--db", db,
             "--report-dir", str(tmp_path / "r")],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
    reports = sorted((tmp_path / "r").glob("*.html"))
    assert len(reports) == 2
    for report in reports:
        text = report.read_text()
        run_id = report.stem.rsplit("-", 1)[-1]
        assert run_id in text  # the report shows its run id and settings
        assert "base currency" in text
        assert "fixed rates" in text


def test_backtest_cash_is_in_the_base_currency_not_the_first_alphabetically() -> None:
    result = CliRunner().invoke(
        app,
        ["backtest", "--data", "synthetic:markets=KR,US_NASDAQ,symbols=2,days=60,seed=1",
         "--cash", "10000", "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["currency"] == "USD"
    assert doc["synthetic"] is True
    deposits = {d["currency"]: d["amount"] for d in doc["deposits"]}
    assert deposits == {"KRW": "7000000", "USD": "5000.00"}  # 10,000 USD, not 10,000 won
    assert float(doc["final_equity"]) > 5000


def test_elapsed_s_is_the_commands_whole_duration() -> None:
    result = CliRunner().invoke(app, ["backtest", "--data", "bundled:AAPL", "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["elapsed_s"] >= doc["engine_s"] + doc["load_s"]  # loading and the engine inside


def test_a_finished_run_releases_its_ownership(tmp_path: Path) -> None:
    import sqlite3

    db = tmp_path / "state.db"
    result = CliRunner().invoke(
        app,
        ["run", "--markets", "US_NASDAQ", "--days", "2", "--db", f"sqlite:///{db}",
         "--report-dir", str(tmp_path), "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    run_id = json.loads(result.stdout)["run_id"]
    with sqlite3.connect(db) as conn:
        (value,) = conn.execute(
            "SELECT value FROM system_state WHERE key = ?", (f"run_owner:{run_id}",)
        ).fetchone()
    assert json.loads(value)["pid"] is None
