"""Notifications from the audit log: tail the store's events and post the ones a person should
see (fills, breaker trips and resumes, risk denials, venue errors, playbooks, operator
actions) to the notify queues. Works on any store a run is writing, without the live driver;
it starts at the log's end, so history is not replayed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from ouroboros.services import ReadService

Post = Callable[[str], object]


def _fill(p: Mapping[str, Any]) -> str:
    return (
        f"Fill: {p.get('side')} {p.get('quantity')} {p.get('instrument_id')} @ "
        f"{p.get('price')} {p.get('currency')} (fee {p.get('fee')})"
    )


def _playbook(p: Mapping[str, Any]) -> str:
    note = ", ".join(p.get("notes", []))
    return (
        f"Playbook {p.get('market')} {p.get('session_date')}: {len(p.get('stocks', []))} "
        f"stock(s), planner {p.get('planner')}{' (defensive)' if p.get('defensive') else ''}"
        f"{'; ' + note if note else ''}"
    )


FORMATS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "fill": _fill,
    "breaker.BreakerTripped": lambda p: f"Circuit breaker TRIPPED: {p.get('reason')}",
    "breaker.BreakerResumed": lambda p: f"Circuit breaker resumed: {p.get('reason')}",
    "risk.deny": lambda p: f"Risk denied: {p.get('summary') or p}",
    "intent.denied": lambda p: f"Intent denied: {p.get('reason') or p}",
    "order.denied": lambda p: f"Order denied: {p.get('reason') or p}",
    "order.rejected": lambda p: f"Order rejected by the venue: {p.get('reason') or p}",
    "venue.broker_error": lambda p: f"Broker error: {p.get('error') or p}",
    "venue.outcome_unknown": lambda p: f"Order outcome unknown: {p.get('client_order_id')}",
    "playbook.created": _playbook,
    "operator.trading_disabled": lambda p: f"Trading STOPPED for {p['account']} by {p['by']}",
    "operator.trading_enabled": lambda p: f"Trading resumed for {p['account']} by {p['by']}",
    "operator.breaker_reset": lambda p: f"Breaker reset for {p['account']} by {p['by']}",
}


def format_event(event_type: str, payload: Mapping[str, Any]) -> str | None:
    """The message for one event, or ``None`` when nobody needs to hear about it."""
    formatter = FORMATS.get(event_type)
    return formatter(payload) if formatter else None


class EventRelay:
    def __init__(self, reads: ReadService, posts: Sequence[Post], *, after: int | None = None):
        self._reads = reads
        self._posts = tuple(posts)
        self._seq = reads.last_seq() if after is None else after

    def relay_once(self, limit: int = 100) -> int:
        """Post the messages of the events appended since the last call; returns how many."""
        sent = 0
        for event in self._reads.events_after(self._seq, limit):
            self._seq = int(event["seq"])
            text = format_event(str(event["type"]), event["payload"] or {})
            if text is None:
                continue
            for post in self._posts:
                post(text)
            sent += 1
        return sent


async def relay_forever(
    relay: EventRelay, interval: float, sleep: Callable[[float], Awaitable[None]]
) -> None:
    while True:
        relay.relay_once()
        await sleep(interval)
