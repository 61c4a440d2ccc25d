"""The agent's jobs as data: derived from the day plans and the settings, clock-free.

A :class:`JobBook` holds every job of the enabled markets over a rolling horizon (yesterday to
``horizon_days`` ahead, per market's local date) plus the periodic jobs, and answers the three
questions a runtime asks:

* ``catch_up(now)`` at start: for every day job that should already have run and is not in the
  journal, RUN it once now if its market is still in the window it serves, else SKIP it with a
  reason (the runtime records a ``JobSkipped`` event);
* ``due(now)``: what is due at ``now`` (the simulated-clock runtime calls it every step);
* ``listing(now)``: every job with its next run time (``trade --list-jobs``, the API).

Day jobs and the windows they serve:

===============  ==================================  ====================================
job              runs at                             still worth running until
===============  ==================================  ====================================
``pre_market``   planning start (open - 30 min)      the end of trading that day
``open``         the first trading instant           the end of trading that day
``close``        the end of trading                  the end of the post-market window
``post_market``  end of trading + 5 min (settling)   the end of the post-market window
===============  ==================================  ====================================

Periodic jobs (``fx_refresh``, ``heartbeat``, ``reconcile``) run at start and then every
interval; ``reconcile`` can also be requested at any time (after a broker reconnect). The
internal ``calendar_roll`` extends the horizon every six hours. A day the calendar does not
cover plans no jobs and is listed in ``coverage_gaps`` (the driver alerts on it) instead of
stopping every other market.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol
from zoneinfo import ZoneInfo

from ouroboros.agent.lifecycle import DayPlan, SessionRules, plan_day
from ouroboros.agent.settings import AgentSettings
from ouroboros.markets import CalendarCoverageError, MarketCode, get_market
from ouroboros.markets.timeutil import require_aware

#: Time between the end of trading and the post-market job (last fills and close prints).
POST_MARKET_DELAY = dt.timedelta(minutes=5)
ROLL_INTERVAL = dt.timedelta(hours=6)


class JobKind(StrEnum):
    PRE_MARKET = "pre_market"
    OPEN = "open"
    CLOSE = "close"
    POST_MARKET = "post_market"
    FX_REFRESH = "fx_refresh"
    HEARTBEAT = "heartbeat"
    RECONCILE = "reconcile"
    CALENDAR_ROLL = "calendar_roll"

    @property
    def per_market(self) -> bool:
        return self in _DAY_KINDS


_DAY_KINDS = frozenset({JobKind.PRE_MARKET, JobKind.OPEN, JobKind.CLOSE, JobKind.POST_MARKET})
#: The callbacks a session driver provides (the roll is the book's own).
DRIVER_KINDS = tuple(k for k in JobKind if k is not JobKind.CALENDAR_ROLL)


@dataclass(frozen=True, slots=True)
class DayJob:
    """One market's job on one local trading date."""

    kind: JobKind
    market: MarketCode
    date: dt.date
    run_at: dt.datetime
    window_end: dt.datetime

    @property
    def id(self) -> str:
        return f"{self.kind.value}:{self.market.value}:{self.date.isoformat()}"


@dataclass(frozen=True, slots=True)
class PeriodicJob:
    kind: JobKind
    interval: dt.timedelta

    @property
    def id(self) -> str:
        return self.kind.value


@dataclass(frozen=True, slots=True)
class JobRun:
    """One execution handed to a callback: which job, when it was due, and why now."""

    job_id: str
    kind: JobKind
    market: MarketCode | None
    date: dt.date | None
    scheduled_for: dt.datetime
    late: bool = False
    reason: str = "on schedule"


@dataclass(frozen=True, slots=True)
class CatchUp:
    """A start-up decision for a day job that should already have run."""

    job: DayJob
    run: bool
    reason: str


@dataclass(frozen=True, slots=True)
class JobListing:
    job_id: str
    kind: JobKind
    market: MarketCode | None
    next_run: dt.datetime
    serves_until: dt.datetime | None


@dataclass(frozen=True, slots=True)
class CoverageGap:
    """A day the market's calendar does not cover (e.g. Vietnam past 2026): nothing planned."""

    market: MarketCode
    date: dt.date
    reason: str


class JobJournal(Protocol):
    """Which day jobs have run (the store keeps it across restarts)."""

    def has_run(self, job_id: str) -> bool: ...

    def mark_run(self, job_id: str, at: dt.datetime) -> None: ...


class MemoryJournal:
    def __init__(self) -> None:
        self.runs: dict[str, dt.datetime] = {}

    def has_run(self, job_id: str) -> bool:
        return job_id in self.runs

    def mark_run(self, job_id: str, at: dt.datetime) -> None:
        self.runs.setdefault(job_id, at)


def day_jobs(plan: DayPlan) -> list[DayJob]:
    """The four day jobs of one plan."""
    m, d = plan.market, plan.date
    return [
        DayJob(JobKind.PRE_MARKET, m, d, plan.planning_at, plan.last_trade),
        DayJob(JobKind.OPEN, m, d, plan.first_trade, plan.last_trade),
        DayJob(JobKind.CLOSE, m, d, plan.last_trade, plan.ends_at),
        DayJob(JobKind.POST_MARKET, m, d, plan.last_trade + POST_MARKET_DELAY, plan.ends_at),
    ]


def periodic_jobs(settings: AgentSettings) -> list[PeriodicJob]:
    return [
        PeriodicJob(JobKind.FX_REFRESH, dt.timedelta(minutes=settings.fx_update_interval_minutes)),
        PeriodicJob(JobKind.HEARTBEAT, dt.timedelta(seconds=settings.heartbeat_interval_seconds)),
        PeriodicJob(JobKind.RECONCILE, dt.timedelta(minutes=settings.reconcile_interval_minutes)),
        PeriodicJob(JobKind.CALENDAR_ROLL, ROLL_INTERVAL),
    ]


class JobBook:
    """Every job of the enabled markets; pure apart from the journal it is given."""

    def __init__(
        self,
        markets: Sequence[MarketCode],
        rules: SessionRules,
        periodic: Iterable[PeriodicJob],
        journal: JobJournal,
        *,
        horizon_days: int = 2,
    ) -> None:
        if horizon_days < 1:
            raise ValueError(f"invalid horizon_days, was {horizon_days}: must be >= 1")
        self._markets = tuple(markets)
        self._rules = rules
        self._periodic = {p.kind: p for p in periodic}
        self._journal = journal
        self._horizon = horizon_days
        self._days: dict[str, DayJob] = {}
        self._planned: set[tuple[MarketCode, dt.date]] = set()
        self._last_periodic: dict[JobKind, dt.datetime] = {}
        self._requested: list[JobRun] = []
        self._gaps: list[CoverageGap] = []

    @classmethod
    def from_settings(
        cls, settings: AgentSettings, journal: JobJournal, *, horizon_days: int = 2
    ) -> JobBook:
        return cls(
            settings.enabled_markets,
            SessionRules.from_settings(settings),
            periodic_jobs(settings),
            journal,
            horizon_days=horizon_days,
        )

    @property
    def periodic(self) -> list[PeriodicJob]:
        return list(self._periodic.values())

    @property
    def journal(self) -> JobJournal:
        return self._journal

    @property
    def coverage_gaps(self) -> list[CoverageGap]:
        """Days inside the horizon the calendars do not know: no jobs were planned for them."""
        return list(self._gaps)

    def day_jobs(self) -> list[DayJob]:
        return sorted(self._days.values(), key=lambda j: (j.run_at, j.id))

    def extend(self, now: dt.datetime) -> list[DayJob]:
        """Plan the days from yesterday to the horizon (local dates); returns the new jobs."""
        now = require_aware(now)
        added: list[DayJob] = []
        for code in self._markets:
            today = now.astimezone(ZoneInfo(get_market(code).timezone)).date()
            for offset in range(-1, self._horizon + 1):
                day = today + dt.timedelta(days=offset)
                if (code, day) in self._planned:
                    continue
                self._planned.add((code, day))
                try:
                    plan = plan_day(code, day, self._rules)
                except CalendarCoverageError as exc:
                    self._gaps.append(CoverageGap(code, day, str(exc)))
                    continue
                for job in day_jobs(plan) if plan is not None else ():
                    self._days[job.id] = job
                    added.append(job)
        return sorted(added, key=lambda j: (j.run_at, j.id))

    def catch_up(self, now: dt.datetime) -> list[CatchUp]:
        """Start-up: each past, unrun day job is run once (still in its window) or skipped."""
        now = require_aware(now)
        self.extend(now)
        decisions: list[CatchUp] = []
        for job in self.day_jobs():
            if job.run_at > now or self._journal.has_run(job.id):
                continue
            when = job.run_at.strftime("%Y-%m-%d %H:%M UTC")
            if now < job.window_end:
                end = job.window_end.strftime("%H:%M UTC")
                reason = f"missed at {when} while the agent was down; still in its window to {end}"
                decisions.append(CatchUp(job, True, reason))
            else:
                end = job.window_end.strftime("%Y-%m-%d %H:%M UTC")
                reason = f"missed at {when} while the agent was down; its window ended at {end}"
                decisions.append(CatchUp(job, False, reason))
        return decisions

    def request(self, kind: JobKind, now: dt.datetime, reason: str) -> JobRun:
        """Ask for an extra run of a periodic job now (reconcile after a broker reconnect)."""
        if kind not in self._periodic:
            raise ValueError(f"only periodic jobs can be requested, was {kind.value}")
        now = require_aware(now)
        run = JobRun(f"{kind.value}:requested", kind, None, None, now, reason=reason)
        self._requested.append(run)
        return run

    def due(self, now: dt.datetime) -> list[JobRun]:
        """Runs due at ``now`` not yet handed out, in time order (the simulated-clock runtime).

        Day jobs become due at ``run_at`` and are handed out once (the runtime marks them in the
        journal); one found past its window is left for ``catch_up``'s rule and not returned.
        """
        now = require_aware(now)
        self.extend(now)
        runs = list(self._requested)
        self._requested.clear()
        for job in self.day_jobs():
            if job.run_at <= now < job.window_end and not self._journal.has_run(job.id):
                runs.append(day_run(job, late=False))
        for kind, periodic in self._periodic.items():
            last = self._last_periodic.get(kind)
            if last is None or now >= last + periodic.interval:
                runs.append(JobRun(periodic.id, kind, None, None, now))
        return sorted(runs, key=lambda r: (r.scheduled_for, r.job_id))

    def expired(self, now: dt.datetime) -> list[DayJob]:
        """Unrun day jobs whose window has ended (a clock that jumped past them)."""
        now = require_aware(now)
        return [
            j for j in self.day_jobs() if j.window_end <= now and not self._journal.has_run(j.id)
        ]

    def mark_periodic(self, kind: JobKind, at: dt.datetime) -> None:
        """A periodic job ran at ``at``: its next run is one interval later."""
        self._last_periodic[kind] = require_aware(at)

    def next_periodic(self, kind: JobKind, now: dt.datetime) -> dt.datetime:
        last = self._last_periodic.get(kind)
        return now if last is None else max(now, last + self._periodic[kind].interval)

    def listing(self, now: dt.datetime) -> list[JobListing]:
        """Every pending job with its next run time, soonest first."""
        now = require_aware(now)
        self.extend(now)
        rows = [
            JobListing(j.id, j.kind, j.market, max(j.run_at, now), j.window_end)
            for j in self.day_jobs()
            if now < j.window_end and not self._journal.has_run(j.id)
        ]
        rows += [
            JobListing(p.id, p.kind, None, self.next_periodic(p.kind, now), None)
            for p in self._periodic.values()
        ]
        return sorted(rows, key=lambda r: (r.next_run, r.job_id))


def day_run(job: DayJob, *, late: bool, reason: str = "on schedule") -> JobRun:
    return JobRun(job.id, job.kind, job.market, job.date, job.run_at, late, reason)


def list_jobs(
    settings: AgentSettings, now: dt.datetime, journal: JobJournal | None = None
) -> list[JobListing]:
    """The jobs an agent started at ``now`` would run, with next run times (``--list-jobs``)."""
    return JobBook.from_settings(settings, journal or MemoryJournal()).listing(now)
