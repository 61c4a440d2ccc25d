"""The market-aware scheduler on an injected clock: jobs, catch-up, due runs, APScheduler."""

from __future__ import annotations

import datetime as dt

import pytest
from apscheduler.events import EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from ouroboros.agent.events import JobFailed, JobRan, JobSkipped, ListSink
from ouroboros.agent.jobs import JobBook, JobKind, JobRun, MemoryJournal, list_jobs
from ouroboros.agent.scheduler import AgentScheduler, JobRunner
from ouroboros.agent.settings import AgentSettings, load_config
from ouroboros.markets import MarketCode

UTC = dt.UTC


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


class FakeClock:
    def __init__(self, now: dt.datetime) -> None:
        self.t = now

    def now(self) -> dt.datetime:
        return self.t


class Recorder:
    """The driver's callbacks: remembers each run, optionally failing one kind."""

    def __init__(self, clock: FakeClock, fail: JobKind | None = None) -> None:
        self.clock = clock
        self.fail = fail
        self.runs: list[tuple[dt.datetime, JobRun]] = []

    def callbacks(self) -> dict[JobKind, object]:
        def make(kind: JobKind) -> object:
            async def callback(run: JobRun) -> None:
                self.runs.append((self.clock.now(), run))
                if kind is self.fail:
                    raise RuntimeError("planner exploded")

            return callback

        return {k: make(k) for k in JobKind if k is not JobKind.CALENDAR_ROLL}

    def ids(self, kind: JobKind | None = None) -> list[str]:
        return [r.job_id for _, r in self.runs if kind is None or r.kind is kind]


def settings(**env: str) -> AgentSettings:
    return load_config(environ={"ENABLED_MARKETS": "KR,US_NYSE", **env}).agent


def runner(
    clock: FakeClock, journal: MemoryJournal | None = None, fail: JobKind | None = None
) -> tuple[JobRunner, Recorder, ListSink]:
    rec = Recorder(clock, fail)
    sink = ListSink()
    book = JobBook.from_settings(settings(), journal or MemoryJournal())
    return JobRunner(book, rec.callbacks(), sink, clock), rec, sink  # type: ignore[arg-type]


def test_day_jobs_come_from_the_day_plans() -> None:
    rows = {r.job_id: r for r in list_jobs(settings(), utc(2026, 11, 18, 12, 0))}
    exam = rows["pre_market:KR:2026-11-19"]
    assert exam.next_run == utc(2026, 11, 19, 0, 30)  # 09:30 KST: the exam day opens at 10:00
    assert exam.serves_until == utc(2026, 11, 19, 7, 30)
    assert rows["open:KR:2026-11-19"].next_run == utc(2026, 11, 19, 1, 0)
    assert rows["close:KR:2026-11-19"].next_run == utc(2026, 11, 19, 7, 30)
    assert rows["post_market:KR:2026-11-19"].next_run == utc(2026, 11, 19, 7, 35)
    assert rows["heartbeat"].next_run == utc(2026, 11, 18, 12, 0)
    assert "open:KR:2026-11-21" not in rows  # a Saturday
    assert "open:KR:2026-11-22" not in rows  # beyond the two-day horizon
    week = {r.job_id: r for r in list_jobs(settings(), utc(2026, 11, 25, 12, 0))}
    assert week["close:US_NYSE:2026-11-27"].next_run == utc(2026, 11, 27, 18, 0)  # half day
    assert "open:US_NYSE:2026-11-26" not in week  # Thanksgiving
    listed = [r.next_run for r in list_jobs(settings(), utc(2026, 11, 18, 12, 0))]
    assert listed == sorted(listed)


async def test_a_restart_runs_missed_jobs_still_in_their_window_and_skips_the_rest() -> None:
    clock = FakeClock(utc(2026, 11, 20, 3, 0))  # 12:00 KST; 22:00 ET the evening before
    journal = MemoryJournal()
    journal.mark_run("pre_market:KR:2026-11-20", utc(2026, 11, 19, 23, 30))  # ran before the crash
    run, rec, sink = runner(clock, journal)
    decisions = await run.start()
    assert rec.ids() == [
        "close:US_NYSE:2026-11-19",  # US post-market window lasts to midnight ET (05:00 UTC)
        "post_market:US_NYSE:2026-11-19",
        "open:KR:2026-11-20",
    ]
    assert all(r.late for _, r in rec.runs)
    skipped = {e.job_id: e.reason for e in sink.of(JobSkipped)}
    assert "pre_market:KR:2026-11-19" in skipped
    assert "open:US_NYSE:2026-11-19" in skipped
    assert "window ended at 2026-11-19 21:00 UTC" in skipped["open:US_NYSE:2026-11-19"]
    assert "pre_market:KR:2026-11-20" not in skipped  # it ran: neither run again nor skipped
    assert len(decisions) == len(rec.runs) + len(skipped)
    # A second start (another restart) finds everything settled.
    rec.runs.clear()
    assert await run.start() == []


async def test_a_simulated_day_runs_every_job_once_in_order() -> None:
    clock = FakeClock(utc(2026, 11, 18, 23, 0))  # 08:00 KST on the exam day
    run, rec, _ = runner(clock)
    await run.start()
    rec.runs.clear()
    while clock.t < utc(2026, 11, 19, 9, 0):
        await run.run_due(clock.t)
        clock.t += dt.timedelta(minutes=1)
    kr = [(t, r.kind) for t, r in rec.runs if r.market is MarketCode.KR]
    assert kr == [
        (utc(2026, 11, 19, 0, 30), JobKind.PRE_MARKET),
        (utc(2026, 11, 19, 1, 0), JobKind.OPEN),
        (utc(2026, 11, 19, 7, 30), JobKind.CLOSE),
        (utc(2026, 11, 19, 7, 35), JobKind.POST_MARKET),
    ]
    beats = rec.ids(JobKind.HEARTBEAT)
    assert len(beats) == 10 * 60  # every minute for ten hours
    assert len(rec.ids(JobKind.RECONCILE)) == 10 * 2  # every 30 minutes
    assert len(rec.ids(JobKind.FX_REFRESH)) == 10  # every hour


async def test_a_failing_job_is_reported_and_stops_no_other_job() -> None:
    clock = FakeClock(utc(2026, 11, 19, 0, 29))
    run, rec, sink = runner(clock, fail=JobKind.PRE_MARKET)
    await run.start()
    clock.t = utc(2026, 11, 19, 0, 30)
    await run.run_due(clock.t)
    failed = sink.of(JobFailed)
    assert [e.job_id for e in failed] == ["pre_market:KR:2026-11-19"]
    assert "planner exploded" in failed[0].error
    clock.t = utc(2026, 11, 19, 1, 0)
    await run.run_due(clock.t)
    assert "open:KR:2026-11-19" in [e.job_id for e in sink.of(JobRan)]
    assert rec.ids(JobKind.PRE_MARKET) == ["pre_market:KR:2026-11-19"]  # not retried


async def test_reconciliation_can_be_requested_after_a_reconnect() -> None:
    clock = FakeClock(utc(2026, 11, 19, 2, 0))
    run, rec, _ = runner(clock)
    await run.start()
    await run.run_due(clock.t)
    rec.runs.clear()
    clock.t += dt.timedelta(minutes=1)
    run.book.request(JobKind.RECONCILE, clock.t, "broker reconnected")
    await run.run_due(clock.t)
    reconciles = [r for _, r in rec.runs if r.kind is JobKind.RECONCILE]
    assert [r.reason for r in reconciles] == ["broker reconnected"]
    # The interval schedule is unchanged: the next one is 30 minutes after the last scheduled.
    assert run.book.next_periodic(JobKind.RECONCILE, clock.t) == utc(2026, 11, 19, 2, 30)
    with pytest.raises(ValueError, match="only periodic jobs"):
        run.book.request(JobKind.OPEN, clock.t, "no")


def test_every_driver_callback_is_required() -> None:
    book = JobBook.from_settings(settings(), MemoryJournal())
    with pytest.raises(ValueError, match=r"no callback for jobs: .*reconcile"):
        JobRunner(book, {JobKind.OPEN: lambda run: None}, ListSink(), FakeClock(utc(2026, 1, 5)))


async def test_apscheduler_holds_the_same_jobs_with_their_windows() -> None:
    clock = FakeClock(utc(2026, 11, 18, 12, 0))
    run, _, sink = runner(clock)
    aps = AsyncIOScheduler(timezone=UTC)
    agent = AgentScheduler(run, aps)
    await agent.start(paused=True)
    try:
        job = aps.get_job("open:KR:2026-11-19")
        assert job.trigger.run_date == utc(2026, 11, 19, 1, 0)
        assert job.misfire_grace_time == int(dt.timedelta(hours=6, minutes=30).total_seconds())
        beat = aps.get_job("heartbeat")
        assert beat.trigger.interval == dt.timedelta(seconds=60)
        listing = {r.job_id: r for r in agent.listing()}
        expected = {r.job_id: r.next_run for r in run.book.listing(clock.t)}
        assert {k: v.next_run for k, v in listing.items()} == expected
        # A day job APScheduler could not fire within its window is skipped, with the reason.
        before = len(sink.of(JobSkipped))  # yesterday's jobs, skipped at start
        missed = JobExecutionEvent(EVENT_JOB_MISSED, "open:KR:2026-11-19", "default", clock.t)
        agent.on_missed(missed)
        skipped = sink.of(JobSkipped)[before:]
        assert [e.job_id for e in skipped] == ["open:KR:2026-11-19"]
        assert "past the job's window" in skipped[0].reason
        assert run.book.journal.has_run("open:KR:2026-11-19")
        agent.request_reconciliation("broker reconnected")
        assert len(aps.get_jobs()) == len(expected) + 1
    finally:
        agent.shutdown()


async def test_an_apscheduler_day_job_runs_through_the_runner() -> None:
    clock = FakeClock(utc(2026, 11, 18, 12, 0))
    run, rec, sink = runner(clock)
    agent = AgentScheduler(run, AsyncIOScheduler(timezone=UTC))
    await agent.start(paused=True)
    try:
        # 21:00 KST: the KR close and post-market of the 18th were still due, so they ran.
        assert rec.ids() == ["close:KR:2026-11-18", "post_market:KR:2026-11-18"]
        rec.runs.clear()
        ran_before = len(sink.of(JobRan))
        clock.t = utc(2026, 11, 19, 1, 0)
        job = agent.apscheduler.get_job("open:KR:2026-11-19")
        await job.func(*job.args)  # what APScheduler calls when the trigger fires
        assert rec.ids() == ["open:KR:2026-11-19"]
        assert not rec.runs[0][1].late
        assert run.book.journal.has_run("open:KR:2026-11-19")
        assert [e.job_id for e in sink.of(JobRan)[ran_before:]] == ["open:KR:2026-11-19"]
    finally:
        agent.shutdown()


def test_the_agent_package_never_reads_the_wall_clock() -> None:
    from pathlib import Path

    import ouroboros.agent

    for path in Path(ouroboros.agent.__file__).parent.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "datetime.now" not in text, path
        assert "time.time(" not in text, path
        assert "date.today" not in text, path


async def test_a_job_due_between_catch_up_and_install_is_still_installed() -> None:
    clock = FakeClock(utc(2026, 11, 19, 0, 29, 59))
    run, _, _ = runner(clock)
    await run.start()  # catch-up: the 00:30 planning job is not due yet
    clock.t = utc(2026, 11, 19, 0, 30, 1)  # ... and now it is
    agent = AgentScheduler(run, AsyncIOScheduler(timezone=UTC))
    agent.install(run.book.day_jobs())
    job = agent.apscheduler.get_job("pre_market:KR:2026-11-19")
    assert job is not None
    assert job.trigger.run_date == utc(2026, 11, 19, 0, 30)  # fires at once: within its grace
    assert agent.apscheduler.get_job("pre_market:KR:2026-11-18") is None  # past its window


def test_a_day_beyond_a_calendar_plans_nothing_and_is_reported() -> None:
    agent = load_config(environ={"ENABLED_MARKETS": "VN_HSX,KR"}).agent
    book = JobBook.from_settings(agent, MemoryJournal())
    book.extend(utc(2026, 12, 30, 12, 0))  # the VN calendar is authoritative to 2026-12-31
    gaps = book.coverage_gaps
    assert [(g.market, g.date) for g in gaps] == [(MarketCode.VN_HSX, dt.date(2027, 1, 1))]
    assert "2026-12-31" in gaps[0].reason
    assert "open:KR:2027-01-01" not in {j.id for j in book.day_jobs()}  # KR is closed on 1 Jan
    assert "open:KR:2026-12-30" in {j.id for j in book.day_jobs()}


async def test_a_clock_jumping_past_a_window_skips_the_job_with_a_reason() -> None:
    clock = FakeClock(utc(2026, 11, 18, 23, 0))
    run, rec, sink = runner(clock)
    await run.start()
    rec.runs.clear()
    clock.t = utc(2026, 11, 19, 8, 0)  # past the KR open's window (trading ended 07:30)
    await run.run_due(clock.t)
    skipped = {e.job_id: e.reason for e in sink.of(JobSkipped)}
    assert "between two steps" in skipped["open:KR:2026-11-19"]
    assert "pre_market:KR:2026-11-19" in skipped
    assert "close:KR:2026-11-19" in rec.ids()  # still in its window: runs
