"""Capital events: deposits and withdrawals, recorded once per event id."""

from __future__ import annotations

from ouroboros.store.convert import capital_from, capital_row
from ouroboros.store.dialect import insert_ignore
from ouroboros.store.records import CapitalEvent
from ouroboros.store.session import Bind, transaction
from ouroboros.store.tables import CAPITAL_EVENTS


class CapitalEvents:
    def __init__(self, bind: Bind) -> None:
        self._bind = bind

    def record(self, event: CapitalEvent) -> bool:
        """Store a deposit or withdrawal; ``False`` if this event id was already stored."""
        with transaction(self._bind) as conn:
            stmt = insert_ignore(conn, CAPITAL_EVENTS, ["event_id"])
            return conn.execute(stmt, capital_row(event)).rowcount == 1

    def list(self, run_id: str, account: str | None = None) -> list[CapitalEvent]:
        query = CAPITAL_EVENTS.select().where(CAPITAL_EVENTS.c.run_id == run_id)
        if account is not None:
            query = query.where(CAPITAL_EVENTS.c.account == account)
        order = (CAPITAL_EVENTS.c.ts, CAPITAL_EVENTS.c.id)
        with transaction(self._bind) as conn:
            return [capital_from(row) for row in conn.execute(query.order_by(*order)).mappings()]
