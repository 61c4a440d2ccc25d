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
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from sqlalchemy.engine import Engine as SqlEngine

from ouroboros.domain.currency import Currency
from ouroboros.domain.money import Money
from ouroboros.engine.backtest import Resume, RunConfig, RunOutcome
from ouroboros.engine.backtest import run as run_engine
from ouroboros.engine.compose import STATIC_FX, opening_cash
from ouroboros.engine.recording import StoreSink, finish_run
from ouroboros.engine.replay import ReplayPlan
from ouroboros.engine.resume import ResumePoint, ResumeRefused, open_run, release, resume_for
from ouroboros.engine.sizing import Sizing
from ouroboros.engine.timeline import MarketFeed, StepSummary
from ouroboros.execution.order_manager import EventSink, MutableSink
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
    cash: Decimal
    """Starting cash in ``base``, deposited in the currencies the markets trade (converted
    explicitly, ``compose.opening_cash``)."""
    sizing: str
    url: str
    fresh: bool = False
    flush_every: int = 20
    base: Currency = Currency.USD
    planner: str = "quant"
    """The planner choice as typed (model, cache mode): part of the fingerprint."""


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
    deposits: tuple[Money, ...]

    @property
    def total_steps(self) -> int:
        return sum(len(f.panel.index) - f.warmup_rows for f in self.feeds)


@dataclass
class ReplayResult:
    run_id: str
    outcome: RunOutcome
    audit: AuditReport


def open_replay(
    request: ReplayRequest,
    feeds: list[MarketFeed],
    policy: DecisionPolicy,
    *,
    now: datetime,
    tee: Callable[[EventSink], EventSink] | None = None,
) -> ReplaySession:
    """Open or resume the run with the same fingerprint over ``feeds`` with ``policy`` (both
    built, and so validated, before any write), and wire the sink: the run's own breaker and
    kill switch, ``tee`` (an observer such as the console scorecard), and the playbooks and
    planner failures joining the audit trail."""
    base = request.base
    deposits = opening_cash(
        Money(request.cash, base), [i.currency for f in feeds for i in f.instruments], STATIC_FX
    )
    sizing = Sizing.parse(request.sizing)
    risk = RiskSettings.from_env()
    store = make_engine(request.url)
    upgrade(store)
    started_at = min(f.open_times[f.warmup_rows] for f in feeds)
    fingerprint = config_hash(
        request.plan,
        request.policy,
        sorted(request.params),
        f"{request.cash} {base.value}",
        request.sizing,
        request.planner,
        json.dumps(risk.model_dump(mode="json"), sort_keys=True),
    )
    run_id, point = open_run(
        store,
        config_hash=fingerprint,
        mode=RunMode.REPLAY,
        started_at=started_at,
        deposits=list(deposits),
        fresh=request.fresh,
        now=now,
    )
    config = RunConfig(
        cash=deposits[0],
        extra_cash=deposits[1:],
        base_currency=base,
        sizing=sizing,
        fx=STATIC_FX,
        run_id=run_id,
    ).with_risk(risk)
    store_sink = StoreSink(store, run_id, every_steps=request.flush_every)
    config = replace(config, safety=store_sink.safety())  # the run's breaker and kill switch
    sink = MutableSink(tee(store_sink) if tee is not None else store_sink)
    resume = resume_for(store, point, sink) if point is not None else None
    if isinstance(policy, PlaybookPolicy):
        # Every playbook the planner writes joins the audit trail (ARCHITECTURE.md §3.3).
        policy.on_playbook = lambda pb: sink.emit("playbook.created", pb.created_at, pb.to_dict())
        policy.on_planner_failure = lambda f: sink.emit("planner.failed", f.at, f.payload())
    return ReplaySession(
        run_id, store, feeds, policy, config, sink, started_at, point, resume, deposits
    )


def run_replay(
    session: ReplaySession,
    on_step: Callable[[StepSummary], None] | None = None,
    *,
    clock: Callable[[], datetime],
) -> ReplayResult:
    """Run the replay to its end, finish the run, audit it and release its ownership."""
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
    audit = verify(session.store, session.run_id)
    release(session.store, session.run_id, clock())  # this process no longer owns the run
    return ReplayResult(session.run_id, outcome, audit)


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
