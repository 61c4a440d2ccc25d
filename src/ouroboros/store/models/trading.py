"""Orders, fills, round-trip trades and current positions."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ouroboros.store.models.base import ID, Base

INSTRUMENT = sa.String(48)
ACCOUNT = sa.String(32)


class OrderRow(Base):
    """An order, written *before* it is submitted and updated as reports arrive.

    The client order id is unique through a named unique index (not a primary key), so a
    damaged database that lost it can still be audited for duplicates.
    """

    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    client_order_id: Mapped[str] = mapped_column(ID)
    venue_order_id: Mapped[str | None] = mapped_column(ID)
    run_id: Mapped[str] = mapped_column(ID, sa.ForeignKey("runs.run_id"))
    account: Mapped[str] = mapped_column(ACCOUNT)
    decision_id: Mapped[str | None] = mapped_column(ID)
    instrument_id: Mapped[str] = mapped_column(INSTRUMENT)
    side: Mapped[str] = mapped_column(sa.String(4))
    order_type: Mapped[str] = mapped_column(sa.String(16))
    time_in_force: Mapped[str] = mapped_column(sa.String(8))
    quantity: Mapped[Decimal]
    limit_price: Mapped[Decimal | None]
    stop_price: Mapped[Decimal | None]
    status: Mapped[str] = mapped_column(sa.String(20))
    filled_quantity: Mapped[Decimal]
    average_fill_price: Mapped[Decimal | None]
    tag: Mapped[str | None] = mapped_column(sa.Text)
    """Why the order exists, as its creator labelled it; NULL for an order stored before 0004
    that ended early (its tag was not kept)."""
    reason: Mapped[str] = mapped_column(sa.Text)
    """Why the order reached its status (rejected, denied, cancelled, expired); else empty."""
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime | None]

    __table_args__ = (
        sa.Index("ux_orders_client_order_id", "client_order_id", unique=True),
        sa.Index(None, "run_id", "status"),
        sa.Index(None, "decision_id"),
        sa.CheckConstraint("side IN ('BUY', 'SELL')", name="side"),
    )


class FillRow(Base):
    """One execution. ``(broker, fill_id)`` is unique: a replayed report is stored once."""

    __tablename__ = "fills"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    broker: Mapped[str] = mapped_column(sa.String(32))
    fill_id: Mapped[str] = mapped_column(sa.String(128))
    client_order_id: Mapped[str] = mapped_column(
        ID, sa.ForeignKey("orders.client_order_id", name="fk_fills_client_order_id_orders")
    )
    run_id: Mapped[str] = mapped_column(ID, sa.ForeignKey("runs.run_id"))
    instrument_id: Mapped[str] = mapped_column(INSTRUMENT)
    side: Mapped[str] = mapped_column(sa.String(4))
    quantity: Mapped[Decimal]
    price: Mapped[Decimal]
    fee: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(sa.String(3))
    ts: Mapped[datetime]

    __table_args__ = (
        sa.UniqueConstraint("broker", "fill_id"),
        sa.Index(None, "client_order_id"),
        sa.Index(None, "run_id", "ts"),
        sa.CheckConstraint("side IN ('BUY', 'SELL')", name="side"),
    )


class TradeRow(Base):
    """A closed round trip (entry to exit) with its realized P&L, for reports and reviews."""

    __tablename__ = "trades"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ID, sa.ForeignKey("runs.run_id"))
    account: Mapped[str] = mapped_column(ACCOUNT)
    instrument_id: Mapped[str] = mapped_column(INSTRUMENT)
    side: Mapped[str] = mapped_column(sa.String(4))
    quantity: Mapped[Decimal]
    entry_price: Mapped[Decimal]
    exit_price: Mapped[Decimal]
    entry_at: Mapped[datetime]
    exit_at: Mapped[datetime]
    pnl: Mapped[Decimal]
    fees: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(sa.String(3))
    decision_id: Mapped[str | None] = mapped_column(ID)

    __table_args__ = (
        sa.Index(None, "run_id", "exit_at"),
        sa.CheckConstraint("side IN ('BUY', 'SELL')", name="side"),
    )


class PositionRow(Base):
    """The current position per run, account and instrument, with its exact cost basis."""

    __tablename__ = "positions"

    run_id: Mapped[str] = mapped_column(ID, sa.ForeignKey("runs.run_id"), primary_key=True)
    account: Mapped[str] = mapped_column(ACCOUNT, primary_key=True)
    instrument_id: Mapped[str] = mapped_column(INSTRUMENT, primary_key=True)
    currency: Mapped[str] = mapped_column(sa.String(3))
    quantity: Mapped[Decimal]
    cost_basis: Mapped[Decimal]
    realized_pnl: Mapped[Decimal]
    updated_at: Mapped[datetime]
