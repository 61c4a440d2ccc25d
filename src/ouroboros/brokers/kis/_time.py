"""Time at the KIS edge: KIS speaks Korea Standard Time (UTC+9, no DST); we keep UTC inside.

``Now`` is injected everywhere a wall clock is needed so tests (and the sandbox's own clock) can
move time. :func:`system_now` - the default of the client, feed and WebSocket - is the engine's
:class:`~ouroboros.clock.LiveClock` (``ouroboros/clock.py`` is the one module that reads the
wall clock); a session hands its one clock to the adapter, which passes it on.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from ouroboros.clock import LiveClock
from ouroboros.kisspec import KST

__all__ = ["KST", "Now", "Sleep", "format_kst", "parse_kst", "system_now", "to_kst"]

_WALL = LiveClock()

Now = Callable[[], datetime]
Sleep = Callable[[float], Awaitable[None]]


def system_now() -> datetime:
    """The real UTC time, from the one wall clock (``ouroboros/clock.py``)."""
    return _WALL.now()


def to_kst(ts: datetime) -> datetime:
    return ts.astimezone(KST)


def parse_kst(text: str, fmt: str = "%Y-%m-%d %H:%M:%S") -> datetime:
    """A KIS local timestamp (``2026-07-09 09:00:00``) as an aware UTC datetime."""
    return datetime.strptime(text.strip(), fmt).replace(tzinfo=KST).astimezone(UTC)


def format_kst(ts: datetime, fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
    return ts.astimezone(KST).strftime(fmt)
