"""A real store written by real ``ouroboros run`` processes, built once per test session.

Two small runs (3 days, 3 symbols): the default playbook policy ending 2013-02-28 (playbooks
recorded) and the TA policy ending 2013-03-01, the last day of the bundled US data (orders, a
fill, decisions; the latest run).
Tests that change state get their own copy.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from ouroboros.store import make_engine

RUNS = (("playbook", "2013-02-28"), ("ta", "2013-03-01"))
_built: dict[str, Path] = {}


def _run(db: Path, policy: str, end: str, reports: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2] / "src")}
    cmd = [
        sys.executable,
        "-m",
        "ouroboros",
        "run",
        "--days",
        "3",
        "--symbols",
        "3",
        "--policy",
        policy,
        "--end",
        end,
        "--db",
        f"sqlite:///{db}",
        "--report-dir",
        str(reports),
        "--json",
    ]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300, check=False)
    if done.returncode != 0:
        pytest.fail(f"ouroboros run --policy {policy} failed: {done.stderr[-2000:]}")


def session_store(factory: pytest.TempPathFactory) -> Path:
    """The path of the session's run-written SQLite file (built on first use)."""
    if "db" not in _built:
        root = factory.mktemp("run-store")
        db = root / "run.db"
        for policy, end in RUNS:
            _run(db, policy, end, root / "reports")
        _built["db"] = db
    return _built["db"]


def copy_store(factory: pytest.TempPathFactory, dest: Path) -> str:
    """A private copy of the session store; returns its URL."""
    target = dest / "store.db"
    shutil.copyfile(session_store(factory), target)
    return f"sqlite:///{target}"


class FakeClock:
    def __init__(self, start: datetime) -> None:
        self.t = start

    def now(self) -> datetime:
        return self.t


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 12, 4, 9, 0, tzinfo=UTC))


@pytest.fixture
def store(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(copy_store(tmp_path_factory, tmp_path))
    yield engine
    engine.dispose()
