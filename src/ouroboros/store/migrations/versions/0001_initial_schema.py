"""Initial schema: runs, orders, fills, trades, positions, snapshots, capital events, decision
logs, the append-only event log, system state and playbooks.

Revision ID: 0001
Revises:
Create Date: 2026-11-21

Written by hand (from an autogenerate draft) so it stays frozen if the models change later:
later changes get their own revision.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ouroboros.store.triggers import (
    APPEND_ONLY_TABLES,
    create_append_only,
    drop_append_only,
    drop_trigger_function,
)
from ouroboros.store.types import ExactDecimal, JsonDocument, UtcDateTime

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id(name: str, *, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.String(64), nullable=nullable)


def _dec(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, ExactDecimal(), nullable=nullable)


def _ts(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, UtcDateTime(), nullable=nullable)


def _json(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, JsonDocument, nullable=nullable)


def _str(name: str, length: int, *, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.String(length), nullable=nullable)


def _serial(name: str = "id") -> sa.Column[int]:
    return sa.Column(name, sa.Integer(), autoincrement=True, nullable=False)


def _side_check(table: str) -> sa.CheckConstraint:
    return sa.CheckConstraint("side IN ('BUY', 'SELL')", name=f"ck_{table}_side")


def _run_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["run_id"], ["runs.run_id"], name=f"fk_{table}_run_id_runs")


def upgrade() -> None:
    _create_state_tables()
    _create_trading_tables()
    _create_ledger_tables()
    _create_audit_tables()
    dialect = op.get_bind().dialect.name
    for table in APPEND_ONLY_TABLES:
        for statement in create_append_only(dialect, table):
            op.execute(statement)


def _create_state_tables() -> None:
    op.create_table(
        "runs",
        _id("run_id"),
        _str("mode", 16),
        _str("config_hash", 128),
        _str("status", 16),
        _ts("started_at"),
        _ts("ended_at", nullable=True),
        _ts("cursor_at", nullable=True),
        _json("cursor", nullable=True),
        sa.PrimaryKeyConstraint("run_id", name="pk_runs"),
        sa.CheckConstraint("mode IN ('backtest', 'replay', 'paper', 'live')", name="ck_runs_mode"),
    )
    op.create_index("ix_runs_mode_started_at", "runs", ["mode", "started_at"])
    op.create_table(
        "system_state",
        _id("key"),
        _json("value"),
        sa.Column("version", sa.Integer(), nullable=False),
        _ts("updated_at"),
        sa.PrimaryKeyConstraint("key", name="pk_system_state"),
    )
    op.create_table(
        "playbooks",
        _serial(),
        sa.Column("trade_date", sa.Date(), nullable=False),
        _str("market", 16),
        _str("status", 16),
        _json("body"),
        _ts("generated_at"),
        sa.Column("token_count", sa.Integer(), nullable=True),
        sa.Column("scenario_count", sa.Integer(), nullable=False),
        sa.Column("match_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_playbooks"),
        sa.UniqueConstraint("trade_date", "market", name="uq_playbooks_trade_date_market"),
    )


def _create_trading_tables() -> None:
    op.create_table(
        "orders",
        _serial(),
        _id("client_order_id"),
        _id("venue_order_id", nullable=True),
        _id("run_id"),
        _str("account", 32),
        _id("decision_id", nullable=True),
        _str("instrument_id", 48),
        _str("side", 4),
        _str("order_type", 16),
        _str("time_in_force", 8),
        _dec("quantity"),
        _dec("limit_price", nullable=True),
        _dec("stop_price", nullable=True),
        _str("status", 20),
        _dec("filled_quantity"),
        _dec("average_fill_price", nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        _ts("created_at"),
        _ts("updated_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_orders"),
        _run_fk("orders"),
        _side_check("orders"),
    )
    op.create_index("ux_orders_client_order_id", "orders", ["client_order_id"], unique=True)
    op.create_index("ix_orders_run_id_status", "orders", ["run_id", "status"])
    op.create_index("ix_orders_decision_id", "orders", ["decision_id"])
    op.create_table(
        "fills",
        _serial(),
        _str("broker", 32),
        _str("fill_id", 128),
        _id("client_order_id"),
        _id("run_id"),
        _str("instrument_id", 48),
        _str("side", 4),
        _dec("quantity"),
        _dec("price"),
        _dec("fee"),
        _str("currency", 3),
        _ts("ts"),
        sa.PrimaryKeyConstraint("id", name="pk_fills"),
        sa.ForeignKeyConstraint(
            ["client_order_id"],
            ["orders.client_order_id"],
            name="fk_fills_client_order_id_orders",
        ),
        _run_fk("fills"),
        sa.UniqueConstraint("broker", "fill_id", name="uq_fills_broker_fill_id"),
        _side_check("fills"),
    )
    op.create_index("ix_fills_client_order_id", "fills", ["client_order_id"])
    op.create_index("ix_fills_run_id_ts", "fills", ["run_id", "ts"])
    op.create_table(
        "trades",
        _serial(),
        _id("run_id"),
        _str("account", 32),
        _str("instrument_id", 48),
        _str("side", 4),
        _dec("quantity"),
        _dec("entry_price"),
        _dec("exit_price"),
        _ts("entry_at"),
        _ts("exit_at"),
        _dec("pnl"),
        _dec("fees"),
        _str("currency", 3),
        _id("decision_id", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_trades"),
        _run_fk("trades"),
        _side_check("trades"),
    )
    op.create_index("ix_trades_run_id_exit_at", "trades", ["run_id", "exit_at"])
    op.create_table(
        "positions",
        _id("run_id"),
        _str("account", 32),
        _str("instrument_id", 48),
        _str("currency", 3),
        _dec("quantity"),
        _dec("cost_basis"),
        _dec("realized_pnl"),
        _ts("updated_at"),
        sa.PrimaryKeyConstraint("run_id", "account", "instrument_id", name="pk_positions"),
        _run_fk("positions"),
    )


def _create_ledger_tables() -> None:
    op.create_table(
        "portfolio_snapshots",
        _serial(),
        _id("run_id"),
        _str("account", 32),
        _ts("ts"),
        _str("base_currency", 3),
        _json("cash"),
        _dec("equity"),
        sa.PrimaryKeyConstraint("id", name="pk_portfolio_snapshots"),
        _run_fk("portfolio_snapshots"),
    )
    op.create_index(
        "ix_portfolio_snapshots_run_id_account_ts",
        "portfolio_snapshots",
        ["run_id", "account", "ts"],
    )
    op.create_table(
        "capital_events",
        _serial(),
        _id("event_id"),
        _id("run_id"),
        _str("account", 32),
        _str("kind", 16),
        _dec("amount"),
        _str("currency", 3),
        _ts("ts"),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_capital_events"),
        _run_fk("capital_events"),
        sa.UniqueConstraint("event_id", name="uq_capital_events_event_id"),
        sa.CheckConstraint("kind IN ('DEPOSIT', 'WITHDRAWAL')", name="ck_capital_events_kind"),
        sa.CheckConstraint("CAST(amount AS REAL) > 0", name="ck_capital_events_amount_positive"),
    )
    op.create_index(
        "ix_capital_events_run_id_account_ts", "capital_events", ["run_id", "account", "ts"]
    )


def _create_audit_tables() -> None:
    op.create_table(
        "events",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        _id("event_id"),
        _ts("ts"),
        _str("type", 64),
        _json("payload"),
        *(
            _id(name, nullable=True)
            for name in (
                "run_id",
                "cycle_id",
                "trace_id",
                "causation_id",
                "correlation_id",
                "aggregate_id",
            )
        ),
        sa.PrimaryKeyConstraint("seq", name="pk_events"),
        sa.UniqueConstraint("event_id", name="uq_events_event_id"),
    )
    op.create_index("ix_events_run_id_cycle_id", "events", ["run_id", "cycle_id"])
    op.create_index("ix_events_aggregate_id", "events", ["aggregate_id"])
    op.create_index("ix_events_type_ts", "events", ["type", "ts"])
    op.create_table(
        "decision_logs",
        _id("decision_id"),
        _ts("ts"),
        _id("run_id", nullable=True),
        _str("market", 16),
        _str("symbol", 48),
        _str("action", 8),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        _str("scenario_id", 128, nullable=True),
        sa.Column("playbook_id", sa.Integer(), nullable=True),
        _id("cycle_id", nullable=True),
        _id("trace_id", nullable=True),
        _json("context_snapshot"),
        _json("input_data"),
        _dec("outcome_pnl", nullable=True),
        _str("outcome_currency", 3, nullable=True),
        sa.Column("outcome_accuracy", sa.Float(), nullable=True),
        _ts("outcome_at", nullable=True),
        sa.Column("reviewed", sa.Boolean(), nullable=False),
        sa.Column("review_notes", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("decision_id", name="pk_decision_logs"),
        sa.ForeignKeyConstraint(
            ["playbook_id"], ["playbooks.id"], name="fk_decision_logs_playbook_id_playbooks"
        ),
        sa.CheckConstraint(
            "confidence >= 0 AND confidence <= 1", name="ck_decision_logs_confidence_range"
        ),
        sa.CheckConstraint(
            "outcome_accuracy IS NULL OR (outcome_accuracy >= 0 AND outcome_accuracy <= 1)",
            name="ck_decision_logs_accuracy_range",
        ),
    )
    op.create_index("ix_decision_logs_ts", "decision_logs", ["ts"])
    op.create_index(
        "ix_decision_logs_reviewed_confidence", "decision_logs", ["reviewed", "confidence"]
    )
    op.create_index("ix_decision_logs_market_symbol", "decision_logs", ["market", "symbol"])


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table in APPEND_ONLY_TABLES:
        for statement in drop_append_only(dialect, table):
            op.execute(statement)
    for statement in drop_trigger_function(dialect):
        op.execute(statement)
    for table in (
        "decision_logs",
        "events",
        "capital_events",
        "portfolio_snapshots",
        "positions",
        "trades",
        "fills",
        "orders",
        "playbooks",
        "system_state",
        "runs",
    ):
        op.drop_table(table)
