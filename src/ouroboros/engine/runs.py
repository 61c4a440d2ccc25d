"""The composition of a recorded run, shared by replays and broker sessions.

Every recorded run goes through the same steps: a fingerprint of everything that shapes it
(:func:`config_hash`), a run row opened or resumed and claimed by this process
(:func:`~ouroboros.engine.resume.open_run`), a batched store sink, the engine, and a finish that
marks the run COMPLETED or FAILED and audits it (:func:`recorded`). :func:`open_replay` and
:func:`run_replay` compose the offline replay behind ``ouroboros run``; the broker session
(:mod:`.broker_session`) uses :func:`config_hash` and :func:`recorded` around its own
reconciliation. The CLI only parses options and prints.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy.engine import Engine as SqlEngine

from ouroboros.domain.currency import Currency
from ouroboros.domain.money import Money
from ouroboros.engine.backtest import Resume, RunConfig, RunOutcome
from ouroboros.engine.backtest import run as run_engine
from ouroboros.engine.compose import STATIC_FX, split_cash
from ouroboros.engine.policies import make_policy, parse_params
from ouroboros.engine.recording import StoreSink, finish_run
from ouroboros.engine.replay import ReplayPlan, replay_feeds
from ouroboros.engine.resume import ResumePoint, ResumeRefused, open_run, resume_for
from ouroboros.engine.sizing import Sizing
from ouroboros.engine.timeline import MarketFeed, StepSummary
from ouroboros.execution.order_manager import MutableSink
from ouroboros.risk import RiskSettings
from ouroboros.store import AuditReport, RunMode, make_engine, upgrade, verify
from ouroboros.strategy.base import DecisionPolicy
from ouroboros.strategy.playbook.policy import PlaybookPolicy


def config_hash(*parts: object) -> str:
    """The fingerprint of a run: the same command (same parts) resumes the same run."""
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()


class Finish:
    """Where a recorded run ends: ``at`` moves as the run goes (the last equity point)."""

    def __init__(self, at: datetime) -> None:
        self.at = at
        self.ok = True


@contextmanager
def recorded(
    store: SqlEngine, run_id: str, started_at: datetime, *, interrupt_fails: bool = False
) -> Iterator[Finish]:
    """Mark the run FAILED if the body raises, else finished at ``finish.at`` with
    ``finish.ok``. A refused resume leaves the run unfinished (nothing new was written), and
    so does an interrupt (Ctrl-C) unless ``interrupt_fails``: the same command resumes a
    replay; a broker session, which never resumes, fails."""
    finish = Finish(started_at)
    failing: tuple[type[BaseException], ...] = (BaseException,) if interrupt_fails else (Exception,)
    try:
        yield finish
    except ResumeRefused:
        raise
    except failing:
        finish_run(store, run_id, started_at, ok=False)
        raise
    finish_run(store, run_id, finish.at, ok=finish.ok)


@dataclass(frozen=True)
class ReplayRequest:
    """What ``ouroboros run`` asks for, as typed (the fingerprint takes it verbatim)."""

    plan: ReplayPlan
    policy: str
    params: Sequence[str]
    cash: str
    """Starting cash in ``base``, split equally across the currencies the markets trade."""
    sizing: str
    url: str
    fresh: bool = False
    flush_every: int = 20
    base: Currency = Currency.USD


@dataclass
class ReplaySession:
    """A replay ready to run: its run row is open (new or resumed) and claimed."""

    run_id: str
    store: SqlEngine
    feeds: list[MarketFeed]
    policy: DecisionPolicy
    config: RunConfig
    sink: MutableSink
    started_at: datetime
    point: ResumePoint | None
    resume: Resume | None

    @property
    def total_steps(self) -> int:
        return sum(len(f.panel.index) - f.warmup_rows for f in self.feeds)


@dataclass
class ReplayResult:
    run_id: str
    outcome: RunOutcome
    audit: AuditReport


def open_replay(request: ReplayRequest, cash: Decimal, *, now: datetime) -> ReplaySession:
    """Load the feeds, build the policy (bad input fails before any write), open or resume
    the run with the same fingerprint, and wire the sink (playbooks and planner failures join
    the audit trail)."""
    feeds = replay_feeds(request.plan)
    policy = make_policy(request.policy, parse_params(list(request.params)))
    currencies = sorted({i.currency for f in feeds for i in f.instruments}, key=lambda c: c.value)
    base = request.base
    ordered = [base, *[c for c in currencies if c is not base]]
    start_cash, extra = split_cash(Money(cash, base), ordered)
    sizing = Sizing.parse(request.sizing)
    risk = RiskSettings.from_env()
    store = make_engine(request.url)
    upgrade(store)
    started_at = min(f.open_times[f.warmup_rows] for f in feeds)
    fingerprint = config_hash(
        request.plan,
        request.policy,
        sorted(request.params),
        request.cash,
        request.sizing,
        json.dumps(risk.model_dump(mode="json"), sort_keys=True),
    )
    run_id, point = open_run(
        store,
        config_hash=fingerprint,
        mode=RunMode.REPLAY,
        started_at=started_at,
        deposits=[start_cash, *extra],
        fresh=request.fresh,
        now=now,
    )
    config = RunConfig(
        cash=start_cash, extra_cash=extra, sizing=sizing, fx=STATIC_FX, run_id=run_id
    ).with_risk(risk)
    sink = MutableSink(StoreSink(store, run_id, every_steps=request.flush_every))
    resume = resume_for(store, point, sink) if point is not None else None
    if isinstance(policy, PlaybookPolicy):
        # Every playbook the planner writes joins the audit trail (ARCHITECTURE.md §3.3).
        policy.on_playbook = lambda pb: sink.emit("playbook.created", pb.created_at, pb.to_dict())
        policy.on_planner_failure = lambda f: sink.emit("planner.failed", f.at, f.payload())
    return ReplaySession(run_id, store, feeds, policy, config, sink, started_at, point, resume)


def run_replay(
    session: ReplaySession, on_step: Callable[[StepSummary], None] | None = None
) -> ReplayResult:
    """Run the replay to its end, finish the run and audit it."""
    with recorded(session.store, session.run_id, session.started_at) as finish:
        outcome = run_engine(
            session.feeds,
            session.policy,
            session.config,
            sink=session.sink,
            on_step=on_step,
            resume=session.resume,
        )
        finish.at = outcome.result.equity_times[-1]
    return ReplayResult(session.run_id, outcome, verify(session.store, session.run_id))


__all__ = [
    "Finish",
    "ReplayRequest",
    "ReplayResult",
    "ReplaySession",
    "config_hash",
    "open_replay",
    "recorded",
    "run_replay",
]
