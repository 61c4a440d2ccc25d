"""Fixtures of the data tests: small bar files, a stub calendar and the real calendars."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from tests.data.fixtures import backtesting_goog  # noqa: F401  (re-exported fixture)
from tests.data.stubs import StubCalendar

CLEAN_CSV = """Date,Open,High,Low,Close,Volume
2024-01-02,10.0,10.5,9.8,10.2,1000
2024-01-03,10.2,10.6,10.0,10.4,1100
2024-01-04,10.4,10.9,10.3,10.8,900
2024-01-05,10.8,11.0,10.5,10.6,1200
2024-01-08,10.6,10.7,10.1,10.3,1000
"""


@pytest.fixture
def stub_calendar() -> StubCalendar:
    """Weekdays, 14:30-21:00 UTC, with 2024-01-01 a holiday."""
    return StubCalendar(holidays=frozenset({date(2024, 1, 1)}))


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[[str, str], Path]:
    def write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(text)
        return path

    return write
