"""Broker submission intents and fill ledgers (``broker_*`` tables), one account at a time.

Every write is its own committed transaction (or joins the caller's): ``put_intent`` returns
only once the intent is durable, so an adapter that writes it before sending an order can
always find it again after a crash. Rows come back as plain records; the adapter validates the
``record`` detail it wrote and refuses to start on one it cannot read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.engine import Connection

from ouroboros.store.dialect import insert_ignore, upsert
from ouroboros.store.session import Bind, transaction
from ouroboros.store.tables import BROKER_FILL_LEDGER, BROKER_INTENTS, BROKER_LEDGER_FILLS


@dataclass(frozen=True, slots=True)
class IntentRow:
    client_order_id: str
    trade_date: date
    state: str
    record: Mapping[str, Any]
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class LedgerFill:
    fill_id: str
    client_order_id: str
    instrument_id: str
    side: str
    quantity: Decimal
    price: Decimal
    ts: datetime


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """What was booked for one venue order number on one trade date."""

    trade_date: date
    venue_order_id: str
    cum_quantity: Decimal
    cum_amount: Decimal
    fills: tuple[LedgerFill, ...] = ()


class BrokerIntentRepository:
    """The ``broker_*`` rows of one broker account (``account`` names it, e.g.
    ``kis-virtual:50000001-01``)."""

    def __init__(self, bind: Bind, account: str) -> None:
        if not account or len(account) > 64:
            raise ValueError(f"broker account must be 1 to 64 characters, was {account!r}")
        self._bind = bind
        self.account = account

    def intents(self) -> list[IntentRow]:
        query = (
            BROKER_INTENTS.select()
            .where(BROKER_INTENTS.c.account == self.account)
            .order_by(BROKER_INTENTS.c.id)
        )
        with transaction(self._bind) as conn:
            return [
                IntentRow(
                    r["client_order_id"],
                    r["trade_date"],
                    r["state"],
                    r["record"],
                    r["created_at"],
                    r["updated_at"],
                )
                for r in conn.execute(query).mappings()
            ]

    def put_intent(
        self,
        client_order_id: str,
        trade_date: date,
        state: str,
        record: Mapping[str, Any],
        at: datetime,
    ) -> None:
        """Insert or overwrite one intent, committed before this returns."""
        row = {
            "account": self.account,
            "client_order_id": client_order_id,
            "trade_date": trade_date,
            "state": state,
            "record": dict(record),
            "created_at": at,
            "updated_at": at,
        }
        with transaction(self._bind) as conn:
            stmt = upsert(
                conn,
                BROKER_INTENTS,
                ["account", "client_order_id"],
                ["trade_date", "state", "record", "updated_at"],
            )
            conn.execute(stmt, row)

    def ledger(self) -> list[LedgerEntry]:
        """Every ledger entry of the account with its fills (oldest fill first)."""
        entries = BROKER_FILL_LEDGER.select().where(BROKER_FILL_LEDGER.c.account == self.account)
        fills = (
            BROKER_LEDGER_FILLS.select()
            .where(BROKER_LEDGER_FILLS.c.account == self.account)
            .order_by(BROKER_LEDGER_FILLS.c.id)
        )
        with transaction(self._bind) as conn:
            by_key: dict[tuple[date, str], list[LedgerFill]] = {}
            for r in conn.execute(fills).mappings():
                by_key.setdefault((r["trade_date"], r["venue_order_id"]), []).append(
                    LedgerFill(
                        r["fill_id"],
                        r["client_order_id"],
                        r["instrument_id"],
                        r["side"],
                        r["quantity"],
                        r["price"],
                        r["ts"],
                    )
                )
            return [
                LedgerEntry(
                    r["trade_date"],
                    r["venue_order_id"],
                    r["cum_quantity"],
                    r["cum_amount"],
                    tuple(by_key.get((r["trade_date"], r["venue_order_id"]), ())),
                )
                for r in conn.execute(entries).mappings()
            ]

    def book(self, entry: LedgerEntry, fill: LedgerFill, at: datetime) -> None:
        """Move one ledger entry to its new cumulative amounts and store the fill that step
        booked, in one transaction (a crash keeps both or neither)."""
        with transaction(self._bind) as conn:
            _book(conn, self.account, entry, fill, at)


def _book(
    conn: Connection, account: str, entry: LedgerEntry, fill: LedgerFill, at: datetime
) -> None:
    key = {
        "account": account,
        "trade_date": entry.trade_date,
        "venue_order_id": entry.venue_order_id,
    }
    stmt = upsert(
        conn,
        BROKER_FILL_LEDGER,
        ["account", "trade_date", "venue_order_id"],
        ["cum_quantity", "cum_amount", "updated_at"],
    )
    conn.execute(
        stmt,
        {
            **key,
            "cum_quantity": entry.cum_quantity,
            "cum_amount": entry.cum_amount,
            "updated_at": at,
        },
    )
    conn.execute(
        insert_ignore(conn, BROKER_LEDGER_FILLS, ["account", "fill_id"]),
        {
            **key,
            "fill_id": fill.fill_id,
            "client_order_id": fill.client_order_id,
            "instrument_id": fill.instrument_id,
            "side": fill.side,
            "quantity": fill.quantity,
            "price": fill.price,
            "ts": fill.ts,
        },
    )


__all__ = ["BrokerIntentRepository", "IntentRow", "LedgerEntry", "LedgerFill"]
