"""Broker submission intents and fill ledgers in the main database; fee adjustments as capital
events.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04

* ``broker_intents``, ``broker_fill_ledger``, ``broker_ledger_fills``: what the KIS adapter kept
  in a JSON side file (``data/kis/orders``), keyed by account; the fill ledger by trade date and
  venue order number (KIS order numbers restart every day).
* ``capital_events.kind`` also takes ``FEE_CHARGE`` and ``FEE_REFUND``: the difference between
  the broker's real costs and the modelled fees, adopted at reconciliation within a tolerance.

Written by hand so it stays frozen if the models change later.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ouroboros.store.types import ExactDecimal, JsonDocument, UtcDateTime

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KINDS_0001 = "kind IN ('DEPOSIT', 'WITHDRAWAL')"
_KINDS_0002 = "kind IN ('DEPOSIT', 'WITHDRAWAL', 'FEE_CHARGE', 'FEE_REFUND')"


def _account() -> sa.Column[str]:
    return sa.Column("account", sa.String(64), nullable=False)


def _id(name: str) -> sa.Column[str]:
    return sa.Column(name, sa.String(64), nullable=False)


def _dec(name: str) -> sa.Column[object]:
    return sa.Column(name, ExactDecimal(), nullable=False)


def _ts(name: str) -> sa.Column[object]:
    return sa.Column(name, UtcDateTime(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "broker_intents",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        _account(),
        _id("client_order_id"),
        sa.Column("trade_date", sa.Date(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("record", JsonDocument, nullable=False),
        _ts("created_at"),
        _ts("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_broker_intents"),
        sa.UniqueConstraint(
            "account", "client_order_id", name="uq_broker_intents_account_client_order_id"
        ),
    )
    op.create_index(
        "ix_broker_intents_account_trade_date", "broker_intents", ["account", "trade_date"]
    )
    op.create_table(
        "broker_fill_ledger",
        _account(),
        sa.Column("trade_date", sa.Date(), nullable=False),
        _id("venue_order_id"),
        _dec("cum_quantity"),
        _dec("cum_amount"),
        _ts("updated_at"),
        sa.PrimaryKeyConstraint(
            "account", "trade_date", "venue_order_id", name="pk_broker_fill_ledger"
        ),
    )
    op.create_table(
        "broker_ledger_fills",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        _account(),
        sa.Column("trade_date", sa.Date(), nullable=False),
        _id("venue_order_id"),
        sa.Column("fill_id", sa.String(128), nullable=False),
        _id("client_order_id"),
        sa.Column("instrument_id", sa.String(48), nullable=False),
        sa.Column("side", sa.String(4), nullable=False),
        _dec("quantity"),
        _dec("price"),
        _ts("ts"),
        sa.PrimaryKeyConstraint("id", name="pk_broker_ledger_fills"),
        sa.UniqueConstraint("account", "fill_id", name="uq_broker_ledger_fills_account_fill_id"),
        sa.CheckConstraint("side IN ('BUY', 'SELL')", name="ck_broker_ledger_fills_side"),
    )
    op.create_index("ix_broker_ledger_fills_account_ts", "broker_ledger_fills", ["account", "ts"])
    _capital_kinds(_KINDS_0002)


def downgrade() -> None:
    _capital_kinds(_KINDS_0001)
    for table in ("broker_ledger_fills", "broker_fill_ledger", "broker_intents"):
        op.drop_table(table)


def _capital_kinds(check: str) -> None:
    """Replace the kind check (SQLite: batch mode copies the table, as it cannot ALTER one)."""
    with op.batch_alter_table("capital_events") as batch:
        batch.drop_constraint("ck_capital_events_kind", type_="check")
        batch.create_check_constraint("ck_capital_events_kind", check)
