"""Day plans from the calendars: DST, half days, the KRX exam-day late open, lunch breaks."""

from __future__ import annotations

import datetime as dt

import pytest

from ouroboros.agent.lifecycle import DayPhase, SessionRules, plan_day, plan_days
from ouroboros.agent.settings import load_config
from ouroboros.markets import CalendarCoverageError

UTC = dt.UTC
RULES = SessionRules()
EXTENDED = SessionRules(trade_premarket=True, trade_afterhours=True)


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def phases(plan: object) -> list[tuple[str, dt.datetime, dt.datetime]]:
    return [(w.phase.value, w.start, w.end) for w in plan.windows]  # type: ignore[attr-defined]


def test_us_open_moves_an_hour_in_utc_across_the_dst_switch() -> None:
    before = plan_day("US_NYSE", dt.date(2026, 3, 6), RULES)  # Friday, EST
    after = plan_day("US_NYSE", dt.date(2026, 3, 9), RULES)  # Monday after 2026-03-08, EDT
    assert before is not None
    assert after is not None
    assert before.session.open == utc(2026, 3, 6, 14, 30)
    assert after.session.open == utc(2026, 3, 9, 13, 30)
    assert before.planning_at == utc(2026, 3, 6, 14, 0)
    assert after.planning_at == utc(2026, 3, 9, 13, 0)
    assert after.window(DayPhase.POST_MARKET).end == utc(2026, 3, 10, 4, 0)  # midnight EDT
    assert plan_day("US_NYSE", dt.date(2026, 3, 8), RULES) is None  # the switch is a Sunday


def test_us_extended_hours_follow_local_time_across_dst() -> None:
    before = plan_day("US_NASDAQ", dt.date(2026, 10, 30), EXTENDED)  # EDT
    after = plan_day("US_NASDAQ", dt.date(2026, 11, 2), EXTENDED)  # EST from 2026-11-01
    assert before is not None
    assert after is not None
    pre, post = before.window(DayPhase.EXTENDED_PRE), before.window(DayPhase.EXTENDED_AFTER)
    assert (pre.start, pre.end) == (utc(2026, 10, 30, 8, 0), utc(2026, 10, 30, 13, 30))
    assert (post.start, post.end) == (utc(2026, 10, 30, 20, 0), utc(2026, 10, 31, 0, 0))
    assert pre.limit_only
    assert post.limit_only
    assert after.window(DayPhase.EXTENDED_PRE).start == utc(2026, 11, 2, 9, 0)
    assert after.planning_at == utc(2026, 11, 2, 8, 30)  # 30 minutes before 04:00 ET
    assert after.limit_only(utc(2026, 11, 2, 10, 0))
    assert not after.limit_only(utc(2026, 11, 2, 15, 0))


def test_extended_hours_are_off_by_default_and_only_for_us() -> None:
    us = plan_day("US_NYSE", dt.date(2026, 11, 2), RULES)
    kr = plan_day("KR", dt.date(2026, 11, 2), EXTENDED)
    assert us is not None
    assert kr is not None
    assert [w.phase for w in us.windows] == [
        DayPhase.PLANNING,
        DayPhase.REGULAR,
        DayPhase.POST_MARKET,
    ]
    assert DayPhase.EXTENDED_PRE not in [w.phase for w in kr.windows]


def test_us_half_day_stops_new_entries_before_the_early_close() -> None:
    plan = plan_day("US_NYSE", dt.date(2026, 11, 27), RULES)  # the day after Thanksgiving
    assert plan is not None
    assert plan.session.early_close
    assert phases(plan)[1:3] == [
        ("regular", utc(2026, 11, 27, 14, 30), utc(2026, 11, 27, 17, 30)),
        ("closing_buffer", utc(2026, 11, 27, 17, 30), utc(2026, 11, 27, 18, 0)),
    ]
    assert plan.entries_allowed(utc(2026, 11, 27, 17, 29))
    assert not plan.entries_allowed(utc(2026, 11, 27, 17, 30))
    assert plan.exits_allowed(utc(2026, 11, 27, 17, 59))
    assert not plan.exits_allowed(utc(2026, 11, 27, 18, 0))
    assert plan.rescans[-1] < utc(2026, 11, 27, 18, 0)
    normal = plan_day("US_NYSE", dt.date(2026, 11, 25), RULES)
    assert normal is not None
    assert normal.window(DayPhase.CLOSING_BUFFER) is None


def test_after_hours_after_an_early_close_take_exits_only() -> None:
    plan = plan_day("US_NYSE", dt.date(2026, 11, 27), EXTENDED)
    assert plan is not None
    after = plan.window(DayPhase.EXTENDED_AFTER)
    assert after is not None
    assert (after.start, after.end) == (utc(2026, 11, 27, 18, 0), utc(2026, 11, 27, 22, 0))
    assert not after.entries
    assert after.exits
    assert after.limit_only


def test_zero_buffer_keeps_entries_to_the_early_close() -> None:
    rules = SessionRules(early_close_buffer=dt.timedelta(0))
    plan = plan_day("US_NYSE", dt.date(2026, 11, 27), rules)
    assert plan is not None
    assert plan.entries_allowed(utc(2026, 11, 27, 17, 59))


def test_krx_exam_day_opens_at_ten() -> None:
    plan = plan_day("KR", dt.date(2026, 11, 19), RULES)
    assert plan is not None
    assert plan.session.late_open
    assert plan.session.open == utc(2026, 11, 19, 1, 0)  # 10:00 KST
    assert plan.session.close == utc(2026, 11, 19, 7, 30)  # 16:30 KST
    assert plan.planning_at == utc(2026, 11, 19, 0, 30)  # 09:30 KST
    assert plan.phase_at(utc(2026, 11, 19, 0, 45)) is DayPhase.PLANNING
    assert not plan.exits_allowed(utc(2026, 11, 19, 0, 59))
    assert plan.rescans[0] == utc(2026, 11, 19, 1, 0)
    normal = plan_day("KR", dt.date(2026, 11, 20), RULES)
    assert normal is not None
    assert normal.session.open == utc(2026, 11, 20, 0, 0)  # 09:00 KST


def test_tokyo_lunch_break_takes_no_orders_and_no_rescans() -> None:
    plan = plan_day("JP", dt.date(2026, 11, 20), RULES)
    assert plan is not None
    lunch = plan.window(DayPhase.LUNCH_BREAK)
    assert lunch is not None
    assert (lunch.start, lunch.end) == (utc(2026, 11, 20, 2, 30), utc(2026, 11, 20, 3, 30))
    assert not plan.entries_allowed(utc(2026, 11, 20, 3, 0))
    assert not plan.exits_allowed(utc(2026, 11, 20, 3, 0))
    assert plan.entries_allowed(utc(2026, 11, 20, 3, 30))
    assert not [t for t in plan.rescans if lunch.contains(t)]
    assert utc(2026, 11, 20, 3, 30) in plan.rescans  # the first step after lunch
    assert len(plan.rescans) == 330 // 5  # 09:00-11:30 and 12:30-15:30 every 5 minutes
    assert plan.planning_at == utc(2026, 11, 19, 23, 30)  # the UTC day before


def test_hong_kong_half_day_has_no_lunch_and_a_buffer() -> None:
    plan = plan_day("HK", dt.date(2026, 12, 24), RULES)
    assert plan is not None
    assert plan.window(DayPhase.LUNCH_BREAK) is None
    assert plan.window(DayPhase.CLOSING_BUFFER) is not None


def test_rescans_follow_the_interval_from_the_open() -> None:
    plan = plan_day(
        "US_NYSE", dt.date(2026, 11, 2), SessionRules(rescan_interval=dt.timedelta(minutes=30))
    )
    assert plan is not None
    assert len(plan.rescans) == 13  # 09:30, 10:00, ..., 15:30
    assert plan.rescans[1] - plan.rescans[0] == dt.timedelta(minutes=30)


def test_windows_are_consecutive_and_closed_days_have_no_plan() -> None:
    assert plan_day("KR", dt.date(2026, 11, 21), RULES) is None  # Saturday
    assert plan_day("US_NYSE", dt.date(2026, 11, 26), RULES) is None  # Thanksgiving
    plans = plan_days("HK", dt.date(2026, 11, 16), dt.date(2026, 11, 22), RULES)
    assert [p.date.weekday() for p in plans] == [0, 1, 2, 3, 4]
    for plan in plans:
        for a, b in zip(plan.windows, plan.windows[1:], strict=False):
            assert a.end == b.start
        assert plan.phase_at(plan.ends_at) is None


def test_a_day_beyond_the_calendar_raises() -> None:
    with pytest.raises(CalendarCoverageError):
        plan_day("VN_HSX", dt.date(2027, 3, 1), RULES)


def test_rules_come_from_the_settings() -> None:
    config = load_config(
        environ={
            "PRE_MARKET_MINUTES": "45",
            "TRADE_PREMARKET": "true",
            "RESCAN_INTERVAL_SECONDS": "60",
        }
    )
    rules = SessionRules.from_settings(config.agent)
    assert rules.pre_market == dt.timedelta(minutes=45)
    assert rules.trade_premarket
    assert rules.rescan_interval == dt.timedelta(seconds=60)
