"""Fault injection for the sandbox's REST and streams (reference §3, §9).

Queued faults hit the next matching requests: ``429`` (rate limit, with Alpaca's headers),
``500``/``503``/``504`` before processing, ``5xx_after`` (processed, then a 500: the outcome is
unknown to the client), ``timeout`` (held ``delay`` seconds before processing, so the request
is still in flight when the client gives up) and ``timeout_after`` (processed, then held).
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field

KINDS = frozenset({"429", "500", "503", "504", "5xx_after", "timeout", "timeout_after"})
BEFORE = frozenset({"429", "500", "503", "504"})


@dataclass(slots=True)
class Fault:
    kind: str
    path_contains: str
    method: str
    remaining: int


@dataclass(slots=True)
class FaultQueue:
    delay: float = 1.0
    queued: list[Fault] = field(default_factory=list)
    injected: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def queue(self, kind: str, count: int = 1, path_contains: str = "", method: str = "") -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind (one of {sorted(KINDS)}), was {kind!r}")
        if count < 1:
            raise ValueError(f"fault count must be >= 1, was {count}")
        with self.lock:
            self.queued.append(Fault(kind, path_contains, method.upper(), count))

    def take(self, method: str, path: str) -> str | None:
        with self.lock:
            for fault in self.queued:
                if fault.path_contains in path and fault.method in ("", method):
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        self.queued.remove(fault)
                    self.injected[fault.kind] += 1
                    return fault.kind
        return None
