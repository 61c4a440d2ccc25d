"""Helpers for the markets tests: exact UTC instants without the tzinfo noise."""

from __future__ import annotations

import datetime as dt


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=dt.UTC)
