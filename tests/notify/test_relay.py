"""Notifications tailed from the audit log of a store real runs wrote."""

from __future__ import annotations

import re

from sqlalchemy.engine import Engine

from ouroboros.notify.relay import EventRelay, format_event
from ouroboros.services import Actor, OperatorActions, ReadService
from ouroboros.store import EventRecord
from ouroboros.store.repositories import EventStore
from tests.services.run_store import FakeClock


def test_relay_posts_only_new_events_worth_telling(store: Engine, clock: FakeClock) -> None:
    posted: list[str] = []
    relay = EventRelay(ReadService(store), [posted.append])
    assert relay.relay_once() == 0  # history is not replayed
    EventStore(store).append(
        [
            EventRecord("breaker.BreakerTripped", {"reason": "daily loss 3.1% > 3%"}, clock.now()),
            EventRecord("risk.approve", {"summary": "APPROVE BUY 1 X"}, clock.now()),
            EventRecord(
                "risk.deny", {"summary": "DENY BUY 900 005930.KRX: fat finger"}, clock.now()
            ),
        ]
    )
    OperatorActions(store, clock.now).set_trading(
        "default", enabled=False, by=Actor("api", "alice"), trace_id=None
    )
    assert relay.relay_once() == 3
    assert posted == [
        "Circuit breaker TRIPPED: daily loss 3.1% > 3%",
        "Risk denied: DENY BUY 900 005930.KRX: fat finger",
        "Trading STOPPED for default by api:alice",
    ]
    assert relay.relay_once() == 0


def test_every_recorded_fill_and_playbook_formats(store: Engine) -> None:
    posted: list[str] = []
    relay = EventRelay(ReadService(store), [posted.append], after=0)
    relay.relay_once(limit=1000)
    assert any(m.startswith("Fill: BUY") for m in posted)
    playbook = re.compile(r"Playbook KR 2013-02-2[678]: \d+ stock\(s\), planner quant")
    assert any(playbook.match(m) for m in posted)
    assert format_event("order.created", {}) is None
