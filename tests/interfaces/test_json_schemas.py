"""Every command's ``--json`` output validates against its JSON Schema in the repo
(``src/ouroboros/interfaces/cli/schemas``), on success and on failure."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from ouroboros.interfaces.cli.app import app

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "src" / "ouroboros" / "interfaces" / "cli" / "schemas"
GOOD = (
    "date,open,high,low,close,volume\n"
    "2024-01-02,10,11,9,10.5,1000\n2024-01-03,10.5,11,10,10.8,900\n"
)
BAD = "date,open,high,low,close,volume\n2024-01-02,10,9,11,10.5,-5\n"


def schema(name: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((SCHEMAS / f"{name}.json").read_text())
    jsonschema.Draft202012Validator.check_schema(doc)
    return doc


def invoke(*args: str, code: int = 0) -> dict[str, Any]:
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == code, result.output
    doc: dict[str, Any] = json.loads(result.stdout)  # exactly one object, nothing else
    return doc


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("json")


@pytest.fixture(scope="module")
def db(workdir: Path) -> str:
    return f"sqlite:///{workdir / 'state.db'}"


Case = tuple[str, Callable[[Path, str], list[str]], int]
CASES: list[Case] = [
    ("version", lambda _w, _d: ["version"], 0),
    ("markets", lambda _w, _d: ["markets", "--at", "2026-11-27T17:30:00Z"], 0),
    ("db-upgrade", lambda _w, d: ["db", "upgrade", "--db", d], 0),
    ("db-status", lambda _w, d: ["db", "status", "--db", d], 0),
    (
        "run",
        lambda w, d: [
            "run",
            "--markets",
            "US_NASDAQ,KR",
            "--days",
            "2",
            "--symbols",
            "2",
            "--db",
            d,
            "--report-dir",
            str(w / "reports"),
        ],
        0,
    ),
    ("audit-verify", lambda _w, d: ["audit", "verify", "--db", d], 0),
    (
        "backtest",
        lambda w, _d: [
            "backtest",
            "--data",
            "bundled:AAPL",
            "--start",
            "2012-01-01",
            "--report",
            str(w / "bt.html"),
        ],
        0,
    ),
    ("data-list", lambda w, _d: ["data", "list", "--store", str(w / "bars")], 0),
    (
        "data-import",
        lambda w, _d: [
            "data",
            "import",
            str(w / "AAPL.csv"),
            "--market",
            "US_NASDAQ",
            "--store",
            str(w / "bars"),
        ],
        0,
    ),
    ("data-validate", lambda w, _d: ["data", "validate", str(w / "AAPL.csv")], 0),
    ("data-validate", lambda w, _d: ["data", "validate", str(w / "BAD.csv"), "--market", "KR"], 2),
    (
        "data-generate",
        lambda w, _d: [
            "data",
            "generate",
            "--out",
            str(w / "gen"),
            "--markets",
            "KR",
            "--days",
            "5",
            "--symbols",
            "2",
        ],
        0,
    ),
    ("error", lambda _w, _d: ["backtest", "--sizing", "fixed:1.5"], 2),
    ("error", lambda w, _d: ["db", "status", "--db", f"sqlite:///{w / 'missing.db'}"], 2),
    ("error", lambda _w, _d: ["run", "--markets", "MOON"], 2),
]


@pytest.mark.parametrize(
    ("name", "args", "code"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
def test_output_validates_against_the_schema(
    name: str, args: Callable[[Path, str], list[str]], code: int, workdir: Path, db: str
) -> None:
    (workdir / "AAPL.csv").write_text(GOOD)
    (workdir / "BAD.csv").write_text(BAD)
    doc = invoke(*args(workdir, db), code=code)
    jsonschema.validate(doc, schema(name))
    assert doc["ok"] is (code == 0)
    if code:
        jsonschema.validate(doc, schema("error"))
        assert doc["error"]["exit_code"] == code


def test_validate_says_when_no_calendar_check_ran(workdir: Path) -> None:
    (workdir / "AAPL.csv").write_text(GOOD)
    doc = invoke("data", "validate", str(workdir / "AAPL.csv"))
    assert doc["calendar_checked"] is False
    assert "--market" in doc["note"]
    checked = invoke("data", "validate", str(workdir / "AAPL.csv"), "--market", "US_NASDAQ")
    assert checked["calendar_checked"] is True
    assert checked["note"] is None


def test_kis_sandbox_prints_one_object_then_serves(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = str(probe.getsockname()[1])
    proc = subprocess.Popen(
        [sys.executable, "-m", "ouroboros", "kis-sandbox", "--port", port, "--tick", "0", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        text = ""
        while True:  # read until the object is complete (it is printed before serving)
            line = proc.stdout.readline()
            assert line, "the sandbox exited before printing its JSON"
            text += line
            if line.rstrip() == "}":
                break
        doc = json.loads(text)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        if proc.stdout is not None:
            proc.stdout.close()
    jsonschema.validate(doc, schema("kis-sandbox"))
    assert doc["base_url"].startswith("http://127.0.0.1:")


def test_every_command_has_a_schema_and_every_schema_is_tested() -> None:
    tested = {c[0] for c in CASES} | {"kis-sandbox", "run-broker"}
    assert {p.stem for p in SCHEMAS.glob("*.json")} == tested
