"""Clocks. Nothing but this module reads the wall clock; everything else is handed ``now``.

It sits at the root of the package, beside ``errors``, because every layer needs a clock: the
engine, the broker adapters and the sandboxes all take theirs from here."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SimulatedClock:
    """Time moves only when the engine advances it (backtest and replay)."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError(f"clock start must be timezone-aware, was {start}")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance_to(self, t: datetime) -> None:
        t = t.astimezone(UTC)
        if t < self._now:
            raise ValueError(f"simulated time cannot go back: {t} < {self._now}")
        self._now = t


class LiveClock:
    """Wall-clock UTC time (paper and live modes)."""

    def now(self) -> datetime:
        return datetime.now(UTC)  # noqa: TID251 - the one sanctioned wall-clock read
