"""Current positions per run, account and instrument, with their exact cost basis."""

from __future__ import annotations

from datetime import datetime

from ouroboros.domain.ids import InstrumentId
from ouroboros.domain.position import Position
from ouroboros.store.convert import position_from, position_row
from ouroboros.store.dialect import upsert
from ouroboros.store.records import DEFAULT_ACCOUNT
from ouroboros.store.session import Bind, transaction
from ouroboros.store.tables import POSITIONS

POSITION_KEY = ("run_id", "account", "instrument_id")
POSITION_VALUES = ("currency", "quantity", "cost_basis", "realized_pnl", "updated_at")


class PositionRepository:
    def __init__(self, bind: Bind) -> None:
        self._bind = bind

    def put(
        self, position: Position, *, run_id: str, at: datetime, account: str = DEFAULT_ACCOUNT
    ) -> None:
        """Store the position's current state (a flat position is kept, with its realized P&L)."""
        row = position_row(position, run_id=run_id, account=account, at=at)
        with transaction(self._bind) as conn:
            conn.execute(upsert(conn, POSITIONS, POSITION_KEY, POSITION_VALUES), row)

    def get(
        self, run_id: str, instrument_id: InstrumentId, account: str = DEFAULT_ACCOUNT
    ) -> Position | None:
        query = POSITIONS.select().where(
            POSITIONS.c.run_id == run_id,
            POSITIONS.c.account == account,
            POSITIONS.c.instrument_id == str(instrument_id),
        )
        with transaction(self._bind) as conn:
            row = conn.execute(query).mappings().first()
        return position_from(row) if row else None

    def all(self, run_id: str, account: str = DEFAULT_ACCOUNT) -> dict[InstrumentId, Position]:
        query = POSITIONS.select().where(
            POSITIONS.c.run_id == run_id, POSITIONS.c.account == account
        )
        with transaction(self._bind) as conn:
            positions = [position_from(row) for row in conn.execute(query).mappings()]
        return {p.instrument_id: p for p in positions}
