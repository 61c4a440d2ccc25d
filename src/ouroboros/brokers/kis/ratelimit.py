"""Client-side request pacing: one app-key-wide budget plus optional per-endpoint-class budgets.

KIS counts requests per app key (20/s real, 2/s virtual per the reference), so every request
takes from the shared budget; an endpoint class (``quote``, ``order``, ``account``) may have a
tighter budget of its own. Each budget is an ``aiolimiter`` bucket of capacity one, i.e. requests
are *spaced* 1/rate apart, the way the official samples sleep between calls - a burst-then-wait
bucket would exceed the server's one-second window at the edges.
"""

from __future__ import annotations

from collections.abc import Mapping

from aiolimiter import AsyncLimiter


def _bucket(rate: float) -> AsyncLimiter:
    return AsyncLimiter(max_rate=1, time_period=1.0 / rate)


class RateLimiter:
    """``acquire(endpoint_class)`` waits until both the shared and the class budget allow."""

    def __init__(self, total: float | None, per_class: Mapping[str, float] | None = None) -> None:
        self.total = total
        self.per_class = dict(per_class or {})
        self._shared = _bucket(total) if total else None
        self._classes = {name: _bucket(rate) for name, rate in self.per_class.items() if rate}

    def __repr__(self) -> str:
        return f"RateLimiter(total={self.total}, per_class={self.per_class})"

    async def acquire(self, endpoint_class: str = "quote") -> None:
        limiter = self._classes.get(endpoint_class)
        if limiter is not None:
            await limiter.acquire()
        if self._shared is not None:
            await self._shared.acquire()
