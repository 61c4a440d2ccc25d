"""Large-order confirmation (seed 001): an order worth more than ``LARGE_ORDER_THRESHOLD``
(5,000,000 KRW, converted at the given rates for other currencies) waits for a person's yes.

The question goes out through the notify queues (Telegram with inline Yes/No buttons; Discord
as text that names the buttons' codes); the answer comes back through :meth:`answer` (the
Telegram button handler). No answer within ``CONFIRMATION_TIMEOUT_SECONDS`` (60), or a no,
means the order is not sent. Every request and its outcome is audited. Each order waits on its
own future, so a pending question never blocks another market's orders; the driver calls
:meth:`expire` on its clock (or runs :meth:`run_expiry`).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from ouroboros.domain.currency import Currency
from ouroboros.domain.fx import FxRateSource, MissingFxRate, convert
from ouroboros.domain.money import Money
from ouroboros.notify.port import Button
from ouroboros.services import Actor, OperatorActions

log = logging.getLogger(__name__)
DEFAULT_THRESHOLD = Money(Decimal(5_000_000), Currency.KRW)
DEFAULT_TIMEOUT = timedelta(seconds=60)
PREFIX = "confirm"

Post = Callable[[str, Sequence[Button]], object]
Audit = Callable[[str, str, Mapping[str, Any]], object]
"""(event action, who, details)."""


class Answer(StrEnum):
    NOT_NEEDED = "not_needed"
    YES = "yes"
    NO = "no"
    TIMEOUT = "timeout"


@dataclass(frozen=True, slots=True)
class Verdict:
    approved: bool
    answer: Answer
    by: str
    request_id: str | None = None


@dataclass(slots=True)
class _Pending:
    future: asyncio.Future[Verdict]
    deadline: datetime
    summary: str


class LargeOrderGate:
    def __init__(
        self,
        *,
        rates: FxRateSource,
        now: Callable[[], datetime],
        post: Sequence[Post],
        audit: Audit,
        threshold: Money = DEFAULT_THRESHOLD,
        timeout: timedelta = DEFAULT_TIMEOUT,
    ) -> None:
        if threshold.amount <= 0 or timeout <= timedelta(0):
            raise ValueError("LARGE_ORDER_THRESHOLD and CONFIRMATION_TIMEOUT must be positive")
        self._rates = rates
        self._now = now
        self._post = tuple(post)
        self._audit = audit
        self._threshold = threshold
        self._timeout = timeout
        self._pending: dict[str, _Pending] = {}

    def needs_confirmation(self, value: Money) -> bool:
        """Is ``value`` above the threshold? A missing FX rate fails closed (it asks)."""
        try:
            in_threshold = convert(abs(value), self._threshold.currency, self._rates)
        except MissingFxRate:
            return True
        return in_threshold.amount > self._threshold.amount

    @property
    def pending(self) -> list[str]:
        return sorted(self._pending)

    async def confirm(self, summary: str, value: Money) -> Verdict:
        """Ask a person if ``value`` is large; resolves yes, no or timeout. Never raises for a
        failing channel (the queues log that); with no channel it still times out."""
        if not self.needs_confirmation(value):
            return Verdict(True, Answer.NOT_NEEDED, "threshold")
        request_id = secrets.token_hex(6)
        future: asyncio.Future[Verdict] = asyncio.get_running_loop().create_future()
        deadline = self._now() + self._timeout
        self._pending[request_id] = _Pending(future, deadline, summary)
        details = {"request_id": request_id, "order": summary, "value": str(value)}
        self._audit("large_order_requested", "system", {**details, "deadline": deadline})
        text = (
            f"Large order needs your confirmation: {summary} ({value}). "
            f"Answer within {int(self._timeout.total_seconds())} s or it is not sent."
        )
        buttons = (
            Button("Yes, send", f"{PREFIX}:{request_id}:yes"),
            Button("No", f"{PREFIX}:{request_id}:no"),
        )
        for post in self._post:
            post(text, buttons)
        verdict = await future
        action = {
            Answer.YES: "large_order_approved",
            Answer.NO: "large_order_declined",
        }.get(verdict.answer, "large_order_expired")
        self._audit(action, verdict.by, details)
        return verdict

    def answer(self, request_id: str, yes: bool, by: str) -> bool:
        """Resolve a pending request; ``False`` if it is unknown or already decided."""
        pending = self._pending.pop(request_id, None)
        if pending is None or pending.future.done():
            return False
        pending.future.set_result(Verdict(yes, Answer.YES if yes else Answer.NO, by, request_id))
        return True

    async def on_button(self, data: str, by: str) -> str:
        """The Telegram button handler: ``confirm:<id>:yes|no``."""
        parts = data.split(":")
        if len(parts) != 3 or parts[0] != PREFIX or parts[2] not in ("yes", "no"):
            return "unknown button"
        if not self.answer(parts[1], parts[2] == "yes", by):
            return "this question is no longer open"
        return "order will be sent" if parts[2] == "yes" else "order cancelled"

    def expire(self) -> int:
        """Resolve every request whose deadline has passed as a timeout (not sent)."""
        now = self._now()
        expired = [rid for rid, p in self._pending.items() if now >= p.deadline]
        for rid in expired:
            pending = self._pending.pop(rid)
            if not pending.future.done():
                pending.future.set_result(Verdict(False, Answer.TIMEOUT, "timeout", rid))
        return len(expired)

    async def run_expiry(
        self, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep, every: float = 1.0
    ) -> None:
        while True:
            await sleep(every)
            self.expire()


def store_audit(actions: OperatorActions, account: str) -> Audit:
    """An :data:`Audit` that writes ``operator.<action>`` events through the service layer."""

    def audit(action: str, who: str, details: Mapping[str, Any]) -> str:
        channel, _, identity = who.partition(":")
        by = Actor(channel if identity else "system", identity or channel)
        return actions.record(action, account=account, by=by, details=details)

    return audit
