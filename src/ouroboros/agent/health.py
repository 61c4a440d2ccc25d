"""Health of a running agent: the heartbeat and the broker's reachability. Pure, clock-injected.

* :class:`HeartbeatTracker` - the heartbeat job calls ``beat(now)`` every
  ``HEARTBEAT_INTERVAL_SECONDS`` (60) and the driver stores it; ``check(now)`` counts the beats
  missed since and raises the alert hook once ``ALERT_AFTER_MISSED_HEARTBEATS`` (3) are missed.
  A beat counts as missed once a whole interval has passed after it was due, so jitter of less
  than an interval never alerts. Seeded with the stored last beat, the first ``check`` after a
  restart reports the beats missed while the agent was down.
* :class:`NetworkMonitor` - every broker call reports success or failure; after
  ``NETWORK_FAILURE_THRESHOLD`` (3) consecutive failures the broker is unreachable and
  ``entries_allowed`` is false (exits are still attempted: they need the broker, not
  permission); the first success after that resumes entries, emits ``BrokerRecovered`` and
  calls the recovery hook (the driver requests a reconciliation).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from enum import StrEnum

from ouroboros.agent.events import (
    BrokerRecovered,
    BrokerUnreachable,
    EventSink,
    HeartbeatMissed,
    HeartbeatRecovered,
)
from ouroboros.markets.timeutil import require_aware


def missed_beats(last_beat: dt.datetime | None, now: dt.datetime, interval: dt.timedelta) -> int:
    """Beats missed between ``last_beat`` and ``now`` (a beat is missed one interval after due).

    With no beat ever recorded nothing is counted (the agent has not started beating yet).
    """
    if interval <= dt.timedelta(0):
        raise ValueError(f"invalid heartbeat interval, was {interval}")
    if last_beat is None:
        return 0
    elapsed = require_aware(now) - require_aware(last_beat)
    return max(0, elapsed // interval - 1)


class HeartbeatTracker:
    """Counts missed heartbeats and raises the alert hook once per outage."""

    def __init__(
        self,
        interval: dt.timedelta,
        alert_after: int,
        sink: EventSink,
        *,
        on_alert: Callable[[HeartbeatMissed], None] | None = None,
        last_beat: dt.datetime | None = None,
    ) -> None:
        if alert_after < 1:
            raise ValueError(f"invalid alert_after, was {alert_after}: must be >= 1")
        if interval <= dt.timedelta(0):
            raise ValueError(f"invalid heartbeat interval, was {interval}")
        self._interval = interval
        self._alert_after = alert_after
        self._sink = sink
        self._on_alert = on_alert
        self._last = None if last_beat is None else require_aware(last_beat)
        self._alerted: int | None = None

    @property
    def last_beat(self) -> dt.datetime | None:
        return self._last

    @property
    def alerting(self) -> bool:
        return self._alerted is not None

    def missed(self, now: dt.datetime) -> int:
        return missed_beats(self._last, now, self._interval)

    def check(self, now: dt.datetime) -> HeartbeatMissed | None:
        """Alert (event + hook) when the threshold is first reached; None otherwise."""
        missed = self.missed(now)
        if missed < self._alert_after or self._alerted is not None:
            return None
        last = "never" if self._last is None else self._last.isoformat()
        event = HeartbeatMissed(
            require_aware(now),
            f"{missed} heartbeats missed (interval {self._interval}, last beat {last})",
            missed,
            self._last,
        )
        self._alerted = missed
        self._sink.emit(event)
        if self._on_alert is not None:
            self._on_alert(event)
        return event

    def beat(self, now: dt.datetime) -> HeartbeatRecovered | None:
        """Record a beat; ends an alert (with an event saying how many beats were missed)."""
        now = require_aware(now)
        missed = self.missed(now)
        self.check(now)  # an outage noticed only now still alerts before it recovers
        self._last = now
        if self._alerted is None:
            return None
        self._alerted = None
        event = HeartbeatRecovered(now, f"heartbeat resumed after {missed} missed beats", missed)
        self._sink.emit(event)
        return event


class Reachability(StrEnum):
    REACHABLE = "reachable"
    DEGRADED = "degraded"
    UNREACHABLE = "unreachable"


class NetworkMonitor:
    """The broker's reachability from the outcomes of our calls to it."""

    def __init__(
        self,
        failure_threshold: int,
        sink: EventSink,
        *,
        on_recovered: Callable[[BrokerRecovered], None] | None = None,
    ) -> None:
        if failure_threshold < 1:
            raise ValueError(f"invalid failure_threshold, was {failure_threshold}: must be >= 1")
        self._threshold = failure_threshold
        self._sink = sink
        self._on_recovered = on_recovered
        self._failures = 0
        self._down_since: dt.datetime | None = None
        self._last_error = ""

    @property
    def state(self) -> Reachability:
        if self._down_since is not None:
            return Reachability.UNREACHABLE
        return Reachability.DEGRADED if self._failures else Reachability.REACHABLE

    @property
    def entries_allowed(self) -> bool:
        """New entries pause while the broker is unreachable."""
        return self._down_since is None

    @property
    def pause_reason(self) -> str | None:
        if self._down_since is None:
            return None
        return (
            f"broker unreachable since {self._down_since.isoformat()} "
            f"({self._failures} failed calls, last: {self._last_error})"
        )

    def record_failure(self, now: dt.datetime, error: str) -> BrokerUnreachable | None:
        """A call failed (timeout, connection error, 5xx); returns the event if now unreachable."""
        now = require_aware(now)
        self._failures += 1
        self._last_error = error
        if self._down_since is not None or self._failures < self._threshold:
            return None
        self._down_since = now
        event = BrokerUnreachable(
            now,
            f"{self._failures} consecutive broker failures (last: {error}): new entries paused",
            self._failures,
        )
        self._sink.emit(event)
        return event

    def record_success(self, now: dt.datetime) -> BrokerRecovered | None:
        """A call succeeded; returns the event if this ends an outage."""
        now = require_aware(now)
        self._failures = 0
        down_since, self._down_since = self._down_since, None
        if down_since is None:
            return None
        event = BrokerRecovered(
            now, f"broker reachable again after {now - down_since}: entries resume", down_since
        )
        self._sink.emit(event)
        if self._on_recovered is not None:
            self._on_recovered(event)
        return event
