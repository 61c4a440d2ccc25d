"""The values behind ``/metrics``, read from the store.

Counters are counts of stored rows or events; gauges come from the latest run's snapshots and
trades. The latency histograms (agent, LLM call, cycle) have nothing stored to read yet: they
are exposed empty until the live agent records durations (see docs/operator.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ouroboros.services.reads import newest_runs_first
from ouroboros.store.session import transaction
from ouroboros.store.tables import EVENTS, FILLS, ORDERS, RUNS, SNAPSHOTS, TRADES

BREAKER_TRIPPED = "breaker.BreakerTripped"
HARD_DENIALS = ("risk.deny", "intent.denied", "order.denied")
FALLBACK_EVENT = "data.fallback"
VENUE_ERROR_PREFIX = "venue."
VENUE_ERRORS = (
    "venue.broker_error",
    "venue.outcome_unknown",
    "venue.sync_failed",
    "venue.cancel_failed",
    "venue.escalated",
)


@dataclass(frozen=True, slots=True)
class AccountGauges:
    account: str
    base_currency: str
    equity: Decimal
    drawdown: Decimal
    """Fraction below the run's equity peak, 0..1."""
    consecutive_losses: int


@dataclass(frozen=True, slots=True)
class MetricsSnapshot:
    orders_by_status: dict[str, int] = field(default_factory=dict)
    fills: int = 0
    rejections: int = 0
    venue_errors: int = 0
    breaker_trips: int = 0
    hard_constraint_violations: int = 0
    market_data_fallbacks: int = 0
    heartbeat: float | None = None
    """Unix time of the newest event."""
    accounts: list[AccountGauges] = field(default_factory=list)


def read_metrics(engine: Engine) -> MetricsSnapshot:
    with transaction(engine) as conn:
        by_status = {
            str(status): int(n)
            for status, n in conn.execute(
                sa.select(ORDERS.c.status, sa.func.count()).group_by(ORDERS.c.status)
            )
        }
        last = conn.execute(sa.select(sa.func.max(EVENTS.c.ts))).scalar_one_or_none()
        return MetricsSnapshot(
            orders_by_status=by_status,
            fills=_count(conn, sa.select(sa.func.count()).select_from(FILLS)),
            rejections=by_status.get("REJECTED", 0),
            venue_errors=_events(conn, VENUE_ERRORS),
            breaker_trips=_events(conn, (BREAKER_TRIPPED,)),
            hard_constraint_violations=_events(conn, HARD_DENIALS),
            market_data_fallbacks=_events(conn, (FALLBACK_EVENT,)),
            heartbeat=last.timestamp() if last is not None else None,
            accounts=_account_gauges(conn),
        )


def _count(conn: Connection, query: sa.Select[Any]) -> int:
    return int(conn.execute(query).scalar_one())


def _events(conn: Connection, types: tuple[str, ...]) -> int:
    query = sa.select(sa.func.count()).select_from(EVENTS).where(EVENTS.c.type.in_(types))
    return _count(conn, query)


def _account_gauges(conn: Connection) -> list[AccountGauges]:
    run = conn.execute(
        sa.select(RUNS.c.run_id).order_by(*newest_runs_first()).limit(1)
    ).scalar_one_or_none()
    if run is None:
        return []
    series: dict[str, list[tuple[Decimal, str]]] = {}
    for account, equity, base in conn.execute(
        sa.select(SNAPSHOTS.c.account, SNAPSHOTS.c.equity, SNAPSHOTS.c.base_currency)
        .where(SNAPSHOTS.c.run_id == run)
        .order_by(SNAPSHOTS.c.id)
    ):
        series.setdefault(account, []).append((Decimal(equity), str(base)))
    out = []
    for account, points in sorted(series.items()):
        peak = max(e for e, _ in points)
        last, base = points[-1]
        drawdown = (peak - last) / peak if peak > 0 else Decimal(0)
        out.append(AccountGauges(account, base, last, drawdown, _losing_streak(conn, run, account)))
    return out


def _losing_streak(conn: Connection, run: str, account: str) -> int:
    pnls = conn.execute(
        sa.select(TRADES.c.pnl)
        .where(TRADES.c.run_id == run, TRADES.c.account == account)
        .order_by(TRADES.c.exit_at.desc(), TRADES.c.id.desc())
        .limit(1000)
    ).scalars()
    streak = 0
    for pnl in pnls:
        if Decimal(pnl) >= 0:
            break
        streak += 1
    return streak
