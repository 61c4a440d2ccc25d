"""Exact conversions between aware datetimes and the int64 nanoseconds the schedule arrays hold.

``datetime.timestamp()`` goes through a float and can be off by a microsecond; these helpers do
integer arithmetic only, so a session open read back from the arrays equals the one stored.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

from ouroboros.markets.errors import NaiveDatetimeError

UTC: Final = dt.UTC
EPOCH: Final = dt.datetime(1970, 1, 1, tzinfo=UTC)
NS_PER_MINUTE: Final = 60_000_000_000


def require_aware(t: dt.datetime, what: str = "t") -> dt.datetime:
    """Return ``t`` in UTC; refuse naive datetimes (a wall-clock time names no instant)."""
    if not isinstance(t, dt.datetime):
        raise TypeError(f"{what} must be a timezone-aware datetime, was {type(t).__name__}")
    if t.tzinfo is None or t.utcoffset() is None:
        raise NaiveDatetimeError(
            f"{what} must be timezone-aware (UTC), was naive {t.isoformat()}; "
            "attach a zone, e.g. t.replace(tzinfo=datetime.UTC)"
        )
    return t.astimezone(UTC)


def require_date(d: dt.date, what: str = "day") -> dt.date:
    """Refuse a datetime where a calendar date is meant (``datetime`` subclasses ``date``)."""
    if isinstance(d, dt.datetime) or not isinstance(d, dt.date):
        raise TypeError(f"{what} must be a datetime.date, was {type(d).__name__} {d!r}")
    return d


def to_ns(t: dt.datetime) -> int:
    """Nanoseconds since the Unix epoch of an aware datetime."""
    delta = require_aware(t) - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1_000


def from_ns(ns: int) -> dt.datetime:
    """The UTC datetime of a nanosecond timestamp (sub-microsecond digits are dropped)."""
    return EPOCH + dt.timedelta(microseconds=int(ns) // 1_000)
