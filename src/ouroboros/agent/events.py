"""What the agent's parts report, and the small protocols they report through.

Every event is a frozen dataclass with ``at`` (aware UTC) and a ``reason`` a person can read;
the session driver persists them (store) and forwards them (notifier, logs). ``ListSink`` keeps
them in memory (tests, ``trade --list-jobs``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol, TypeVar

from ouroboros.markets import MarketCode


class Clock(Protocol):
    """The time source (``engine.clock.LiveClock`` or ``SimulatedClock`` fit it)."""

    def now(self) -> dt.datetime: ...


@dataclass(frozen=True, slots=True)
class AgentEvent:
    at: dt.datetime
    reason: str

    @property
    def name(self) -> str:
        return type(self).__name__


# -- scheduler -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class JobRan(AgentEvent):
    job_id: str
    kind: str
    market: MarketCode | None
    scheduled_for: dt.datetime
    late: bool


@dataclass(frozen=True, slots=True)
class JobSkipped(AgentEvent):
    job_id: str
    kind: str
    market: MarketCode | None
    scheduled_for: dt.datetime


@dataclass(frozen=True, slots=True)
class JobFailed(AgentEvent):
    job_id: str
    kind: str
    market: MarketCode | None
    scheduled_for: dt.datetime
    error: str


# -- health --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HeartbeatMissed(AgentEvent):
    missed: int
    last_beat: dt.datetime | None


@dataclass(frozen=True, slots=True)
class HeartbeatRecovered(AgentEvent):
    missed: int


@dataclass(frozen=True, slots=True)
class BrokerUnreachable(AgentEvent):
    failures: int


@dataclass(frozen=True, slots=True)
class BrokerRecovered(AgentEvent):
    down_since: dt.datetime


@dataclass(frozen=True, slots=True)
class FxRateStale(AgentEvent):
    pair: str
    as_of: dt.datetime | None


class EventSink(Protocol):
    """Where events go (the store's event log, a notifier, a test list)."""

    def emit(self, event: AgentEvent) -> None: ...


E = TypeVar("E", bound=AgentEvent)


class ListSink:
    """Keeps events in order, in memory."""

    def __init__(self) -> None:
        self.events: list[AgentEvent] = []

    def emit(self, event: AgentEvent) -> None:
        self.events.append(event)

    def of(self, kind: type[E]) -> list[E]:
        return [e for e in self.events if isinstance(e, kind)]
