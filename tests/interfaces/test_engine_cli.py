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
