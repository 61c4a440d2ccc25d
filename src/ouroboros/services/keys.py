"""Where the operator's switches live in ``system_state``.

The names are the safety repository's (``store/repositories/safety.py``: one place names the
keys): ``trading_enabled:<scope>`` and ``circuit_breaker:<scope>``, where a scope is a broker
account key (``kis-virtual:50000001-01``) or ``run:<run id>`` for an offline run.
"""

from __future__ import annotations

from dataclasses import dataclass

from ouroboros.store.repositories.safety import (
    BREAKER_PREFIX,
    TRADING_PREFIX,
    account_scope,
    breaker_key,
    trading_key,
)


@dataclass(frozen=True, slots=True)
class StateKeys:
    trading: str
    breaker: str


def state_keys(account: str) -> StateKeys:
    """The ``system_state`` keys of ``account``'s trading switch and breaker (a run's scope,
    ``run:<id>``, is accepted as it is)."""
    scope = account if account.startswith("run:") else account_scope(account)
    return StateKeys(trading_key(scope), breaker_key(scope))


def account_of(key: str) -> str | None:
    """The scope a switch or breaker key belongs to; ``None`` for any other key."""
    for prefix in (TRADING_PREFIX, BREAKER_PREFIX):
        if key.startswith(prefix):
            return key[len(prefix) :] or None
    return None


__all__ = ["BREAKER_PREFIX", "TRADING_PREFIX", "StateKeys", "account_of", "state_keys"]
