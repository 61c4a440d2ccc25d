"""``market_status``: phases and coverage notes for the status board."""

from __future__ import annotations

import datetime as dt

from ouroboros.markets import Phase, get_market, market_status
from tests.markets.support import utc


def test_phases_open_break_closed() -> None:
    hk = get_market("HK")
    assert market_status(hk, utc(2026, 3, 10, 2)).phase is Phase.OPEN
    lunch = market_status(hk, utc(2026, 3, 10, 4, 30))
    assert lunch.phase is Phase.BREAK
    assert lunch.is_open is False
    assert lunch.session is not None
    assert lunch.session.date == dt.date(2026, 3, 10)
    night = market_status(hk, utc(2026, 3, 10, 12))
    assert night.phase is Phase.CLOSED
    assert night.session is not None
    assert night.session.date == dt.date(2026, 3, 11)
    assert night.next_open == utc(2026, 3, 11, 1, 30)
    assert night.note is None


def test_coverage_gaps_become_none_and_a_note() -> None:
    status = market_status(get_market("CN_SHA"), utc(2026, 12, 31, 7, 30))
    assert status.phase is Phase.CLOSED
    assert status.next_open is None
    assert status.next_close is None
    assert status.session is None
    assert status.note is not None
    assert "next open" in status.note
    assert "2026-12-31" in status.note
    assert "provisional estimates until 2027-12-31" in status.note


def test_an_instant_outside_coverage_is_unknown() -> None:
    status = market_status(get_market("VN_HSX"), utc(2027, 3, 1, 3))
    assert status.phase is Phase.UNKNOWN
    assert status.is_open is None
    assert status.note is not None
    assert status.note.startswith("status, next session")
