"""Vietnam (HOSE and HNX): our own calendar from holidays/vn.csv."""

from __future__ import annotations

import datetime as dt

import pytest

from ouroboros.markets import CalendarCoverageError, get_calendar
from tests.markets.support import utc

D = dt.date


@pytest.mark.parametrize("code", ["VN_HSX", "VN_HNX"])
def test_sessions_0900_1130_and_1300_1500_local(code: str) -> None:
    cal = get_calendar(code)
    s = cal.session_on(D(2026, 3, 10))
    assert s is not None
    assert (s.open, s.break_start, s.break_end, s.close) == (
        utc(2026, 3, 10, 2),
        utc(2026, 3, 10, 4, 30),
        utc(2026, 3, 10, 6),
        utc(2026, 3, 10, 8),
    )
    assert not s.early_close
    assert not s.late_open
    assert len(cal.session_minutes(s)) == 270
    assert cal.is_open(utc(2026, 3, 10, 2))
    assert not cal.is_open(utc(2026, 3, 10, 5))  # 12:00 ICT, lunch
    assert cal.next_open(utc(2026, 3, 10, 5)) == utc(2026, 3, 10, 6)
    assert cal.next_close(utc(2026, 3, 10, 6)) == utc(2026, 3, 10, 8)
    assert cal.session_on(D(2026, 3, 14)) is None  # Saturday


def test_tet_2026_closes_16_to_20_february() -> None:
    cal = get_calendar("VN_HSX")
    assert [cal.is_session(D(2026, 2, d)) for d in (13, 16, 17, 18, 19, 20, 23)] == [
        True, False, False, False, False, False, True,
    ]  # fmt: skip
    assert cal.next_open(utc(2026, 2, 13, 8)) == utc(2026, 2, 23, 2)


def test_2026_national_holidays() -> None:
    cal = get_calendar("VN_HNX")
    closed = [D(2026, 1, 1), D(2026, 4, 27), D(2026, 4, 30), D(2026, 5, 1)]
    closed += [D(2026, 8, 31), D(2026, 9, 1), D(2026, 9, 2), D(2026, 11, 24)]
    assert not any(cal.is_session(d) for d in closed)
    assert len(cal.sessions(D(2026, 1, 1), D(2026, 12, 31))) == 261 - len(closed) - 5


def test_coverage_runs_2020_to_2026_with_2027_provisional() -> None:
    cal = get_calendar("VN_HSX")
    assert (cal.covered_from, cal.covered_until) == (D(2020, 1, 1), D(2026, 12, 31))
    with pytest.raises(CalendarCoverageError, match=r"VN_HSX.*2020-01-01"):
        cal.session_on(D(2019, 12, 31))
    with pytest.raises(CalendarCoverageError, match="last covered date 2026-12-31"):
        cal.is_open(utc(2027, 1, 4, 3))
    with pytest.raises(CalendarCoverageError):
        cal.next_open(utc(2026, 12, 31, 8))
    estimated = get_calendar("VN_HSX", provisional=True)
    assert estimated.next_open(utc(2026, 12, 31, 8)) == utc(2027, 1, 4, 2)
    assert not estimated.is_session(D(2027, 2, 8))
