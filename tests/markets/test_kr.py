"""Korea (exchange-calendars XKRX plus the corrections in holidays/kr.csv)."""

from __future__ import annotations

import datetime as dt

from ouroboros.markets import get_calendar
from tests.markets.support import utc

D = dt.date


def test_regular_day_has_no_lunch_break() -> None:
    cal = get_calendar("KR")
    s = cal.session_on(D(2026, 3, 10))
    assert s is not None
    assert (s.open, s.close, s.break_start) == (utc(2026, 3, 10, 0), utc(2026, 3, 10, 6, 30), None)
    assert len(cal.session_minutes(s)) == 390
    assert cal.is_open(utc(2026, 3, 10, 3))  # 12:00 KST: trading through lunch


def test_first_trading_day_of_2026_opens_late_at_1000_kst() -> None:
    cal = get_calendar("KR")
    s = cal.session_on(D(2026, 1, 2))
    assert s is not None
    assert (s.open, s.close) == (utc(2026, 1, 2, 1), utc(2026, 1, 2, 6, 30))
    assert s.late_open
    assert not s.early_close
    assert len(cal.session_minutes(s)) == 330
    assert not cal.is_open(utc(2026, 1, 2, 0, 30))
    assert cal.next_open(utc(2025, 12, 30, 7)) == utc(2026, 1, 2, 1)  # 12-31 and 01-01 closed


def test_seollal_2026_closes_16_to_18_february() -> None:
    cal = get_calendar("KR")
    assert [cal.is_session(D(2026, 2, d)) for d in (13, 16, 17, 18, 19)] == [
        True,
        False,
        False,
        False,
        True,
    ]
    assert cal.next_open(utc(2026, 2, 13, 6, 30)) == utc(2026, 2, 19, 0)


def test_exam_day_shifts_the_session_one_hour() -> None:
    """CSAT days: 10:00-16:30 KST. exchange-calendars only has them up to 2020."""
    cal = get_calendar("KR")
    for day in (D(2025, 11, 13), D(2026, 11, 19)):
        s = cal.session_on(day)
        assert s is not None
        assert s.open == dt.datetime.combine(day, dt.time(1), dt.UTC)
        assert s.close == dt.datetime.combine(day, dt.time(7, 30), dt.UTC)
        assert s.late_open
        assert not s.early_close
        assert len(cal.session_minutes(s)) == 390


def test_closures_missing_from_exchange_calendars() -> None:
    cal = get_calendar("KR")
    assert not cal.is_session(D(2026, 6, 3))  # local elections
    assert not cal.is_session(D(2026, 7, 17))  # Constitution Day, a public holiday again
    assert not cal.is_session(D(2027, 7, 19))  # its substitute: 17 July 2027 is a Saturday
    assert not cal.is_session(D(2026, 12, 31))  # year-end closing day
    assert cal.is_session(D(2026, 6, 4))
