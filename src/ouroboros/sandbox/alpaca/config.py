"""The sandbox's settings: credentials, seed, clock start, rate limit and latencies."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(slots=True)
class SandboxConfig:
    key_id: str = "SANDBOXKEY"
    secret_key: str = "sandbox-secret"
    seed: int = 7
    start: dt.datetime = dt.datetime(2026, 1, 5, 15, 0, tzinfo=dt.UTC)
    rate_limit_per_minute: int = 0
    """Requests per minute per key before a 429 (Alpaca: 200); 0 disables the limit."""
    fault_delay: float = 1.0
    cancel_latency_steps: int = 0
    """Steps an order stays ``pending_cancel`` after a DELETE (0: canceled at once)."""
    step_seconds: float = 60.0
    """Clock advance per :meth:`AlpacaSandbox.step`."""
    auto_step_interval: float = 0.0
    """Wall seconds between automatic steps in the foreground server (0: never)."""
