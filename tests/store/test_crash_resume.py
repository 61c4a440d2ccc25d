"""The crash drill: ``ouroboros run --db URL`` killed with SIGKILL at random moments, restarted
with the same command each time, must finish the replay exactly as an uninterrupted run does.

What is compared with the uninterrupted reference run (same command, its own database):
every order (id, status, filled quantity), every fill (id, price, quantity, fee), every closed
trade, every decision, the count of each audit event type, the final cash and positions - so a
lost, duplicated or altered row anywhere fails the drill. ``ouroboros audit verify`` must be
clean afterwards. Kills land anywhere: during start-up and the run row's creation, while the
record is re-simulated on resume, between batches and inside one.

``OUROBOROS_CRASH_KILLS`` sets the number of kills (default 20, the CI minimum); the documented
longer drill runs 200 (docs/persistence.md).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from ouroboros.store import make_engine

KILLS = int(os.environ.get("OUROBOROS_CRASH_KILLS", "20"))
COMMAND = ["--days", "25", "--flush-every", "2", "--pace", "0.04", "--seed", "11"]


def ouroboros(db: str, report_dir: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "ouroboros",
        "run",
        "--db",
        db,
        "--report-dir",
        str(report_dir),
        *COMMAND,
        *extra,
    ]


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONUNBUFFERED"] = "1"
    env["COLUMNS"] = "200"
    return env


def finish(db: str, report_dir: Path) -> dict[str, Any]:
    done = subprocess.run(
        ouroboros(db, report_dir, "--json"),
        capture_output=True,
        text=True,
        env=environment(),
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    summary: dict[str, Any] = json.loads(done.stdout)
    return summary


def killed_once(db: str, report_dir: Path, rng: random.Random) -> str:
    """Start the command and SIGKILL it: at a random time, or after a random number of printed
    market-days plus a random fraction of one. Returns how it ended."""
    proc = subprocess.Popen(
        ouroboros(db, report_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=environment(),
    )
    assert proc.stdout is not None
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout or []), daemon=True)
    reader.start()
    if rng.random() < 0.3:
        deadline = time.monotonic() + rng.uniform(0.0, 8.0)
        while time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.01)
        where = "at a random time"
    else:
        steps = rng.randint(0, 40)
        while proc.poll() is None and sum(" equity " in line for line in lines) < steps:
            time.sleep(0.005)
        time.sleep(rng.uniform(0.0, 0.04))
        where = f"after {steps} market-days"
    try:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
            return f"killed {where}"
        assert proc.wait() == 0, "".join(lines)[-3000:]
        return "finished before the kill"
    finally:
        reader.join(timeout=5)
        proc.stdout.close()


def num(value: Any) -> str:
    """Decimals compare by value: PostgreSQL numerics keep trailing zeros, SQLite does not."""
    return format(Decimal(str(value)).normalize(), "f")


def record(db: str, run_id: str) -> dict[str, Any]:
    engine = make_engine(db)
    with engine.connect() as conn:

        def rows(sql: str) -> list[tuple[Any, ...]]:
            return [tuple(r) for r in conn.execute(sa.text(sql), {"r": run_id})]

        data = {
            "orders": sorted(
                (cid.split("-", 1)[1], status, num(filled))
                for cid, status, filled in rows(
                    "select client_order_id, status, filled_quantity from orders where run_id = :r"
                )
            ),
            "fills": sorted(
                (fid.split("-", 1)[1], num(price), num(qty), num(fee))
                for fid, price, qty, fee in rows(
                    "select fill_id, price, quantity, fee from fills where run_id = :r"
                )
            ),
            "trades": sorted(
                (iid, num(pnl))
                for iid, pnl in rows("select instrument_id, pnl from trades where run_id = :r")
            ),
            "decisions": len(rows("select decision_id from decision_logs where run_id = :r")),
            "events": Counter(
                t
                for (t,) in rows("select type from events where run_id = :r")
                if t != "run.resumed"
            ),
            "positions": sorted(
                (iid, num(qty))
                for iid, qty in rows(
                    "select instrument_id, quantity from positions where run_id = :r"
                )
            ),
        }
    engine.dispose()
    return data


def unfinished_cursor(db: str) -> int:
    """The cursor position of the unfinished run a restart will resume (-1: none yet)."""
    engine = make_engine(db)
    with engine.connect() as conn:
        row = conn.execute(
            sa.text("select cursor from runs where status = 'running' order by started_at desc")
        ).first()
    engine.dispose()
    if row is None:
        return -1
    cursor = row[0] if isinstance(row[0], dict) else json.loads(row[0] or "{}")
    return int((cursor or {}).get("position", 0))


def audit(db: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "ouroboros", "audit", "verify", "--db", db, "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def drill(db: str, reference_db: str, tmp_path: Path, kills: int) -> None:
    rng = random.Random(20261122)
    reference = finish(reference_db, tmp_path)
    expected = record(reference_db, reference["run_id"])
    assert expected["fills"], "the drill needs a replay that trades"
    outcomes: Counter[str] = Counter()
    cursors: list[int] = []
    while outcomes["killed"] < kills:
        outcome = killed_once(db, tmp_path, rng)
        outcomes["killed" if outcome.startswith("killed") else outcome] += 1
        if outcome.startswith("killed"):
            cursors.append(unfinished_cursor(db))
    summary = finish(db, tmp_path)  # the last restart, left to finish
    mid_run = sum(1 for c in cursors if c > 0)
    # The drill must really cut runs mid-way, not only during start-up.
    assert mid_run >= kills // 3, f"only {mid_run} of {kills} kills landed mid-run: {cursors}"
    engine = make_engine(db)
    with engine.connect() as conn:
        statuses = [tuple(r) for r in conn.execute(sa.text("select run_id, status from runs"))]
    engine.dispose()
    assert all(status == "completed" for _, status in statuses), statuses
    for run_id, _ in statuses:
        assert record(db, run_id) == expected, f"run {run_id} differs from the reference"
    assert summary["final_equity"] == reference["final_equity"]
    report = audit(db)
    assert report["ok"], report["problems"]
    print(
        f"\ncrash drill: {dict(outcomes)}; cursors at the kills {cursors}; "
        f"{len(statuses)} run(s) completed, all equal to the reference"
    )


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_sigkill_at_random_moments_loses_and_duplicates_nothing_sqlite(tmp_path: Path) -> None:
    drill(
        f"sqlite:///{tmp_path / 'drill.db'}",
        f"sqlite:///{tmp_path / 'reference.db'}",
        tmp_path,
        KILLS,
    )


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.timeout(1800)
def test_sigkill_drill_on_postgresql(pg_url: str, tmp_path: Path) -> None:
    drill(pg_url, f"sqlite:///{tmp_path / 'reference.db'}", tmp_path, max(5, KILLS // 4))
