"""Where the operator's switches live in ``system_state``: the one place that names the keys.

The trading switch and the circuit breaker are kept per account. The safety work names them
``trading_enabled:<account>`` and ``circuit_breaker:<account>``; if that naming changes, this
function is the only thing to adapt.
"""

from __future__ import annotations

from dataclasses import dataclass

TRADING_PREFIX = "trading_enabled"
BREAKER_PREFIX = "circuit_breaker"


@dataclass(frozen=True, slots=True)
class StateKeys:
    trading: str
    breaker: str


def state_keys(account: str) -> StateKeys:
    """The ``system_state`` keys of ``account``'s trading switch and breaker."""
    if not account or ":" in account or len(account) > 32:
        raise ValueError(f"account {account!r}: must be 1-32 characters without ':'")
    return StateKeys(f"{TRADING_PREFIX}:{account}", f"{BREAKER_PREFIX}:{account}")


def account_of(key: str) -> str | None:
    """The account a switch or breaker key belongs to; ``None`` for any other key."""
    for prefix in (TRADING_PREFIX, BREAKER_PREFIX):
        if key.startswith(prefix + ":"):
            return key[len(prefix) + 1 :]
    return None
