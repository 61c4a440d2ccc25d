"""China A shares: XSHG up to 2026, holidays/cn.csv after; Shenzhen shares Shanghai's calendar."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from ouroboros.markets import CalendarCoverageError, get_calendar
from ouroboros.markets.adjustments import parse_adjustments
from ouroboros.markets.sources import CN_HOURS, CalendarId, calendar_data, holiday_file_table
from tests.markets.support import utc

D = dt.date


def test_lunch_break_1130_to_1300() -> None:
    cal = get_calendar("CN_SHA")
    s = cal.session_on(D(2026, 3, 10))
    assert s is not None
    assert (s.open, s.break_start, s.break_end, s.close) == (
        utc(2026, 3, 10, 1, 30),
        utc(2026, 3, 10, 3, 30),
        utc(2026, 3, 10, 5),
        utc(2026, 3, 10, 7),
    )
    assert len(cal.session_minutes(s)) == 240
    assert not cal.is_open(utc(2026, 3, 10, 4))
    assert cal.next_open(utc(2026, 3, 10, 4)) == utc(2026, 3, 10, 5)


def test_spring_festival_2026_closes_16_to_23_february() -> None:
    cal = get_calendar("CN_SHA")
    closed = [D(2026, 2, d) for d in (16, 17, 18, 19, 20, 23)]
    assert not any(cal.is_session(d) for d in closed)
    assert cal.is_session(D(2026, 2, 13))
    assert cal.is_session(D(2026, 2, 24))
    assert cal.next_open(utc(2026, 2, 13, 7)) == utc(2026, 2, 24, 1, 30)


def test_shenzhen_shares_the_shanghai_calendar() -> None:
    sha, sza = get_calendar("CN_SHA"), get_calendar("CN_SZA")
    year = (D(2026, 1, 1), D(2026, 12, 31))
    assert sha.sessions(*year) == sza.sessions(*year)
    assert sza.calendar_id is CalendarId.XSHG


def test_2027_is_not_covered_unless_estimates_are_accepted() -> None:
    cal = get_calendar("CN_SHA")
    assert cal.covered_until == D(2026, 12, 31) == cal.authoritative_until
    assert cal.provisional_until == D(2027, 12, 31)
    with pytest.raises(CalendarCoverageError, match=r"CN_SHA.*last covered date 2026-12-31"):
        cal.session_on(D(2027, 1, 4))
    with pytest.raises(CalendarCoverageError, match="provisional=True"):
        cal.next_open(utc(2026, 12, 31, 7))


def test_provisional_2027_joins_seamlessly_after_exchange_calendars() -> None:
    cal = get_calendar("CN_SZA", provisional=True)
    assert cal.provisional
    assert cal.covered_until == D(2027, 12, 31)
    assert cal.next_open(utc(2026, 12, 31, 7)) == utc(2027, 1, 4, 1, 30)  # 1 Jan 2027 closed
    assert not cal.is_session(D(2027, 2, 8))  # estimated Spring Festival
    first = cal.session_on(D(2027, 1, 4))
    assert first is not None
    assert first.break_start == utc(2027, 1, 4, 3, 30)


def test_our_weekday_generator_reproduces_exchange_calendars_for_2026() -> None:
    """Feed the generator the 2026 XSHG closures; it must rebuild XSHG's 2026 schedule exactly."""
    closures = [
        "01-01", "01-02", "02-16", "02-17", "02-18", "02-19", "02-20", "02-23", "04-06",
        "05-01", "05-04", "05-05", "06-19", "09-25", "10-01", "10-02", "10-05", "10-06", "10-07",
    ]  # fmt: skip
    text = "\n".join(
        [
            "# covered_from: 2026-01-01",
            "# authoritative_until: 2026-12-31",
            "# provisional_until: 2026-12-31",
            "date,kind,open,close,name,status,source",
            *(
                f"2026-{md},closed,,,holiday,official,State Council 2026 schedule"
                for md in closures
            ),
        ]
    )
    ours, _ = holiday_file_table(CN_HOURS, parse_adjustments(text, "test-cn-2026"))
    xshg = calendar_data(CalendarId.XSHG).table
    rows = xshg.day_range(D(2026, 1, 1), D(2026, 12, 31))
    assert len(ours) == len(rows) == 242
    for mine, theirs in [
        (ours.days, xshg.days[rows.start : rows.stop]),
        (ours.opens, xshg.opens[rows.start : rows.stop]),
        (ours.break_starts, xshg.break_starts[rows.start : rows.stop]),
        (ours.break_ends, xshg.break_ends[rows.start : rows.stop]),
        (ours.closes, xshg.closes[rows.start : rows.stop]),
    ]:
        np.testing.assert_array_equal(mine, theirs)
