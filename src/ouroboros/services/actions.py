"""The operator's guarded actions: stop or resume trading per account, reset or tighten the
circuit breaker. Each one writes the new state and an audit event naming who asked in one
transaction, so a change is never recorded without its reason, nor the reason without it.

The clock is injected (``now``); the trace id of the request that caused the change is stored
on the event.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine

from ouroboros.errors import ConfigError, InvariantError
from ouroboros.risk.breaker import codec
from ouroboros.risk.breaker.machine import CircuitBreaker
from ouroboros.risk.errors import BreakerStateError
from ouroboros.services.jsonable import jsonable
from ouroboros.services.keys import state_keys
from ouroboros.store.records import EventRecord
from ouroboros.store.repositories import EventStore, SystemStateRepository
from ouroboros.store.session import transaction

Clock = Callable[[], datetime]


class NoBreakerState(LookupError):
    """The account has no stored breaker state to reset or tighten."""


@dataclass(frozen=True, slots=True)
class Actor:
    """Who asked: ``channel`` (api, dashboard, telegram, discord, cli) and an identity."""

    channel: str
    identity: str

    def __str__(self) -> str:
        return f"{self.channel}:{self.identity}"


@dataclass(frozen=True, slots=True)
class ActionResult:
    action: str
    account: str
    by: str
    at: datetime
    event_id: str
    state: Mapping[str, Any]

    def as_dict(self) -> dict[str, Any]:
        out = jsonable(
            {
                "action": self.action,
                "account": self.account,
                "by": self.by,
                "at": self.at,
                "event_id": self.event_id,
                "state": self.state,
            }
        )
        if not isinstance(out, dict):
            raise InvariantError(f"a JSON object was expected, was {type(out).__name__}")
        return out


class OperatorActions:
    def __init__(self, engine: Engine, now: Clock) -> None:
        self._engine = engine
        self._now = now

    def set_trading(
        self, account: str, *, enabled: bool, by: Actor, reason: str = "", trace_id: str | None
    ) -> ActionResult:
        """Turn ``account``'s trading switch on or off (the kill switch)."""
        keys = state_keys(account)
        at = self._now()
        value = {
            "enabled": enabled,
            "reason": reason or ("resumed" if enabled else "stopped"),
            "by": str(by),
        }
        action = "trading_enabled" if enabled else "trading_disabled"
        event = _event(action, account, by, at, trace_id, {"reason": value["reason"]})
        with transaction(self._engine, immediate=True) as conn:
            SystemStateRepository(conn).put(keys.trading, value, at)
            EventStore(conn).append([event])
        return ActionResult(action, account, str(by), at, event.event_id, value)

    def record(
        self,
        action: str,
        *,
        account: str,
        by: Actor,
        details: Mapping[str, Any],
        trace_id: str | None = None,
    ) -> str:
        """Audit something a person decided that changes no stored switch (for example a
        large-order confirmation); returns the event id."""
        event = _event(action, account, by, self._now(), trace_id, details)
        EventStore(self._engine).append([event])
        return event.event_id

    def reset_breaker(self, account: str, *, by: Actor, trace_id: str | None) -> ActionResult:
        """Resume a tripped breaker by hand (the breaker re-bases its day and drawdown)."""
        return self._change_breaker(
            account, "breaker_reset", by, trace_id, lambda b, at: b.resume(by=str(by), now=at)
        )

    def tighten_breaker(
        self, account: str, changes: Mapping[str, Any], *, by: Actor, trace_id: str | None
    ) -> ActionResult:
        """Adopt stricter thresholds (codec field names, e.g. ``max_daily_loss_pct``); any
        change that would loosen a limit is refused with the field named."""

        def apply(breaker: CircuitBreaker, at: datetime) -> object:
            current = codec.config_to_dict(breaker.config)
            unknown = sorted(set(changes) - set(current))
            if unknown:
                raise ConfigError(f"unknown breaker setting(s): {', '.join(unknown)}")
            try:
                config = codec.config_from_dict({**current, **changes})
            except (BreakerStateError, ValueError, TypeError) as exc:
                raise ConfigError(f"breaker settings: {exc}") from None
            return breaker.tighten(config, by=str(by), now=at)

        return self._change_breaker(account, "breaker_tightened", by, trace_id, apply, changes)

    def _change_breaker(
        self,
        account: str,
        action: str,
        by: Actor,
        trace_id: str | None,
        apply: Callable[[CircuitBreaker, datetime], object],
        details: Mapping[str, Any] | None = None,
    ) -> ActionResult:
        keys = state_keys(account)
        at = self._now()
        with transaction(self._engine, immediate=True) as conn:
            repo = SystemStateRepository(conn)
            entry = repo.get(keys.breaker)
            if entry is None:
                raise NoBreakerState(f"account {account!r} has no stored circuit breaker state")
            breaker = CircuitBreaker.from_dict(entry.value)
            apply(breaker, at)
            state = breaker.to_dict()
            repo.put(keys.breaker, state, at)
            event = _event(action, account, by, at, trace_id, {"changes": dict(details or {})})
            EventStore(conn).append([event])
        return ActionResult(action, account, str(by), at, event.event_id, state)


def _event(
    action: str,
    account: str,
    by: Actor,
    at: datetime,
    trace_id: str | None,
    extra: Mapping[str, Any],
) -> EventRecord:
    payload = jsonable({"account": account, "by": str(by), "channel": by.channel, **extra})
    return EventRecord(
        type=f"operator.{action}", payload=payload, ts=at, trace_id=trace_id, aggregate_id=account
    )
