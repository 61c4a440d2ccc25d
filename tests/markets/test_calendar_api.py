"""The calendar query API on real calendars: semantics shared by every market."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from ouroboros.errors import StopError
from ouroboros.markets import (
    CalendarCoverageError,
    MarketCode,
    NaiveDatetimeError,
    Session,
    get_calendar,
    open_markets,
)
from tests.markets.support import utc


@pytest.mark.parametrize(
    "method", ["is_open", "next_open", "next_close", "session_at", "next_session"]
)
def test_naive_datetimes_are_refused(method: str) -> None:
    cal = get_calendar("US_NYSE")
    with pytest.raises(NaiveDatetimeError, match="timezone-aware"):
        getattr(cal, method)(dt.datetime(2026, 11, 27, 17, 30))
    assert issubclass(NaiveDatetimeError, ValueError)
    assert issubclass(NaiveDatetimeError, StopError)


def test_other_offsets_are_accepted_and_answers_are_utc() -> None:
    cal = get_calendar("US_NYSE")
    new_york = dt.datetime(2026, 11, 27, 12, 30, tzinfo=ZoneInfo("America/New_York"))
    assert cal.is_open(new_york)
    close = cal.next_close(new_york)
    assert close == utc(2026, 11, 27, 18)
    assert close.tzinfo is dt.UTC


def test_open_is_inclusive_close_exclusive_and_next_is_strictly_after() -> None:
    cal = get_calendar("US_NYSE")
    open_, close = utc(2026, 3, 10, 13, 30), utc(2026, 3, 10, 20)
    assert cal.is_open(open_)
    assert not cal.is_open(open_ - dt.timedelta(microseconds=1))
    assert not cal.is_open(close)
    assert cal.is_open(close - dt.timedelta(microseconds=1))
    assert cal.next_open(open_ - dt.timedelta(seconds=1)) == open_
    assert cal.next_open(open_) == utc(2026, 3, 11, 13, 30)
    assert cal.next_close(close) == utc(2026, 3, 11, 20)


def test_session_lookups_by_day_and_instant() -> None:
    cal = get_calendar("US_NYSE")
    s = cal.session_on(dt.date(2026, 3, 10))
    assert isinstance(s, Session)
    assert cal.session_at(utc(2026, 3, 10, 15)) == s
    assert cal.session_at(utc(2026, 3, 10, 21)) is None
    assert cal.next_session(utc(2026, 3, 10, 15)).date == dt.date(2026, 3, 11)
    assert cal.session_on(dt.date(2026, 3, 14)) is None  # Saturday
    assert cal.is_session(dt.date(2026, 3, 10))


def test_sessions_are_inclusive_and_checked() -> None:
    cal = get_calendar("US_NYSE")
    week = cal.sessions(dt.date(2026, 3, 9), dt.date(2026, 3, 13))
    assert [s.date.day for s in week] == [9, 10, 11, 12, 13]
    assert len(cal.sessions(dt.date(2026, 1, 1), dt.date(2026, 12, 31))) == 251
    with pytest.raises(ValueError, match="start must not be after end"):
        cal.sessions(dt.date(2026, 3, 13), dt.date(2026, 3, 9))
    with pytest.raises(TypeError, match=r"datetime\.date"):
        cal.session_on(utc(2026, 3, 10))  # type: ignore[arg-type]


def test_session_minutes_refuses_a_session_of_another_market() -> None:
    nyse, kr = get_calendar("US_NYSE"), get_calendar("KR")
    kr_session = kr.session_on(dt.date(2026, 3, 10))
    assert kr_session is not None
    with pytest.raises(ValueError, match="not a session of this calendar"):
        nyse.session_minutes(kr_session)


def test_coverage_error_names_market_and_last_covered_date() -> None:
    cal = get_calendar("US_NYSE")
    assert cal.covered_from == dt.date(2000, 1, 1)
    assert cal.covered_until == dt.date(2050, 12, 31)
    with pytest.raises(CalendarCoverageError) as err:
        cal.session_on(dt.date(2051, 1, 3))
    assert err.value.market == "US_NYSE"
    assert err.value.covered_until == dt.date(2050, 12, 31)
    assert "last covered date 2050-12-31" in str(err.value)
    with pytest.raises(CalendarCoverageError, match="US_NYSE"):
        cal.is_open(utc(1999, 12, 31, 15))
    with pytest.raises(CalendarCoverageError, match="the next open after"):
        cal.next_open(utc(2050, 12, 30, 22))


def test_open_markets_at_an_asian_morning_and_a_us_half_day() -> None:
    asia = utc(2026, 3, 10, 2)  # 11:00 Seoul/Tokyo, 10:00 HK/Shanghai, 09:00 Hanoi
    assert open_markets(asia) == [
        MarketCode.KR,
        MarketCode.JP,
        MarketCode.HK,
        MarketCode.CN_SHA,
        MarketCode.CN_SZA,
        MarketCode.VN_HNX,
        MarketCode.VN_HSX,
    ]
    us = utc(2026, 11, 27, 17, 30)
    assert open_markets(us) == [MarketCode.US_NASDAQ, MarketCode.US_NYSE, MarketCode.US_AMEX]
    assert open_markets(us, ["kr", "us_nyse"]) == [MarketCode.US_NYSE]
    with pytest.raises(NaiveDatetimeError):
        open_markets(dt.datetime(2026, 3, 10, 2))
