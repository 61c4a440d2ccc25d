"""The composition of a recorded replay (engine/runs.py): the same request resumes the same
run; an interrupt leaves it resumable, an error fails it."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from ouroboros.engine.clock import LiveClock
from ouroboros.engine.replay import ReplayPlan
from ouroboros.engine.runs import ReplayRequest, config_hash, open_replay, run_replay
from ouroboros.engine.timeline import StepSummary
from ouroboros.store import RunRepository, RunStatus


def request(tmp_path: Path) -> ReplayRequest:
    plan = ReplayPlan(("US_NASDAQ",), 3, None, 3, 7)
    url = f"sqlite:///{tmp_path / 'runs.db'}"
    return ReplayRequest(plan, "ta", (), "100000", "fraction:0.1", url)


def test_the_fingerprint_is_the_parts_joined() -> None:
    assert config_hash("a", 1, ["x"]) == config_hash("a|1|['x']")


def test_a_replay_runs_finishes_and_audits(tmp_path: Path) -> None:
    session = open_replay(request(tmp_path), Decimal(100_000), now=LiveClock().now())
    assert session.point is None
    done = run_replay(session)
    assert done.audit.ok
    record = RunRepository(session.store).get(done.run_id)
    assert record is not None
    assert record.status is RunStatus.COMPLETED


@pytest.mark.parametrize(
    ("error", "status"),
    [(KeyboardInterrupt, RunStatus.RUNNING), (RuntimeError, RunStatus.FAILED)],
)
def test_an_interrupt_leaves_the_replay_resumable_and_an_error_fails_it(
    tmp_path: Path, error: type[BaseException], status: RunStatus
) -> None:
    session = open_replay(request(tmp_path), Decimal(100_000), now=LiveClock().now())

    def boom(_step: StepSummary) -> None:
        raise error("stop")

    with pytest.raises(error):
        run_replay(session, boom)
    record = RunRepository(session.store).get(session.run_id)
    assert record is not None
    assert record.status is status
    if status is RunStatus.RUNNING:  # the same request picks the run up again
        again = open_replay(request(tmp_path), Decimal(100_000), now=LiveClock().now())
        assert again.run_id == session.run_id
