"""The composition of a recorded replay (engine/runs.py): the same request resumes the same
run; an interrupt leaves it resumable, an error fails it."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from ouroboros.engine.clock import LiveClock
from ouroboros.engine.policies import make_policy
from ouroboros.engine.replay import ReplayPlan, replay_feeds
from ouroboros.engine.runs import (
    ReplayRequest,
    ReplaySession,
    config_hash,
    open_replay,
    run_replay,
)
from ouroboros.engine.timeline import StepSummary
from ouroboros.store import RunRepository, RunStatus


def request(tmp_path: Path) -> ReplayRequest:
    plan = ReplayPlan(("US_NASDAQ",), 3, None, 3, 7)
    url = f"sqlite:///{tmp_path / 'runs.db'}"
    return ReplayRequest(plan, "ta", (), Decimal(100_000), "fraction:0.1", url)


def opened(tmp_path: Path) -> ReplaySession:
    plan = request(tmp_path)
    feeds = replay_feeds(plan.plan)
    return open_replay(plan, feeds, make_policy("ta", {}), now=LiveClock().now())


def test_the_fingerprint_is_the_parts_joined() -> None:
    assert config_hash("a", 1, ["x"]) == config_hash("a|1|['x']")


def test_a_replay_runs_finishes_and_audits(tmp_path: Path) -> None:
    session = opened(tmp_path)
    assert session.point is None
    done = run_replay(session, clock=LiveClock().now)
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
    session = opened(tmp_path)

    def boom(_step: StepSummary) -> None:
        raise error("stop")

    with pytest.raises(error):
        run_replay(session, boom, clock=LiveClock().now)
    record = RunRepository(session.store).get(session.run_id)
    assert record is not None
    assert record.status is status
    if status is RunStatus.RUNNING:  # the same request picks the run up again
        again = opened(tmp_path)
        assert again.run_id == session.run_id
