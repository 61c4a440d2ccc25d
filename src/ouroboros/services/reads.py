"""Read models over the store: what the API, the dashboard and the chat bots show.

Every list is a :class:`Page` (``limit``/``offset`` and the ``total`` that matched) and takes
the same :class:`PageQuery` filters: a run, and a half-open time window ``[since, until)`` on
the row's own time column. Rows come back JSON-ready (see :mod:`ouroboros.services.jsonable`).
Nothing here writes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from ouroboros.services.jsonable import row
from ouroboros.services.keys import BREAKER_PREFIX, TRADING_PREFIX, account_of, state_keys
from ouroboros.store.session import transaction
from ouroboros.store.tables import (
    CAPITAL_EVENTS,
    DECISIONS,
    EVENTS,
    FILLS,
    ORDERS,
    PLAYBOOKS,
    POSITIONS,
    RUNS,
    SNAPSHOTS,
    SYSTEM_STATE,
    TRADES,
)

MAX_LIMIT = 1000


def newest_runs_first() -> tuple[sa.ColumnElement[Any], ...]:
    """Runs ordered newest first: by start, then an unfinished run before a finished one,
    then the later end (replays of the same data share their simulated start)."""
    return (RUNS.c.started_at.desc(), RUNS.c.ended_at.desc().nulls_first(), RUNS.c.run_id)


@dataclass(frozen=True, slots=True)
class PageQuery:
    limit: int = 50
    offset: int = 0
    since: datetime | None = None
    until: datetime | None = None
    run_id: str | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_LIMIT:
            raise ValueError(f"limit must be 1..{MAX_LIMIT}, was {self.limit}")
        if self.offset < 0:
            raise ValueError(f"offset must be >= 0, was {self.offset}")
        for name, value in (("since", self.since), ("until", self.until)):
            if value is not None and value.tzinfo is None:
                raise ValueError(f"{name} must carry a UTC offset, was {value.isoformat()}")


@dataclass(frozen=True, slots=True)
class Page:
    items: list[dict[str, Any]]
    total: int
    limit: int
    offset: int


class ReadService:
    """Queries over one store; safe to share between requests (each call is one transaction)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    # -- lists ------------------------------------------------------------------------------
    def orders(self, q: PageQuery, *, status: str | None = None) -> Page:
        extra = [ORDERS.c.status == status] if status else []
        return self._page(ORDERS, ORDERS.c.created_at, q, extra, order=ORDERS.c.id)

    def fills(self, q: PageQuery) -> Page:
        return self._page(FILLS, FILLS.c.ts, q, [], order=FILLS.c.id)

    def trades(self, q: PageQuery, *, account: str | None = None) -> Page:
        extra = [TRADES.c.account == account] if account else []
        return self._page(TRADES, TRADES.c.exit_at, q, extra, order=TRADES.c.id)

    def decisions(
        self, q: PageQuery, *, market: str | None = None, symbol: str | None = None
    ) -> Page:
        extra = []
        if market:
            extra.append(DECISIONS.c.market == market)
        if symbol:
            extra.append(DECISIONS.c.symbol == symbol)
        return self._page(DECISIONS, DECISIONS.c.ts, q, extra, order=DECISIONS.c.ts)

    def events(self, q: PageQuery, *, event_type: str | None = None) -> Page:
        extra = []
        if event_type:
            extra.append(
                EVENTS.c.type.startswith(event_type[:-1], autoescape=True)
                if event_type.endswith("*")
                else EVENTS.c.type == event_type
            )
        return self._page(EVENTS, EVENTS.c.ts, q, extra, order=EVENTS.c.seq)

    def events_after(self, seq: int, limit: int = 100) -> list[dict[str, Any]]:
        """Events appended after ``seq`` in log order (for tailing the log)."""
        query = EVENTS.select().where(EVENTS.c.seq > seq).order_by(EVENTS.c.seq).limit(limit)
        with transaction(self._engine) as conn:
            return [row(r) for r in conn.execute(query).mappings()]

    def last_seq(self) -> int:
        with transaction(self._engine) as conn:
            return int(
                conn.execute(sa.select(sa.func.coalesce(sa.func.max(EVENTS.c.seq), 0))).scalar_one()
            )

    def runs(self, q: PageQuery) -> Page:
        return self._page(RUNS, RUNS.c.started_at, q, [], order=newest_runs_first())

    def capital(self, q: PageQuery) -> Page:
        return self._page(CAPITAL_EVENTS, CAPITAL_EVENTS.c.ts, q, [], order=CAPITAL_EVENTS.c.id)

    def equity(self, q: PageQuery, *, account: str | None = None) -> Page:
        """Portfolio snapshots (equity in each snapshot's base currency), oldest first."""
        extra = [SNAPSHOTS.c.account == account] if account else []
        return self._page(SNAPSHOTS, SNAPSHOTS.c.ts, q, extra, order=SNAPSHOTS.c.id)

    def equity_series(self, run_id: str | None = None) -> dict[str, dict[str, Any]]:
        """Per account of ``run_id`` (default: the latest run): the snapshots' times (unix
        seconds), equity in the account's base currency and the drawdown below the running
        peak (a fraction), oldest first; for charts."""
        run = run_id or self._latest_run_id()
        out: dict[str, dict[str, Any]] = {}
        if run is None:
            return out
        query = (
            sa.select(
                SNAPSHOTS.c.account, SNAPSHOTS.c.ts, SNAPSHOTS.c.equity, SNAPSHOTS.c.base_currency
            )
            .where(SNAPSHOTS.c.run_id == run)
            .order_by(SNAPSHOTS.c.id)
        )
        peaks: dict[str, Decimal] = {}
        with transaction(self._engine) as conn:
            for account, ts, equity, base in conn.execute(query):
                series = out.setdefault(
                    account, {"currency": base, "t": [], "equity": [], "drawdown": []}
                )
                value = Decimal(equity)
                peak = max(peaks.get(account, value), value)
                peaks[account] = peak
                series["t"].append(ts.timestamp())
                series["equity"].append(str(value))
                series["drawdown"].append(str((peak - value) / peak if peak > 0 else 0))
        return out

    # -- single views -----------------------------------------------------------------------
    def latest_run(self) -> dict[str, Any] | None:
        query = sa.select(RUNS).order_by(*newest_runs_first()).limit(1)
        with transaction(self._engine) as conn:
            found = conn.execute(query).mappings().first()
        return row(found) if found else None

    def run(self, run_id: str) -> dict[str, Any] | None:
        with transaction(self._engine) as conn:
            found = conn.execute(sa.select(RUNS).where(RUNS.c.run_id == run_id)).mappings()
            first = found.first()
        return row(first) if first else None

    def positions(self, run_id: str | None = None) -> list[dict[str, Any]]:
        """Open positions (non-zero quantity) of ``run_id`` (default: the latest run)."""
        run = run_id or self._latest_run_id()
        if run is None:
            return []
        query = (
            sa.select(POSITIONS)
            .where(POSITIONS.c.run_id == run, POSITIONS.c.quantity != 0)
            .order_by(POSITIONS.c.account, POSITIONS.c.instrument_id)
        )
        with transaction(self._engine) as conn:
            return [row(r) for r in conn.execute(query).mappings()]

    def portfolio(self, run_id: str | None = None) -> dict[str, Any]:
        """Each account's latest snapshot (cash per currency, equity in its base currency)
        and its open positions, for ``run_id`` (default: the latest run)."""
        run = run_id or self._latest_run_id()
        accounts: list[dict[str, Any]] = []
        if run is not None:
            latest = (
                sa.select(SNAPSHOTS.c.account, sa.func.max(SNAPSHOTS.c.id).label("id"))
                .where(SNAPSHOTS.c.run_id == run)
                .group_by(SNAPSHOTS.c.account)
                .subquery()
            )
            query = sa.select(SNAPSHOTS).join(latest, SNAPSHOTS.c.id == latest.c.id)
            with transaction(self._engine) as conn:
                accounts = [
                    row(r) for r in conn.execute(query.order_by(SNAPSHOTS.c.account)).mappings()
                ]
        return {"run_id": run, "accounts": accounts, "positions": self.positions(run)}

    def playbooks(self, trade_date: date) -> list[dict[str, Any]]:
        """The playbooks of ``trade_date``: stored playbook rows, then the ``playbook.created``
        events a run recorded for that session (with the scenarios they hold)."""
        with transaction(self._engine) as conn:
            stored = [
                row(r)
                for r in conn.execute(
                    sa.select(PLAYBOOKS)
                    .where(PLAYBOOKS.c.trade_date == trade_date)
                    .order_by(PLAYBOOKS.c.market)
                ).mappings()
            ]
            events = conn.execute(
                sa.select(EVENTS.c.seq, EVENTS.c.ts, EVENTS.c.run_id, EVENTS.c.payload)
                .where(EVENTS.c.type == "playbook.created")
                .order_by(EVENTS.c.seq)
            ).mappings()
            wanted = trade_date.isoformat()
            recorded = [
                row({"source": "event", **r})
                for r in events
                if isinstance(r["payload"], Mapping) and r["payload"].get("session_date") == wanted
            ]
        return [{"source": "table", **p} for p in stored] + recorded

    def accounts(self) -> list[str]:
        """Every account the store knows: from snapshots, trades and the switches."""
        with transaction(self._engine) as conn:
            found = set(conn.execute(sa.select(SNAPSHOTS.c.account).distinct()).scalars())
            found |= set(conn.execute(sa.select(TRADES.c.account).distinct()).scalars())
            keys = conn.execute(
                sa.select(SYSTEM_STATE.c.key).where(
                    sa.or_(
                        SYSTEM_STATE.c.key.startswith(TRADING_PREFIX),
                        SYSTEM_STATE.c.key.startswith(BREAKER_PREFIX),
                    )
                )
            ).scalars()
            found |= {a for a in (account_of(k) for k in keys) if a and not a.startswith("run:")}
        return sorted(found)

    def safety(self, account: str) -> dict[str, Any]:
        """``account``'s trading switch and stored breaker state (``None``: never written)."""
        keys = state_keys(account)
        with transaction(self._engine) as conn:
            rows = {
                r["key"]: r
                for r in conn.execute(
                    sa.select(SYSTEM_STATE).where(
                        SYSTEM_STATE.c.key.in_([keys.trading, keys.breaker])
                    )
                ).mappings()
            }
        trading = rows.get(keys.trading)
        breaker = rows.get(keys.breaker)
        return {
            "account": account,
            "trading_enabled": bool(trading["value"].get("enabled", True)) if trading else True,
            "trading_reason": trading["value"].get("reason", "") if trading else "",
            "trading_updated_at": row({"t": trading["updated_at"]})["t"] if trading else None,
            "breaker": row(breaker["value"]) if breaker else None,
            "breaker_version": breaker["version"] if breaker else None,
        }

    def status(self) -> dict[str, Any]:
        """The run, the accounts' switches, row counts and the last event (the heartbeat)."""
        with transaction(self._engine) as conn:
            counts = {
                name: conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
                for name, table in (
                    ("orders", ORDERS),
                    ("fills", FILLS),
                    ("trades", TRADES),
                    ("decisions", DECISIONS),
                    ("events", EVENTS),
                    ("runs", RUNS),
                )
            }
            last = conn.execute(
                sa.select(EVENTS.c.ts, EVENTS.c.type).order_by(EVENTS.c.seq.desc()).limit(1)
            ).first()
        return {
            "latest_run": self.latest_run(),
            "accounts": [self.safety(a) for a in self.accounts()],
            "counts": counts,
            "last_event": row({"ts": last[0], "type": last[1]}) if last else None,
        }

    # -- helpers ----------------------------------------------------------------------------
    def _latest_run_id(self) -> str | None:
        latest = self.latest_run()
        return str(latest["run_id"]) if latest else None

    def _page(
        self,
        table: sa.Table,
        ts: sa.Column[Any],
        q: PageQuery,
        extra: Sequence[sa.ColumnElement[bool]],
        *,
        order: sa.ColumnElement[Any] | tuple[sa.ColumnElement[Any], ...],
    ) -> Page:
        where: list[sa.ColumnElement[bool]] = list(extra)
        if q.run_id is not None and "run_id" in table.c:
            where.append(table.c.run_id == q.run_id)
        if q.since is not None:
            where.append(ts >= q.since)
        if q.until is not None:
            where.append(ts < q.until)
        count = sa.select(sa.func.count()).select_from(table).where(*where)
        query = (
            sa.select(table)
            .where(*where)
            .order_by(*(order if isinstance(order, tuple) else (order,)))
            .limit(q.limit)
            .offset(q.offset)
        )
        with transaction(self._engine) as conn:
            total = conn.execute(count).scalar_one()
            items = [row(r) for r in conn.execute(query).mappings()]
        return Page(items, int(total), q.limit, q.offset)
