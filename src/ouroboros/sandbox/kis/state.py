"""Sandbox state other than the books: its clock, credentials, tokens, rate windows and faults."""

from __future__ import annotations

import hashlib
import random
import secrets
import time
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from ouroboros.clock import LiveClock
from ouroboros.domain.ids import InstrumentId
from ouroboros.execution.fees import market_fees
from ouroboros.sandbox.kis.config import SandboxApp, SandboxConfig
from ouroboros.sandbox.kis.engine import Exchange, Holding
from ouroboros.sandbox.kis.prices import RandomWalkPrices


class SandboxClock:
    """Real UTC time plus an offset the tests can move forward (token expiry, the 1/min rule)."""

    def __init__(self, start: datetime | None = None) -> None:
        self.offset = timedelta(0)
        self._wall = LiveClock()
        if start is not None:  # a fixed starting instant (deterministic market tests)
            self.offset = start - self.now()

    def now(self) -> datetime:
        return self._wall.now() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)


@dataclass(slots=True)
class Token:
    value: str
    app_key: str
    issued: datetime
    expires: datetime
    revoked: bool = False


class TokenRegistry:
    """Access tokens and approval keys, with KIS's one-issue-per-minute rule per app key."""

    def __init__(self, config: SandboxConfig, clock: SandboxClock) -> None:
        self._config = config
        self._clock = clock
        self.apps = {a.app_key: a for a in config.effective_apps()}
        self.tokens: dict[str, Token] = {}
        self.last_issue: dict[str, datetime] = {}
        self.approval_keys: dict[str, str] = {}  # approval key -> app key
        self.issued_count = 0
        self.hashes: dict[str, str] = {}

    def app(self, app_key: str, secret: str) -> SandboxApp | None:
        app = self.apps.get(app_key)
        return app if app is not None and secrets.compare_digest(app.app_secret, secret) else None

    def issue(self, app: SandboxApp) -> Token | None:
        """A token, or None when the last issue was under ``token_interval`` ago (EGW00133)."""
        now = self._clock.now()
        last = self.last_issue.get(app.app_key)
        if last is not None and (now - last).total_seconds() < self._config.token_interval:
            return None
        self.last_issue[app.app_key] = now
        reuse = timedelta(hours=self._config.token_reuse_hours)
        for token in self.tokens.values():
            live = not token.revoked and token.expires > now
            if token.app_key == app.app_key and live and now - token.issued < reuse:
                return token  # OTA: re-requesting within 6 hours returns the same token
        token = Token(
            "sbx." + secrets.token_urlsafe(24),
            app.app_key,
            now,
            now + timedelta(seconds=self._config.token_lifetime),
        )
        self.tokens[token.value] = token
        self.issued_count += 1
        return token

    def check(self, bearer: str, app_key: str) -> str | None:
        """None when valid, else the gateway code: EGW00121 unknown, EGW00123 expired."""
        token = self.tokens.get(bearer)
        if token is None or token.revoked or token.app_key != app_key:
            return "EGW00121"
        if token.expires <= self._clock.now():
            return "EGW00123"
        return None

    def expire_all(self) -> None:
        now = self._clock.now()
        for token in self.tokens.values():
            token.expires = min(token.expires, now - timedelta(seconds=1))

    def approval(self, app: SandboxApp) -> str:
        key = secrets.token_hex(18)
        self.approval_keys[key] = app.app_key
        return key

    def hashkey(self, raw_body: bytes) -> str:
        digest = hashlib.sha256(raw_body).hexdigest()
        self.hashes[digest] = digest
        return digest


class RateWindow:
    """Fixed one-second windows per app key on the real (monotonic) clock."""

    def __init__(self, rate: float | None) -> None:
        self.rate = rate
        self._windows: dict[str, tuple[int, int]] = {}
        self.rejected = 0

    def allow(self, app_key: str) -> bool:
        if self.rate is None:
            return True
        second = int(time.monotonic())
        start, count = self._windows.get(app_key, (second, 0))
        if start != second:
            start, count = second, 0
        if count >= self.rate:
            self.rejected += 1
            return False
        self._windows[app_key] = (start, count + 1)
        return True


class Faults:
    """One-shot queued faults plus the random :class:`FaultPlan`."""

    KINDS = ("5xx", "5xx_after", "timeout", "timeout_after", "malformed", "rate_limit", "expired")

    def __init__(self, config: SandboxConfig) -> None:
        self.plan = config.faults
        self._rng = random.Random(self.plan.seed)
        self._queue: deque[tuple[str, str]] = deque()
        self.injected: dict[str, int] = {}

    def queue(self, kind: str, count: int = 1, path_contains: str = "") -> None:
        if kind not in self.KINDS:
            raise ValueError(f"unknown fault, was {kind!r} (known: {', '.join(self.KINDS)})")
        self._queue.extend([(kind, path_contains)] * count)

    def clear(self) -> None:
        self._queue.clear()

    def reseed(self, seed: int) -> None:
        self._rng = random.Random(seed)

    def draw(self, path: str, is_order: bool) -> str | None:
        for i, (kind, needle) in enumerate(self._queue):
            if needle in path:
                del self._queue[i]
                return self._count(kind)
        plan, roll = self.plan, self._rng.random()
        after = is_order and self._rng.random() < plan.after_share
        for kind, p in (
            ("rate_limit", plan.p_rate_limit),
            ("5xx_after" if after else "5xx", plan.p_5xx),
            ("timeout_after" if after else "timeout", plan.p_timeout),
            ("malformed", plan.p_malformed),
        ):
            if roll < p:
                return self._count(kind)
            roll -= p
        return None

    def _count(self, kind: str) -> str:
        self.injected[kind] = self.injected.get(kind, 0) + 1
        return kind


class SandboxState:
    """Everything one sandbox instance knows; touched only on the server's event loop."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.clock = SandboxClock(config.start)
        self.prices = RandomWalkPrices(seed=config.seed, universe=config.universe)
        fees = market_fees if config.charge_fees else None
        self.exchange = Exchange(self.prices, self.clock.now, fees)
        self.tokens = TokenRegistry(config, self.clock)
        self.rate = RateWindow(config.effective_rate())
        self.faults = Faults(config)
        self.request_count = 0
        self.in_flight = 0  # /uapi requests being handled (tests wait for 0: nothing in flight)
        self.org_no = "91252"
        for app in config.effective_apps():
            for number in app.accounts:
                self.exchange.open_account(number, config.starting_cash)

    def app_for_account(self, app: SandboxApp, cano: str, prdt: str) -> str | None:
        number = f"{cano}-{prdt}"
        return number if number in app.accounts else None

    def seed_holding(
        self, account: str, instrument: InstrumentId, quantity: int, price: str
    ) -> None:
        """Give an account shares bought earlier at ``price`` (for sell-side tests and demos)."""
        self.exchange.market(instrument)  # validates the symbol
        holding = self.exchange.accounts[account].holdings.setdefault(instrument, Holding())
        holding.quantity += Decimal(quantity)
        holding.cost += Decimal(price) * quantity
