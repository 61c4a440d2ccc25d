"""Read everything the audit checks, as raw rows: the audit must see a damaged database as it
is (duplicates, orphans), so it does not go through the repositories' domain mapping."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping

from ouroboros.store.tables import CAPITAL_EVENTS, FILLS, ORDERS, POSITIONS, RUNS, SNAPSHOTS


@dataclass(frozen=True, slots=True)
class AuditData:
    run_ids: list[str]
    orders: list[RowMapping]
    fills: list[RowMapping]
    capital_events: list[RowMapping]
    positions: list[RowMapping]
    snapshots: list[RowMapping]


def load(conn: Connection, run_id: str | None) -> AuditData:
    """All rows, or one run's rows (plus any order its fills point at, wherever it lives)."""

    def rows(query: sa.Select[tuple[object, ...]]) -> list[RowMapping]:
        return list(conn.execute(query).mappings())

    def scoped(table: sa.Table) -> sa.Select[tuple[object, ...]]:
        query = table.select()
        return query if run_id is None else query.where(table.c.run_id == run_id)

    orders_query = ORDERS.select()
    if run_id is not None:
        referenced = sa.select(FILLS.c.client_order_id).where(FILLS.c.run_id == run_id)
        orders_query = orders_query.where(
            sa.or_(ORDERS.c.run_id == run_id, ORDERS.c.client_order_id.in_(referenced))
        )
    run_ids = [
        str(r)
        for r in conn.execute(
            sa.select(RUNS.c.run_id)
            .where(sa.true() if run_id is None else RUNS.c.run_id == run_id)
            .order_by(RUNS.c.started_at)
        ).scalars()
    ]
    return AuditData(
        run_ids=run_ids,
        orders=rows(orders_query.order_by(ORDERS.c.id)),
        fills=rows(scoped(FILLS).order_by(FILLS.c.ts, FILLS.c.id)),
        capital_events=rows(
            scoped(CAPITAL_EVENTS).order_by(CAPITAL_EVENTS.c.ts, CAPITAL_EVENTS.c.id)
        ),
        positions=rows(scoped(POSITIONS)),
        snapshots=rows(scoped(SNAPSHOTS).order_by(SNAPSHOTS.c.ts, SNAPSHOTS.c.id)),
    )
