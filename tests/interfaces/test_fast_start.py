"""Fast start without timing anything: ``--help`` and ``markets`` must not import the heavy
libraries (pandas, SQLAlchemy, the engine), and help shows flags as flags. The start-up times
themselves are measured by ``bench/bench_startup.py``, never asserted."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ouroboros.interfaces.cli.app import LAZY, app

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("pandas", "sqlalchemy", "exchange_calendars", "ouroboros.engine", "ouroboros.store")
PROBE = """
import sys
from ouroboros.interfaces.cli.app import main
try:
    main({args!r})
except SystemExit:
    pass
print("HEAVY:" + ",".join(sorted(m for m in {heavy!r} if m in sys.modules)))
"""


def imported_after(args: list[str], tmp_path: Path) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "OUROBOROS_CACHE_DIR": str(tmp_path)}
    code = PROBE.format(args=args, heavy=HEAVY)
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    marker = [line for line in done.stdout.splitlines() if line.startswith("HEAVY:")]
    return marker[-1].removeprefix("HEAVY:")


def test_help_imports_nothing_heavy(tmp_path: Path) -> None:
    assert imported_after(["--help"], tmp_path) == ""


def test_markets_warm_imports_nothing_heavy(tmp_path: Path) -> None:
    at = ["markets", "--at", "2026-11-27T17:30:00Z"]
    imported_after(at, tmp_path)  # cold: builds the calendars and fills the cache
    assert imported_after(at, tmp_path) == ""  # warm: arrays from the disk cache


@pytest.mark.parametrize("command", [["db", "status"], ["run"], ["backtest"], ["markets"]])
def test_help_shows_flags_as_flags(command: list[str]) -> None:
    result = CliRunner().invoke(app, [*command, "--help"])
    assert result.exit_code == 0
    assert "--json" in result.stdout
    assert "<bool>" not in result.stdout
    assert "BOOLEAN" not in result.stdout


def test_the_command_table_lists_every_module_command() -> None:
    listing = CliRunner().invoke(app, ["--help"]).stdout
    for name, (_module, _attr, short) in LAZY.items():
        assert name in listing
        assert short.split(":")[0] in listing
