"""The append-only audit log (event sourcing): append in batches, read back in order."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.exc import IntegrityError

from ouroboros.store.convert import event_from, event_row
from ouroboros.store.errors import DuplicateKey
from ouroboros.store.integrity import violates
from ouroboros.store.records import EventRecord, StoredEvent
from ouroboros.store.session import Bind, transaction
from ouroboros.store.tables import EVENTS


class EventStore:
    """There is no update or delete here, and the database refuses them too (triggers)."""

    def __init__(self, bind: Bind) -> None:
        self._bind = bind

    def append(self, events: Sequence[EventRecord]) -> None:
        """Append events in one transaction: all of them or none."""
        if not events:
            return
        try:
            with transaction(self._bind) as conn:
                conn.execute(EVENTS.insert(), [event_row(e) for e in events])
        except IntegrityError as exc:
            if violates(exc, table="events", columns=("event_id",), name="uq_events_event_id"):
                raise DuplicateKey("an event id in the batch was already appended") from exc
            raise

    def read(
        self,
        *,
        run_id: str | None = None,
        cycle_id: str | None = None,
        aggregate_id: str | None = None,
        event_type: str | None = None,
        after_seq: int = 0,
        limit: int | None = None,
    ) -> list[StoredEvent]:
        """Events in log order, filtered; ``after_seq`` pages through a long log."""
        query = EVENTS.select().where(EVENTS.c.seq > after_seq)
        for column, value in (
            (EVENTS.c.run_id, run_id),
            (EVENTS.c.cycle_id, cycle_id),
            (EVENTS.c.aggregate_id, aggregate_id),
            (EVENTS.c.type, event_type),
        ):
            if value is not None:
                query = query.where(column == value)
        query = query.order_by(EVENTS.c.seq)
        if limit is not None:
            query = query.limit(limit)
        with transaction(self._bind) as conn:
            return [event_from(row) for row in conn.execute(query).mappings()]
