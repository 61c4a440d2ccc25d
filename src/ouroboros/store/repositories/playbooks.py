"""Daily playbooks, one per market and trading day."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from ouroboros.store.dialect import upsert
from ouroboros.store.errors import RecordNotFound
from ouroboros.store.records import PlaybookRecord
from ouroboros.store.session import Bind, transaction
from ouroboros.store.tables import PLAYBOOKS

_KEY = ("trade_date", "market")
_REPLACED = ("status", "body", "generated_at", "token_count", "scenario_count", "match_count")


class PlaybookRepository:
    def __init__(self, bind: Bind) -> None:
        self._bind = bind

    def save(self, playbook: PlaybookRecord) -> int:
        """Store the day's playbook for a market, replacing an earlier one; returns its id."""
        row = {
            "trade_date": playbook.trade_date,
            "market": playbook.market,
            "status": playbook.status,
            "body": dict(playbook.body),
            "generated_at": playbook.generated_at,
            "token_count": playbook.token_count,
            "scenario_count": playbook.scenario_count,
            "match_count": playbook.match_count,
        }
        with transaction(self._bind) as conn:
            conn.execute(upsert(conn, PLAYBOOKS, _KEY, _REPLACED), row)
            found = conn.execute(
                sa.select(PLAYBOOKS.c.id).where(
                    PLAYBOOKS.c.trade_date == playbook.trade_date,
                    PLAYBOOKS.c.market == playbook.market,
                )
            ).scalar_one()
        return int(found)

    def get(self, trade_date: date, market: str) -> PlaybookRecord | None:
        query = PLAYBOOKS.select().where(
            PLAYBOOKS.c.trade_date == trade_date, PLAYBOOKS.c.market == market
        )
        return self._one(query)

    def latest_before(self, trade_date: date, market: str) -> PlaybookRecord | None:
        """The most recent earlier playbook: the fallback when today's planner call fails."""
        query = (
            PLAYBOOKS.select()
            .where(PLAYBOOKS.c.trade_date < trade_date, PLAYBOOKS.c.market == market)
            .order_by(PLAYBOOKS.c.trade_date.desc())
            .limit(1)
        )
        return self._one(query)

    def set_status(self, playbook_id: int, status: str) -> None:
        self._update(playbook_id, status=status)

    def add_matches(self, playbook_id: int, count: int = 1) -> None:
        """Count scenario matches atomically (no read-modify-write race)."""
        self._update(playbook_id, match_count=PLAYBOOKS.c.match_count + count)

    def _update(self, playbook_id: int, **values: object) -> None:
        with transaction(self._bind) as conn:
            result = conn.execute(
                PLAYBOOKS.update().where(PLAYBOOKS.c.id == playbook_id).values(**values)
            )
        if result.rowcount == 0:
            raise RecordNotFound(f"playbook {playbook_id} does not exist")

    def _one(self, query: sa.Select[tuple[object, ...]]) -> PlaybookRecord | None:
        with transaction(self._bind) as conn:
            row = conn.execute(query).mappings().first()
        if row is None:
            return None
        return PlaybookRecord(
            id=row["id"],
            trade_date=row["trade_date"],
            market=row["market"],
            status=row["status"],
            body=row["body"],
            generated_at=row["generated_at"],
            token_count=row["token_count"],
            scenario_count=row["scenario_count"],
            match_count=row["match_count"],
        )
