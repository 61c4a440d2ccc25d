"""Bad inputs and faults through the real command line (a subprocess per case).

Every case asserts the contract of the error boundary (README "Exit codes"): exactly one line
on stderr, no traceback, the documented exit code, the input named in the message, and
nothing half-written. Cases that need a small or read-only file system mount a tmpfs, which
needs root; elsewhere they fall back to file modes or skip with the reason.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
SETPRIV = shutil.which("setpriv")
RUN_FAST = ["--markets", "US_NASDAQ", "--days", "2", "--symbols", "2"]


def cli(
    *args: str, cwd: Path, as_nobody: bool = False, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "COLUMNS": "200"}
    env.pop("OUROBOROS_DEBUG", None)
    env.pop("OUROBOROS_DB_URL", None)
    command = [sys.executable, "-m", "ouroboros", *args]
    if as_nobody:
        assert SETPRIV is not None
        command = [SETPRIV, "--reuid=65534", "--regid=65534", "--clear-groups", *command]
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def assert_one_line_failure(
    proc: subprocess.CompletedProcess[str], code: int, *needles: str
) -> None:
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert proc.returncode == code, (proc.returncode, proc.stdout[-2000:], proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr + proc.stdout
    assert len(lines) == 1, proc.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


def _mount_tmpfs(path: Path, options: str) -> None:
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], check=True)


@pytest.fixture
def small_fs(tmp_path: Path) -> Iterator[Path]:
    """A nearly full 256 KiB file system (tmpfs; needs root)."""
    if not IS_ROOT or shutil.which("mount") is None:
        pytest.skip("a small file system needs root to mount a tmpfs")
    mount = tmp_path / "small"
    try:
        _mount_tmpfs(mount, "size=256k")
    except subprocess.CalledProcessError:
        pytest.skip("mounting a tmpfs is not permitted here")
    try:
        filler = mount / "filler"
        with filler.open("wb") as out, contextlib.suppress(OSError):
            out.write(b"\0" * (256 * 1024))
        # leave a few KiB free: enough to start a file, not to finish one
        filler.write_bytes(filler.read_bytes()[: -12 * 1024])
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.fixture
def read_only_dir(tmp_path: Path) -> Iterator[Path]:
    """A folder nothing can be written to: a read-only tmpfs as root, mode 0555 otherwise."""
    folder = tmp_path / "ro"
    if IS_ROOT and shutil.which("mount") is not None:
        try:
            _mount_tmpfs(folder, "ro,size=64k")
        except subprocess.CalledProcessError:
            pytest.skip("mounting a read-only tmpfs is not permitted here")
        try:
            yield folder
        finally:
            subprocess.run(["umount", "-l", str(folder)], check=False)
        return
    folder.mkdir()
    folder.chmod(0o555)
    yield folder
    folder.chmod(0o755)


@dataclass
class Case:
    name: str
    args: Callable[[Path], list[str]]
    code: int
    needles: tuple[str, ...] = ()
    setup: Callable[[Path], None] = lambda _p: None
    untouched: Callable[[Path], None] = lambda _p: None
    """Asserts that nothing was half-written."""
    extra: dict[str, object] = field(default_factory=dict)


def _no_reports(tmp: Path) -> None:
    assert not list(tmp.rglob("*.html")), list(tmp.rglob("*.html"))
    assert not list(tmp.rglob("*.tmp")), list(tmp.rglob("*.tmp"))


def _garbage(tmp: Path) -> None:
    (tmp / "notes.db").write_text("these are my notes, not a database\n")


def _garbage_untouched(tmp: Path) -> None:
    assert (tmp / "notes.db").read_text() == "these are my notes, not a database\n"


def _empty_csv(tmp: Path) -> None:
    (tmp / "empty.csv").write_text("")


def _header_only_csv(tmp: Path) -> None:
    (tmp / "AAPL.csv").write_text("date,open,high,low,close,volume\n")


def _db_missing_table(tmp: Path) -> None:
    proc = cli("db", "upgrade", "--db", f"sqlite:///{tmp / 'hole.db'}", cwd=tmp)
    assert proc.returncode == 0, proc.stderr
    with sqlite3.connect(tmp / "hole.db") as conn:
        conn.execute("DROP TABLE fills")


CASES = [
    Case(
        "not-a-database/db-status",
        lambda t: ["db", "status", "--db", f"sqlite:///{t / 'notes.db'}"],
        2,
        ("--db sqlite:///", "not a database"),
        _garbage,
        _garbage_untouched,
    ),
    Case(
        "not-a-database/run",
        lambda t: ["run", *RUN_FAST, "--db", f"sqlite:///{t / 'notes.db'}", "--report-dir", str(t)],
        2,
        ("not a database",),
        _garbage,
        lambda t: (_garbage_untouched(t), _no_reports(t)),
    ),
    Case(
        "missing-table/db-status",
        lambda t: ["db", "status", "--db", f"sqlite:///{t / 'hole.db'}"],
        2,
        ("missing", "fills"),
        _db_missing_table,
    ),
    Case(
        "missing-table/db-upgrade",
        lambda t: ["db", "upgrade", "--db", f"sqlite:///{t / 'hole.db'}"],
        2,
        ("missing", "fills"),
        _db_missing_table,
    ),
    Case(
        "missing-file/db-status",
        lambda t: ["db", "status", "--db", f"sqlite:///{t / 'nowhere.db'}"],
        2,
        ("no database at",),
        untouched=lambda t: None if not (t / "nowhere.db").exists() else pytest.fail("created"),
    ),
    Case(
        "unreachable-server",
        lambda _t: ["db", "status", "--db", "postgresql://trader:s3cret@127.0.0.1:1/ouroboros"],
        3,
        ("unreachable", "***"),
    ),
    Case(
        "unreachable-server/run",
        lambda t: [
            "run",
            *RUN_FAST,
            "--db",
            "postgresql://trader:s3cret@127.0.0.1:1/x",
            "--report-dir",
            str(t),
        ],
        3,
        ("--db postgresql://trader:***@127.0.0.1:1/x",),
        untouched=_no_reports,
    ),
    Case("overflow/cash", lambda _t: ["run", "--cash", "1e400"], 2, ("--cash", "1e400")),
    Case(
        "overflow/synthetic-days",
        lambda _t: ["backtest", "--data", "synthetic:days=99999999"],
        2,
        ("synthetic", "days", "99999999"),
    ),
    Case(
        "overflow/markets-at",
        lambda _t: ["markets", "--at", "9999-12-31T23:59:59Z"],
        2,
        ("--at",),
    ),
    Case("overflow/port", lambda _t: ["kis-sandbox", "--port", "99999"], 2, ("--port",)),
    Case(
        "range/commission",
        lambda _t: ["backtest", "--commission", "-0.01"],
        2,
        ("--commission", "-0.01"),
    ),
    Case("range/slippage", lambda _t: ["backtest", "--slippage", "-1"], 2, ("--slippage",)),
    Case("range/spread", lambda _t: ["backtest", "--spread", "2"], 2, ("--spread",)),
    Case(
        "range/sizing", lambda _t: ["backtest", "--sizing", "fixed:1.99"], 2, ("--sizing", "1.99")
    ),
    Case(
        "range/param",
        lambda _t: ["backtest", "--param", "fast=2.5"],
        2,
        ("--param fast", "whole number"),
    ),
    Case("range/days", lambda _t: ["run", "--days", "0"], 2, ("--days",)),
    Case(
        "range/markets",
        lambda _t: ["run", "--markets", "KR,MOON"],
        2,
        ("--markets", "MOON", "US_NASDAQ"),
    ),
    Case(
        "dates/invalid", lambda _t: ["backtest", "--end", "2013-13-45"], 2, ("--end", "2013-13-45")
    ),
    Case(
        "dates/start-after-end",
        lambda _t: ["backtest", "--start", "2013-02-01", "--end", "2013-01-01"],
        2,
        ("--start", "after --end"),
    ),
    Case(
        "dates/end-after-data",
        lambda _t: ["backtest", "--end", "2030-01-01"],
        2,
        ("--end 2030-01-01", "last session"),
    ),
    Case(
        "dates/run-end-after-data",
        lambda t: ["run", "--end", "2030-01-01", "--days", "3", "--db", f"sqlite:///{t / 'x.db'}"],
        2,
        ("--end 2030-01-01",),
        untouched=lambda t: None if not (t / "x.db").exists() else pytest.fail("db created"),
    ),
    Case(
        "empty/backtest",
        lambda t: ["backtest", "--data", str(t / "empty.csv"), "--market", "US_NASDAQ"],
        2,
        ("empty.csv", "empty"),
        _empty_csv,
    ),
    Case(
        "empty/validate",
        lambda t: ["data", "validate", str(t / "AAPL.csv"), "--market", "US_NASDAQ"],
        2,
        ("AAPL.csv", "no bars"),
        _header_only_csv,
    ),
    Case(
        "missing/data-file",
        lambda t: ["backtest", "--data", str(t / "absent.csv")],
        2,
        ("absent.csv",),
    ),
    Case(
        "bad-option",
        lambda _t: ["backtest", "--no-such-option"],
        2,
        ("--no-such-option", "ouroboros backtest --help"),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_failure_is_one_line_with_its_exit_code(case: Case, tmp_path: Path) -> None:
    case.setup(tmp_path)
    proc = cli(*case.args(tmp_path), cwd=tmp_path)
    assert_one_line_failure(proc, case.code, *case.needles)
    case.untouched(tmp_path)


@pytest.mark.parametrize(
    "case", CASES[:4] + CASES[7:9], ids=[c.name for c in CASES[:4] + CASES[7:9]]
)
def test_json_failure_is_one_object_on_stdout(case: Case, tmp_path: Path) -> None:
    case.setup(tmp_path)
    proc = cli(*case.args(tmp_path), "--json", cwd=tmp_path)
    assert proc.returncode == case.code
    doc = json.loads(proc.stdout)
    assert doc["ok"] is False
    assert doc["error"]["exit_code"] == case.code
    assert set(doc["error"]) == {"code", "exit_code", "message"}


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    _garbage(tmp_path)
    proc = cli(
        "--debug", "db", "status", "--db", f"sqlite:///{tmp_path / 'notes.db'}", cwd=tmp_path
    )
    assert proc.returncode != 0
    assert "Traceback" in proc.stderr


def test_permission_denied_names_the_file(tmp_path: Path) -> None:
    data = tmp_path / "secret" / "AAPL.csv"
    data.parent.mkdir()
    data.write_text("date,open,high,low,close,volume\n2024-01-02,1,1,1,1,1\n")
    data.chmod(0o000)
    data.parent.chmod(0o700)
    if IS_ROOT and SETPRIV is None:
        pytest.skip("root reads every file and setpriv is missing to drop privileges")
    proc = cli(
        "backtest", "--data", str(data), "--market", "US_NASDAQ", cwd=Path("/"), as_nobody=IS_ROOT
    )
    assert_one_line_failure(proc, 2, "permission denied")


def test_read_only_folder_for_the_database(read_only_dir: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{read_only_dir / 'state.db'}"
    proc = cli("run", *RUN_FAST, "--db", url, "--report-dir", str(tmp_path / "r"), cwd=tmp_path)
    assert_one_line_failure(proc, 2, "--db")
    assert not list(read_only_dir.iterdir())
    _no_reports(tmp_path)


def test_disk_full_database(small_fs: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{small_fs / 'state.db'}"
    proc = cli("run", *RUN_FAST, "--db", url, "--report-dir", str(tmp_path / "r"), cwd=tmp_path)
    assert_one_line_failure(proc, 1, "--db", "disk")  # SQLite says "disk I/O error" or "full"
    _no_reports(tmp_path)


def test_disk_full_report_keeps_the_summary(small_fs: Path, tmp_path: Path) -> None:
    report = small_fs / "report.html"
    proc = cli("backtest", "--report", str(report), "--json", cwd=tmp_path)
    assert_one_line_failure(proc, 1, "report not written", "--report", "no space left")
    doc = json.loads(proc.stdout)
    assert doc["ok"] is False
    assert doc["trades"] > 0
    assert doc["report"] is None
    assert not report.exists()
    assert not (small_fs / "report.html.tmp").exists()


def test_report_dir_that_is_a_file_keeps_the_run(tmp_path: Path) -> None:
    blocker = tmp_path / "reports"
    blocker.write_text("a file where the report folder should be")
    url = f"sqlite:///{tmp_path / 'state.db'}"
    proc = cli("run", *RUN_FAST, "--db", url, "--report-dir", str(blocker), cwd=tmp_path)
    assert_one_line_failure(proc, 1, "report not written", "--report-dir")
    assert "done:" in proc.stdout  # the summary is kept
    audit = cli("audit", "verify", "--db", url, cwd=tmp_path)
    assert audit.returncode == 0, audit.stdout  # the run itself completed and audits clean


def test_locked_database(tmp_path: Path) -> None:
    """SQLite waits out its busy timeout (10 s) before giving up: the one slow case."""
    url = f"sqlite:///{tmp_path / 'busy.db'}"
    assert cli("db", "upgrade", "--db", url, cwd=tmp_path).returncode == 0
    holder = sqlite3.connect(tmp_path / "busy.db", isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        proc = cli("run", *RUN_FAST, "--db", url, "--report-dir", str(tmp_path / "r"), cwd=tmp_path)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert_one_line_failure(proc, 1, "locked")
    _no_reports(tmp_path)


def test_ctrl_c_is_exit_130_in_one_line(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "COLUMNS": "200"}
    url = f"sqlite:///{tmp_path / 'state.db'}"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ouroboros",
            "run",
            *RUN_FAST[:2],
            "--days",
            "30",
            "--pace",
            "0.5",
            "--db",
            url,
            "--report-dir",
            str(tmp_path / "r"),
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    proc.stdout.readline()  # the first scorecard line: the run is under way
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    lines = [line for line in err.splitlines() if line.strip()]
    assert proc.returncode == 130, (out, err)
    assert lines == ["interrupted"], err
    assert "Traceback" not in err
