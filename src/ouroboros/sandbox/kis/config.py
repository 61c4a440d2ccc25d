"""Sandbox configuration: credentials it knows, limits it enforces, faults it injects."""

from __future__ import annotations

import hashlib
import string
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from ouroboros.domain.currency import Currency

DEFAULT_CASH: dict[Currency, Decimal] = {
    Currency.KRW: Decimal(100_000_000),
    Currency.USD: Decimal(100_000),
    Currency.HKD: Decimal(500_000),
    Currency.CNY: Decimal(500_000),
    Currency.JPY: Decimal(10_000_000),
    Currency.VND: Decimal(2_000_000_000),
}


# KIS issues 36-character app keys and 180-character secrets; published clients check both.
APP_KEY_LENGTH, APP_SECRET_LENGTH = 36, 180
_ALPHABET = string.ascii_letters + string.digits


def _chars(seed: str, n: int) -> str:
    """``n`` letters and digits, the same for the same seed (a printed key stays valid)."""
    out, counter = "", 0
    while len(out) < n:
        digest = hashlib.sha256(f"{seed}:{counter}".encode()).digest()
        out += "".join(_ALPHABET[b % len(_ALPHABET)] for b in digest)
        counter += 1
    return out[:n]


@dataclass(frozen=True, slots=True)
class SandboxApp:
    """An app key pair the sandbox accepts, whether it is a virtual (모의) key, and its accounts."""

    app_key: str
    app_secret: str
    virtual: bool = True
    accounts: tuple[str, ...] = ("50000001-01",)
    hts_id: str = "sandboxuser"


@dataclass(slots=True)
class FaultPlan:
    """Random faults, drawn per REST request under ``/uapi`` from a seeded generator.

    ``p_*`` are probabilities. A 5xx or timeout on an order happens *after* the order was
    processed with probability ``after_share`` (the nasty case: the order exists, the client
    does not know), otherwise before it.
    """

    seed: int = 0
    p_5xx: float = 0.0
    p_timeout: float = 0.0
    p_malformed: float = 0.0
    p_rate_limit: float = 0.0
    timeout_delay: float = 2.0
    after_share: float = 0.5


@dataclass(slots=True)
class SandboxConfig:
    virtual: bool = True
    seed: int = 7
    apps: tuple[SandboxApp, ...] = ()
    rate_limit: float | None = None  # None: 20 real / 2 virtual; 0: off
    token_interval: float = 60.0
    token_lifetime: float = 86_400.0
    token_reuse_hours: float = 6.0
    balance_page_size: int | None = None  # real 50, virtual 20
    ccld_page_size: int | None = None  # real 100, virtual 15
    ping_interval: float = 100.0
    max_subscriptions: int = 40
    enforce_sessions: bool = False
    require_hashkey: bool = False
    auto_step_interval: float | None = None
    starting_cash: dict[Currency, Decimal] = field(default_factory=lambda: dict(DEFAULT_CASH))
    faults: FaultPlan = field(default_factory=FaultPlan)
    universe: dict[str, str] | None = None
    start: datetime | None = None  # the sandbox clock's first instant (None: the real time)
    app_key: str | None = None  # the default app's key (None: a 36-character one from the seed)
    app_secret: str | None = None  # its secret (None: a 180-character one from the seed)
    charge_fees: bool = False
    """Charge each execution its market's fee schedule (``execution/fees.py``), as KIS does."""

    def effective_apps(self) -> tuple[SandboxApp, ...]:
        if self.apps:
            return self.apps
        kind = "virtual" if self.virtual else "real"
        key = self.app_key or "PS" + _chars(f"{kind}:{self.seed}:key", APP_KEY_LENGTH - 2)
        secret = self.app_secret or _chars(f"{kind}:{self.seed}:secret", APP_SECRET_LENGTH)
        return (SandboxApp(key, secret, self.virtual),)

    def effective_rate(self) -> float | None:
        rate = (2.0 if self.virtual else 20.0) if self.rate_limit is None else self.rate_limit
        return rate or None
