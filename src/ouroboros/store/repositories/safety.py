"""Safety state scoped to what it protects: a broker account, or one offline run.

Two ``system_state`` entries per scope:

* ``circuit_breaker:<scope>`` - the breaker's ``to_dict()``. Written only by the session's
  batches (``BatchWriter.put_state``, compare-and-set on the version read at start), in the same
  transaction as the rows of the steps that changed it.
* ``trading_enabled:<scope>`` - the kill switch ``{"enabled": bool, "reason": str, "by": str}``,
  set by a person; absent means enabled. A disabled scope sends nothing to its broker.

The scope of a broker session is its account key (``kis-virtual:50000000-01``): every session on
the account shares one breaker and one switch. An offline replay's scope is ``run:<run_id>``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ouroboros.errors import ConfigError, StopError
from ouroboros.store.records import StateEntry
from ouroboros.store.repositories.system_state import SystemStateRepository
from ouroboros.store.session import Bind

BREAKER_PREFIX = "circuit_breaker:"
TRADING_PREFIX = "trading_enabled:"
RUN_PREFIX = "run:"
_KEY_LENGTH = 64


class CorruptSafetyState(StopError):
    """A stored kill switch that is not ``{"enabled": true|false, ...}``: nothing is sent."""


def account_scope(broker_key: str) -> str:
    """The scope of every session on one broker account."""
    if not broker_key or broker_key.startswith(RUN_PREFIX):
        raise ConfigError(f"invalid broker account key, was {broker_key!r}")
    return _checked(broker_key)


def run_scope(run_id: str) -> str:
    """The scope of one offline replay or backtest run."""
    if not run_id:
        raise ConfigError("invalid run id, was empty")
    return _checked(RUN_PREFIX + run_id)


def breaker_key(scope: str) -> str:
    return BREAKER_PREFIX + scope


def trading_key(scope: str) -> str:
    return TRADING_PREFIX + scope


def _checked(scope: str) -> str:
    longest = max(len(BREAKER_PREFIX), len(TRADING_PREFIX)) + len(scope)
    if longest > _KEY_LENGTH:
        raise ConfigError(
            f"safety scope {scope!r} is too long for a system_state key "
            f"({longest} > {_KEY_LENGTH} characters)"
        )
    return scope


class SafetyStateRepository:
    """Reads the breaker and the kill switch of a scope; sets the switch."""

    def __init__(self, bind: Bind) -> None:
        self._state = SystemStateRepository(bind)

    def breaker(self, scope: str) -> StateEntry | None:
        return self._state.get(breaker_key(scope))

    def trading_enabled(self, scope: str) -> bool:
        """The kill switch (absent: enabled); a malformed entry raises ``CorruptSafetyState``."""
        entry = self._state.get(trading_key(scope))
        if entry is None:
            return True
        enabled = entry.value.get("enabled")
        if not isinstance(enabled, bool):
            raise CorruptSafetyState(
                f"system_state {trading_key(scope)!r}: invalid enabled, was {enabled!r}"
            )
        return enabled

    def switch(self, scope: str) -> dict[str, Any] | None:
        """The stored switch as written (who, why), or None when never set."""
        entry = self._state.get(trading_key(scope))
        return dict(entry.value) if entry is not None else None

    def set_trading_enabled(
        self, scope: str, enabled: bool, at: datetime, *, by: str, reason: str = ""
    ) -> int:
        """Flip the kill switch; returns the entry's new version."""
        if not by.strip():
            raise ConfigError("the kill switch needs the name of whoever flips it, was empty")
        value = {"enabled": enabled, "reason": reason, "by": by}
        return self._state.put(trading_key(scope), value, at)


__all__ = [
    "BREAKER_PREFIX",
    "TRADING_PREFIX",
    "CorruptSafetyState",
    "SafetyStateRepository",
    "account_scope",
    "breaker_key",
    "run_scope",
    "trading_key",
]
