"""Running the job book: one executor, two triggers (APScheduler on the wall clock, or a step).

:class:`JobRunner` executes a :class:`~ouroboros.agent.jobs.JobRun`: it calls the driver's
callback for the job's kind (sync or async), marks day jobs in the journal, and reports
``JobRan`` / ``JobFailed`` / ``JobSkipped`` events. A failing callback is reported, not raised:
one market's bad post-market review must not stop another market's open.

:class:`AgentScheduler` is the wall-clock trigger: an APScheduler 3 ``AsyncIOScheduler`` with
one date job per day job and one interval job per periodic job. A day job's misfire grace time
is its window (``window_end - run_at``), so a job delayed while the process was busy still
runs if its market is in the window it serves and is otherwise skipped with a recorded reason
- the same rule ``JobBook.catch_up`` applies at start for jobs missed while the agent was down.

On a simulated clock (replay, tests) the session driver calls ``JobRunner.run_due(now)`` at
each step instead; both paths execute through the same runner.
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from apscheduler.events import EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from ouroboros.agent.events import Clock, EventSink, JobFailed, JobRan, JobSkipped
from ouroboros.agent.jobs import (
    DRIVER_KINDS,
    CatchUp,
    DayJob,
    JobBook,
    JobKind,
    JobListing,
    JobRun,
    day_run,
)

JobCallback = Callable[[JobRun], Awaitable[None] | None]


class JobRunner:
    """Executes job runs through the driver's callbacks; reports every outcome."""

    def __init__(
        self,
        book: JobBook,
        callbacks: Mapping[JobKind, JobCallback],
        sink: EventSink,
        clock: Clock,
    ) -> None:
        missing = [k.value for k in DRIVER_KINDS if k not in callbacks]
        if missing:
            raise ValueError(f"no callback for jobs: {', '.join(missing)}")
        self._book = book
        self._callbacks = dict(callbacks)
        self._sink = sink
        self._clock = clock

    @property
    def book(self) -> JobBook:
        return self._book

    @property
    def clock(self) -> Clock:
        return self._clock

    async def execute(self, run: JobRun) -> bool:
        """Run one job now; True when its callback completed."""
        started = self._clock.now()
        if run.kind is JobKind.CALENDAR_ROLL:
            self._book.extend(started)
            self._book.mark_periodic(run.kind, started)
            return True
        try:
            result = self._callbacks[run.kind](run)
            if inspect.isawaitable(result):
                await result
        except Exception as exc:  # reported as an event: one job's failure stops no other job
            self._sink.emit(
                JobFailed(
                    self._clock.now(),
                    f"{run.job_id} failed: {type(exc).__name__}: {exc}",
                    run.job_id,
                    run.kind.value,
                    run.market,
                    run.scheduled_for,
                    f"{type(exc).__name__}: {exc}",
                )
            )
            self._finish(run, started)
            return False
        self._finish(run, started)
        self._sink.emit(
            JobRan(
                self._clock.now(),
                run.reason,
                run.job_id,
                run.kind.value,
                run.market,
                run.scheduled_for,
                run.late,
            )
        )
        return True

    def _finish(self, run: JobRun, started: dt.datetime) -> None:
        # A failed day job is not retried by the schedule (the driver decides), so it counts.
        if run.kind.per_market:
            self._book.journal.mark_run(run.job_id, started)
        elif not run.job_id.endswith(":requested"):
            self._book.mark_periodic(run.kind, started)

    def skip(self, job: DayJob, reason: str) -> None:
        """Record that a day job will not run, and why; it is not offered again."""
        now = self._clock.now()
        self._book.journal.mark_run(job.id, now)
        self._sink.emit(JobSkipped(now, reason, job.id, job.kind.value, job.market, job.run_at))

    async def start(self) -> list[CatchUp]:
        """Start-up: run the missed jobs still in their window (in time order), skip the rest."""
        decisions = self._book.catch_up(self._clock.now())
        for decision in decisions:
            if decision.run:
                await self.execute(day_run(decision.job, late=True, reason=decision.reason))
            else:
                self.skip(decision.job, decision.reason)
        return decisions

    async def run_due(self, now: dt.datetime) -> list[JobRun]:
        """The simulated-clock trigger: execute everything due at ``now``, in time order.

        A day job the clock jumped past (its window ended between two steps) is skipped with a
        recorded reason, as APScheduler's misfire rule does on the wall clock.
        """
        runs = self._book.due(now)
        for job in self._book.expired(now):
            end = job.window_end.strftime("%Y-%m-%d %H:%M UTC")
            self.skip(job, f"the clock passed the job's window (ended {end}) between two steps")
        for run in runs:
            await self.execute(run)
        return runs


class AgentScheduler:
    """The wall-clock trigger: APScheduler jobs mirroring the job book."""

    def __init__(self, runner: JobRunner, scheduler: BaseScheduler | None = None) -> None:
        self._runner = runner
        self._scheduler = scheduler or AsyncIOScheduler(timezone=dt.UTC)
        self._scheduler.add_listener(self.on_missed, EVENT_JOB_MISSED)
        self._day_jobs: dict[str, DayJob] = {}

    @property
    def apscheduler(self) -> BaseScheduler:
        return self._scheduler

    async def start(self, *, paused: bool = False) -> list[CatchUp]:
        """Catch up on missed jobs, install every job, then start APScheduler.

        ``paused`` starts APScheduler without processing jobs (listing, tests).
        """
        decisions = await self._runner.start()
        now = self._now()
        for job in self._runner.book.periodic:
            self._scheduler.add_job(
                self._execute_periodic,
                IntervalTrigger(
                    seconds=job.interval.total_seconds(), start_date=now, timezone=dt.UTC
                ),
                args=[job.kind],
                id=job.id,
                name=job.kind.value,
                next_run_time=now,
                coalesce=True,
                max_instances=1,
                misfire_grace_time=None,
                replace_existing=True,
            )
        self.install(self._runner.book.day_jobs())
        if not self._scheduler.running:
            self._scheduler.start(paused=paused)
        return decisions

    def install(self, jobs: list[DayJob]) -> int:
        """Add date jobs for the day jobs not yet run and still in their window; returns how many.

        A job whose time has just passed (between ``catch_up`` and here) fires at once: its
        misfire grace is its window.
        """
        now = self._now()
        journal = self._runner.book.journal
        added = 0
        for job in jobs:
            if job.id in self._day_jobs or journal.has_run(job.id) or job.window_end <= now:
                continue  # a job past its window is catch_up's to skip, not APScheduler's
            self._day_jobs[job.id] = job
            self._scheduler.add_job(
                self._execute_day,
                DateTrigger(run_date=job.run_at, timezone=dt.UTC),
                args=[job.id],
                id=job.id,
                name=job.kind.value,
                misfire_grace_time=max(1, int((job.window_end - job.run_at).total_seconds())),
                coalesce=True,
                replace_existing=True,
            )
            added += 1
        return added

    def request_reconciliation(self, reason: str) -> None:
        """Reconcile now (after a broker reconnect), besides the interval schedule."""
        now = self._now()
        run = JobRun("reconcile:requested", JobKind.RECONCILE, None, None, now, reason=reason)
        self._scheduler.add_job(
            self._runner.execute,
            DateTrigger(run_date=run.scheduled_for, timezone=dt.UTC),
            args=[run],
            misfire_grace_time=None,
        )

    def listing(self) -> list[JobListing]:
        """Every job with its next run time, as APScheduler will fire them."""
        rows: list[JobListing] = []
        for job in self._scheduler.get_jobs():
            next_run: dt.datetime | None = getattr(job, "next_run_time", None)
            if next_run is None:
                continue
            day = self._day_jobs.get(job.id)
            rows.append(
                JobListing(
                    job.id,
                    day.kind if day else JobKind(job.name),
                    day.market if day else None,
                    next_run.astimezone(dt.UTC),
                    day.window_end if day else None,
                )
            )
        return sorted(rows, key=lambda r: (r.next_run, r.job_id))

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    # -- APScheduler callbacks --------------------------------------------------------------

    async def _execute_day(self, job_id: str) -> None:
        job = self._day_jobs.pop(job_id)
        await self._runner.execute(day_run(job, late=self._now() > job.run_at + _LATE))

    async def _execute_periodic(self, kind: JobKind) -> None:
        await self._runner.execute(JobRun(kind.value, kind, None, None, self._now()))
        if kind is JobKind.CALENDAR_ROLL:
            self.install(self._runner.book.day_jobs())

    def on_missed(self, event: Any) -> None:
        """APScheduler listener: a day job fired past its grace time is skipped, with a reason."""
        if not isinstance(event, JobExecutionEvent):
            return
        job = self._day_jobs.pop(event.job_id, None)
        if job is not None:
            end = job.window_end.strftime("%Y-%m-%d %H:%M UTC")
            self._runner.skip(job, f"the process was busy past the job's window (ended {end})")

    def _now(self) -> dt.datetime:
        return self._runner.clock.now()


_LATE = dt.timedelta(seconds=5)
