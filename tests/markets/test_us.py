"""US calendar (exchange-calendars XNYS, shared by NYSE, NASDAQ and NYSE American)."""

from __future__ import annotations

import datetime as dt

import pytest

from ouroboros.markets import get_calendar
from tests.markets.support import utc

D = dt.date


@pytest.mark.parametrize("code", ["US_NYSE", "US_NASDAQ", "US_AMEX"])
def test_day_after_thanksgiving_is_a_half_day_closing_1300_et(code: str) -> None:
    cal = get_calendar(code)
    s = cal.session_on(D(2026, 11, 27))
    assert s is not None
    assert (s.open, s.close) == (utc(2026, 11, 27, 14, 30), utc(2026, 11, 27, 18))
    assert s.early_close
    assert not s.late_open
    assert len(cal.session_minutes(s)) == 210
    assert cal.is_open(utc(2026, 11, 27, 17, 59))
    assert not cal.is_open(utc(2026, 11, 27, 18))
    assert cal.next_open(utc(2026, 11, 27, 18)) == utc(2026, 11, 30, 14, 30)


def test_christmas_eve_half_day_and_holidays() -> None:
    cal = get_calendar("US_NYSE")
    eve = cal.session_on(D(2026, 12, 24))
    assert eve is not None
    assert eve.close == utc(2026, 12, 24, 18)
    assert eve.early_close
    assert cal.session_on(D(2026, 11, 26)) is None  # Thanksgiving
    assert cal.session_on(D(2026, 7, 3)) is None  # Independence Day observed
    assert cal.session_on(D(2026, 12, 25)) is None
    regular = cal.session_on(D(2026, 12, 23))
    assert regular is not None
    assert not regular.early_close
    assert len(cal.session_minutes(regular)) == 390


def test_spring_dst_switch_on_2026_03_08() -> None:
    cal = get_calendar("US_NYSE")
    friday, monday = cal.session_on(D(2026, 3, 6)), cal.session_on(D(2026, 3, 9))
    assert friday is not None
    assert monday is not None
    assert (friday.open, friday.close) == (utc(2026, 3, 6, 14, 30), utc(2026, 3, 6, 21))
    assert (monday.open, monday.close) == (utc(2026, 3, 9, 13, 30), utc(2026, 3, 9, 20))
    assert cal.next_open(utc(2026, 3, 6, 21)) == utc(2026, 3, 9, 13, 30)


def test_autumn_dst_switch_on_2026_11_01() -> None:
    cal = get_calendar("US_NYSE")
    friday, monday = cal.session_on(D(2026, 10, 30)), cal.session_on(D(2026, 11, 2))
    assert friday is not None
    assert monday is not None
    assert (friday.open, friday.close) == (utc(2026, 10, 30, 13, 30), utc(2026, 10, 30, 20))
    assert (monday.open, monday.close) == (utc(2026, 11, 2, 14, 30), utc(2026, 11, 2, 21))
    assert cal.next_close(utc(2026, 10, 31, 12)) == utc(2026, 11, 2, 21)


def test_early_close_flags_agree_with_exchange_calendars() -> None:
    """Our flags are computed from regular hours; xcals lists its early closes independently."""
    early = [
        s.date
        for s in get_calendar("US_NYSE").sessions(D(2024, 1, 1), D(2026, 12, 31))
        if s.early_close
    ]
    assert early == [
        D(2024, 7, 3),
        D(2024, 11, 29),
        D(2024, 12, 24),
        D(2025, 7, 3),
        D(2025, 11, 28),
        D(2025, 12, 24),
        D(2026, 11, 27),
        D(2026, 12, 24),
    ]
