"""Closed round-trip trades, for reports and the daily review."""

from __future__ import annotations

from ouroboros.store.convert import trade_from, trade_row
from ouroboros.store.records import TradeRecord
from ouroboros.store.session import Bind, transaction
from ouroboros.store.tables import TRADES


class TradeRepository:
    def __init__(self, bind: Bind) -> None:
        self._bind = bind

    def add(self, trade: TradeRecord) -> None:
        with transaction(self._bind) as conn:
            conn.execute(TRADES.insert(), trade_row(trade))

    def for_run(self, run_id: str) -> list[TradeRecord]:
        query = TRADES.select().where(TRADES.c.run_id == run_id)
        with transaction(self._bind) as conn:
            rows = conn.execute(query.order_by(TRADES.c.exit_at, TRADES.c.id)).mappings()
            return [trade_from(row) for row in rows]
