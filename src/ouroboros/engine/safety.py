"""Where a run's safety state lives, and how every session starts with it.

The circuit breaker and the kill switch belong to what they protect (see
:mod:`ouroboros.store.repositories.safety`): a broker account, shared by every session on it,
or one offline run. There is one record of each, in ``system_state``:

* the breaker is written by the run's own batches (``StoreSink.step`` moves it out of the
  engine's checkpoint into the scope's entry, in the same transaction as the rows of the steps
  that changed it, compare-and-set on the version the session read at start);
* it is loaded and tightened-only (:func:`ouroboros.risk.breaker.restore`) at every start: a
  broker session adopts the account's breaker before its first step and moves its equity marks
  onto its own books; a resumed replay adopts the run's at the resume point, after the
  re-simulation has been checked against it;
* the kill switch is read before every order (a disabled scope sends nothing; the denial is a
  ``risk.deny`` event naming ``TRADING_ENABLED``); people set it, the engine never does.

In a broker session the breaker's clock is the wall clock, not the replayed time.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine as SqlEngine
from sqlalchemy.exc import SQLAlchemyError

from ouroboros.domain.fx import FxRateSource
from ouroboros.domain.portfolio import Portfolio
from ouroboros.engine.risk_gate import RiskGate
from ouroboros.errors import ConfigError, OuroborosError
from ouroboros.execution.order_manager import EventSink
from ouroboros.risk import BreakerConfig, CircuitBreaker, IntentSource, RiskLimits, RiskManager
from ouroboros.risk.breaker import restore
from ouroboros.store.batch import BatchWriter
from ouroboros.store.repositories.safety import (
    RUN_PREFIX,
    SafetyStateRepository,
    account_scope,
    breaker_key,
    run_scope,
)
from ouroboros.store.repositories.system_state import SystemStateRepository

REPLAY_THROUGH_BROKER = "replay through the broker"
"""How a broker session that replays past sessions is labelled in its output and record."""


@dataclass(frozen=True)
class SafetyBinding:
    """A run's safety scope: where its breaker and kill switch are, and the breaker's clock.

    ``stored_breaker`` is the scope's breaker as read when the run's sink opened (the version
    its batches compare-and-set on). ``clock`` is the breaker's clock (None: the run's own).
    """

    store: SqlEngine
    scope: str
    stored_breaker: Mapping[str, Any] | None
    clock: Callable[[], datetime] | None = None
    track: Callable[[Callable[[], Mapping[str, Any] | None]], None] | None = None
    """Tells the run's sink where the live breaker is (written with every explicit flush)."""

    @property
    def is_account(self) -> bool:
        """An account's breaker outlives sessions; a run's is only resumed with its run."""
        return not self.scope.startswith(RUN_PREFIX)

    def kill_switch(self) -> KillSwitch:
        return KillSwitch(self.store, self.scope, once_per_point=not self.is_account)


class KillSwitch:
    """Reads a scope's kill switch for an order at engine time ``now``; None when it cannot be
    read (which denies every order). An account's is read for every order; an offline run's
    once per price point (the orders of one point share the answer)."""

    def __init__(self, store: SqlEngine, scope: str, *, once_per_point: bool) -> None:
        self._repo = SafetyStateRepository(store)
        self._scope = scope
        self._once_per_point = once_per_point
        self._last: tuple[datetime, bool | None] | None = None

    def __call__(self, now: datetime) -> bool | None:
        if self._once_per_point and self._last is not None and self._last[0] == now:
            return self._last[1]
        try:
            enabled: bool | None = self._repo.trading_enabled(self._scope)
        except (OuroborosError, SQLAlchemyError):
            enabled = None
        self._last = (now, enabled)
        return enabled


class SafetyRecord:
    """The breaker's record in a run's batches: read (with its version) when the run's sink
    opens, then written compare-and-set with the batch of every step (taken out of the engine's
    checkpoint, so the cursor never holds a second copy) and with every explicit flush (before
    a broker submit, at the end of a run or session: changes between steps are not lost)."""

    def __init__(self, store: SqlEngine, writer: BatchWriter, scope: str | None, run_id: str):
        self.scope = account_scope(scope) if scope is not None else run_scope(run_id)
        self._store = store
        self._writer = writer
        self._key = breaker_key(self.scope)
        stored = SafetyStateRepository(store).breaker(self.scope)
        self.stored_breaker = dict(stored.value) if stored is not None else None
        writer.watch_state(self._key, stored.version if stored is not None else None)
        self._source: Callable[[], Mapping[str, Any] | None] | None = None
        self._last_at: datetime | None = None

    def binding(self, clock: Callable[[], datetime] | None) -> SafetyBinding:
        return SafetyBinding(self._store, self.scope, self.stored_breaker, clock, self.track)

    def track(self, source: Callable[[], Mapping[str, Any] | None]) -> None:
        """Where the live breaker is (set by :func:`open_gate`)."""
        self._source = source

    def take(self, checkpoint: Mapping[str, Any] | None, at: datetime) -> Mapping[str, Any] | None:
        """The checkpoint without its breaker, which goes to the scope's entry instead."""
        self._last_at = at
        if checkpoint is None or "breaker" not in checkpoint:
            return checkpoint
        rest = dict(checkpoint)
        breaker = rest.pop("breaker")
        if breaker is not None:
            self._writer.put_state(self._key, breaker, _changed_at(breaker) or at)
        return rest

    def before_flush(self) -> None:
        state = self._source() if self._source is not None else None
        at = (_changed_at(state) or self._last_at) if state is not None else None
        if state is not None and at is not None:  # None: a fresh breaker, nothing to record
            self._writer.put_state(self._key, state, at)


def _changed_at(breaker: Mapping[str, Any]) -> datetime | None:
    """The breaker's own time of its last change (the wall clock in a broker session)."""
    stamp = breaker.get("updated_at")
    return datetime.fromisoformat(stamp) if isinstance(stamp, str) else None


def open_gate(
    limits: RiskLimits,
    breaker: BreakerConfig | None,
    source: IntentSource,
    portfolio: Portfolio,
    fx: FxRateSource,
    sink: EventSink,
    *,
    live: bool,
    safety: SafetyBinding | None,
    now: datetime,
) -> RiskGate:
    """The run's risk gate. With an account binding the account's stored breaker is adopted
    now (tightened to ``breaker`` where that is stricter, kept when ``breaker`` is None)."""
    if safety is None:
        fresh = CircuitBreaker(breaker) if breaker is not None else None
        return RiskGate(RiskManager(limits, breaker=fresh, live=live), source, portfolio, fx, sink)
    carried = safety.is_account and safety.stored_breaker is not None
    at = safety.clock() if safety.clock is not None else now
    if carried:
        chosen, tightened = restore(safety.stored_breaker, breaker, by="session start", now=at)
    else:
        chosen, tightened = (CircuitBreaker(breaker) if breaker is not None else None), ()
    gate = RiskGate(
        RiskManager(limits, breaker=chosen, live=live),
        source,
        portfolio,
        fx,
        sink,
        breaker_clock=safety.clock,
        trading=safety.kill_switch(),
    )
    if safety.track is not None:
        safety.track(lambda: gate.breaker.to_dict() if gate.breaker is not None else None)
    if carried and chosen is not None:
        gate.adopt_breaker(chosen, carry_over=True)
        sink.emit(
            "breaker.restored",
            now,
            {
                "scope": safety.scope,
                "status": chosen.status.value,
                "reason": chosen.state.reason,
                "tightened": [e.field for e in tightened],
            },
        )
    return gate


def resumed_breaker(
    stored: Mapping[str, Any] | None, configured: CircuitBreaker | None, now: datetime
) -> CircuitBreaker | None:
    """A resumed run's breaker: the stored one tightened to the configured thresholds (never
    loosened); None when neither exists."""
    if stored is None:
        return None
    chosen, _ = restore(stored, configured.config if configured else None, by="restart", now=now)
    return chosen


@dataclass(frozen=True)
class SafetyStatus:
    """A scope's breaker and kill switch as stored."""

    scope: str
    breaker: CircuitBreaker | None
    switch: Mapping[str, Any] | None

    @property
    def trading_enabled(self) -> bool:
        return self.switch is None or self.switch.get("enabled") is not False

    def as_dict(self) -> dict[str, Any]:
        state = self.breaker.state if self.breaker is not None else None
        return {
            "scope": self.scope,
            "trading_enabled": self.trading_enabled,
            "switch": dict(self.switch) if self.switch is not None else None,
            "breaker": None
            if state is None
            else {
                "status": state.status.value,
                "reason": state.reason,
                "causes": sorted(c.value for c in state.causes),
                "tripped_at": state.tripped_at.isoformat() if state.tripped_at else None,
                "updated_at": state.updated_at.isoformat() if state.updated_at else None,
            },
        }


def safety_status(store: SqlEngine, scope: str) -> SafetyStatus:
    repo = SafetyStateRepository(store)
    entry = repo.breaker(scope)
    breaker = CircuitBreaker.from_dict(entry.value) if entry is not None else None
    return SafetyStatus(scope, breaker, repo.switch(scope))


def resume_breaker(store: SqlEngine, scope: str, *, by: str, now: datetime) -> SafetyStatus:
    """A person re-arms the scope's tripped breaker (``CircuitBreaker.resume``), compare-and-set:
    a session that wrote the breaker meanwhile makes this fail rather than be overwritten."""
    state = SystemStateRepository(store)
    key = breaker_key(scope)
    entry = state.get(key)
    if entry is None:
        raise ConfigError(f"no circuit breaker stored for {scope!r}")
    breaker = CircuitBreaker.from_dict(entry.value)
    breaker.resume(by=by, now=now)
    if not state.compare_and_put(key, breaker.to_dict(), expected_version=entry.version, at=now):
        raise ConfigError(f"the breaker of {scope!r} changed while resuming it; try again")
    return safety_status(store, scope)


def refuse_real_account(real_money: bool) -> None:
    """``run --broker`` replays past sessions through the broker: fine for a virtual account or
    a sandbox, refused for real money until a wall-clock driver exists."""
    if real_money:
        raise ConfigError(
            "run --broker kis refuses a real-money account: it replays past sessions and would "
            "send today's orders on decisions from past prices; use a virtual account or the "
            "sandbox until the live agent (a wall-clock driver) exists"
        )


__all__ = [
    "REPLAY_THROUGH_BROKER",
    "KillSwitch",
    "SafetyBinding",
    "SafetyRecord",
    "SafetyStatus",
    "open_gate",
    "refuse_real_account",
    "resume_breaker",
    "resumed_breaker",
    "safety_status",
]
