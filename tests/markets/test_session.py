"""``Session`` invariants and the 1-minute grid, on hand-made sessions."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from ouroboros.markets import Session, session_minutes
from tests.markets.support import utc

DAY = dt.date(2026, 3, 10)


def test_minutes_skip_the_lunch_break() -> None:
    s = Session(
        DAY, utc(2026, 3, 10, 1, 30), utc(2026, 3, 10, 8), utc(2026, 3, 10, 4), utc(2026, 3, 10, 5)
    )
    minutes = session_minutes(s)
    assert minutes.dtype == np.dtype("datetime64[ns]")
    assert len(minutes) == 330
    assert minutes[0] == np.datetime64("2026-03-10T01:30", "ns")
    assert minutes[149] == np.datetime64("2026-03-10T03:59", "ns")
    assert minutes[150] == np.datetime64("2026-03-10T05:00", "ns")
    assert minutes[-1] == np.datetime64("2026-03-10T07:59", "ns")
    assert s.trading_time == dt.timedelta(minutes=330)


def test_contains_is_half_open_and_excludes_the_break() -> None:
    s = Session(
        DAY, utc(2026, 3, 10, 1, 30), utc(2026, 3, 10, 8), utc(2026, 3, 10, 4), utc(2026, 3, 10, 5)
    )
    assert s.contains(utc(2026, 3, 10, 1, 30))
    assert not s.contains(utc(2026, 3, 10, 4))
    assert s.contains(utc(2026, 3, 10, 5))
    assert not s.contains(utc(2026, 3, 10, 8))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"open": utc(2026, 3, 10, 8), "close": utc(2026, 3, 10, 1)},
        {"open": dt.datetime(2026, 3, 10, 1), "close": utc(2026, 3, 10, 8)},
        {
            "open": utc(2026, 3, 10, 1),
            "close": utc(2026, 3, 10, 8),
            "break_start": utc(2026, 3, 10, 4),
        },
        {
            "open": utc(2026, 3, 10, 1),
            "close": utc(2026, 3, 10, 8),
            "break_start": utc(2026, 3, 10, 7),
            "break_end": utc(2026, 3, 10, 9),
        },
    ],
)
def test_invalid_sessions_are_refused(kwargs: dict[str, dt.datetime]) -> None:
    with pytest.raises(ValueError, match="session"):
        Session(DAY, **kwargs)
