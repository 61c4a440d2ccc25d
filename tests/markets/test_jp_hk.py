"""Tokyo (XTKS) and Hong Kong (XHKG): lunch breaks, half days, Lunar New Year."""

from __future__ import annotations

import datetime as dt

from ouroboros.markets import get_calendar
from tests.markets.support import utc

D = dt.date


def test_tokyo_lunch_break_1130_to_1230() -> None:
    cal = get_calendar("JP")
    s = cal.session_on(D(2026, 3, 10))
    assert s is not None
    assert (s.open, s.break_start, s.break_end, s.close) == (
        utc(2026, 3, 10, 0),
        utc(2026, 3, 10, 2, 30),
        utc(2026, 3, 10, 3, 30),
        utc(2026, 3, 10, 6, 30),
    )
    assert len(cal.session_minutes(s)) == 330
    lunch = utc(2026, 3, 10, 3)
    assert not cal.is_open(lunch)
    assert cal.session_at(lunch) == s
    assert cal.next_open(lunch) == utc(2026, 3, 10, 3, 30)
    assert cal.next_close(utc(2026, 3, 10, 1)) == utc(2026, 3, 10, 2, 30)
    assert cal.next_close(lunch) == utc(2026, 3, 10, 6, 30)


def test_tokyo_closed_at_1500_before_the_2024_11_05_extension_without_an_early_close() -> None:
    s = get_calendar("JP").session_on(D(2024, 11, 1))
    assert s is not None
    assert s.close == utc(2024, 11, 1, 6)
    assert not s.early_close


def test_tokyo_new_year_holidays() -> None:
    cal = get_calendar("JP")
    assert not cal.is_session(D(2026, 1, 2))
    assert not cal.is_session(D(2026, 12, 31))
    assert cal.is_session(D(2026, 1, 5))


def test_hong_kong_lunch_break_1200_to_1300() -> None:
    cal = get_calendar("HK")
    s = cal.session_on(D(2026, 3, 10))
    assert s is not None
    assert (s.open, s.break_start, s.break_end, s.close) == (
        utc(2026, 3, 10, 1, 30),
        utc(2026, 3, 10, 4),
        utc(2026, 3, 10, 5),
        utc(2026, 3, 10, 8),
    )
    assert len(cal.session_minutes(s)) == 330
    assert cal.is_open(utc(2026, 3, 10, 2, 30))
    assert not cal.is_open(utc(2026, 3, 10, 4, 30))


def test_hong_kong_christmas_eve_is_a_morning_only_half_day() -> None:
    cal = get_calendar("HK")
    s = cal.session_on(D(2026, 12, 24))
    assert s is not None
    assert (s.open, s.close, s.break_start) == (
        utc(2026, 12, 24, 1, 30),
        utc(2026, 12, 24, 4),
        None,
    )
    assert s.early_close
    assert len(cal.session_minutes(s)) == 150
    assert cal.next_open(utc(2026, 12, 24, 4)) == utc(2026, 12, 28, 1, 30)


def test_hong_kong_lunar_new_year_2026() -> None:
    cal = get_calendar("HK")
    eve = cal.session_on(D(2026, 2, 16))
    assert eve is not None
    assert eve.early_close
    assert eve.close == utc(2026, 2, 16, 4)
    assert [cal.is_session(D(2026, 2, d)) for d in (17, 18, 19, 20)] == [False, False, False, True]
