"""A bounded queue in front of the channels: at most one message per ``interval`` per
channel, failures logged and never raised, and ``post`` never waits.

The worker's pacing uses an injected ``monotonic``/``sleep`` pair, so tests drive it without
wall-clock waits.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from ouroboros.notify.port import Button, Channel

log = logging.getLogger(__name__)
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class _Item:
    text: str
    buttons: tuple[Button, ...]


class NotifyQueue:
    def __init__(
        self,
        channel: Channel,
        *,
        interval: float = 1.0,
        maxsize: int = 1000,
        monotonic: Callable[[], float],
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._channel = channel
        self._interval = interval
        self._queue: asyncio.Queue[_Item] = asyncio.Queue(maxsize)
        self._monotonic = monotonic
        self._sleep = sleep
        self._last: float | None = None
        self.sent = 0
        self.failed = 0
        self.dropped = 0

    def post(self, text: str, buttons: Sequence[Button] = ()) -> bool:
        """Queue a message; never waits. ``False`` (and a log line) when the queue is full."""
        try:
            self._queue.put_nowait(_Item(text, tuple(buttons)))
        except asyncio.QueueFull:
            self.dropped += 1
            log.warning("notify %s: queue full, message dropped", self._channel.name)
            return False
        return True

    async def deliver_one(self) -> None:
        """Wait for the next message, keep the rate, send it; a failure is logged."""
        item = await self._queue.get()
        try:
            if self._last is not None:
                wait = self._last + self._interval - self._monotonic()
                if wait > 0:
                    await self._sleep(wait)
            try:
                await self._channel.send(item.text, item.buttons)
                self.sent += 1
            except Exception as exc:  # a channel failure must never reach trading
                self.failed += 1
                log.warning("notify %s: send failed: %s", self._channel.name, exc)
            self._last = self._monotonic()
        finally:
            self._queue.task_done()

    async def run(self) -> None:
        """Deliver forever (a background task; cancel it to stop)."""
        while True:
            await self.deliver_one()

    def pending(self) -> int:
        return self._queue.qsize()
