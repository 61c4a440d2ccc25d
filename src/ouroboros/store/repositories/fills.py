"""Fills: stored once per ``(broker, fill_id)``, however often a report is replayed."""

from __future__ import annotations

from collections.abc import Iterable

from ouroboros.domain.fills import Fill
from ouroboros.domain.ids import ClientOrderId
from ouroboros.store.convert import fill_from, fill_row
from ouroboros.store.dialect import insert_ignore
from ouroboros.store.session import Bind, transaction
from ouroboros.store.tables import FILLS

FILL_KEY = ("broker", "fill_id")


class FillRepository:
    def __init__(self, bind: Bind) -> None:
        self._bind = bind

    def insert(self, fill: Fill, *, run_id: str, broker: str) -> bool:
        """Store a fill; ``False`` when this broker's fill id was already stored."""
        return self.insert_many([fill], run_id=run_id, broker=broker) == 1

    def insert_many(self, fills: Iterable[Fill], *, run_id: str, broker: str) -> int:
        """Store fills in one transaction; returns how many were new."""
        rows = [fill_row(fill, run_id=run_id, broker=broker) for fill in fills]
        if not rows:
            return 0
        with transaction(self._bind) as conn:
            return conn.execute(insert_ignore(conn, FILLS, FILL_KEY), rows).rowcount

    def for_order(self, client_order_id: ClientOrderId) -> list[Fill]:
        query = FILLS.select().where(FILLS.c.client_order_id == client_order_id.value)
        with transaction(self._bind) as conn:
            rows = conn.execute(query.order_by(FILLS.c.ts, FILLS.c.id)).mappings()
            return [fill_from(row) for row in rows]

    def for_run(self, run_id: str) -> list[Fill]:
        query = FILLS.select().where(FILLS.c.run_id == run_id)
        with transaction(self._bind) as conn:
            rows = conn.execute(query.order_by(FILLS.c.ts, FILLS.c.id)).mappings()
            return [fill_from(row) for row in rows]
