"""Portfolio snapshots and capital events: the cash side of the books."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ouroboros.store.models.base import ID, Base
from ouroboros.store.models.trading import ACCOUNT

CAPITAL_KINDS = "kind IN ('DEPOSIT', 'WITHDRAWAL', 'FEE_CHARGE', 'FEE_REFUND')"


class SnapshotRow(Base):
    """Cash per currency (``{"USD": "1000.00"}``, decimals as strings) and equity at a time."""

    __tablename__ = "portfolio_snapshots"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ID, sa.ForeignKey("runs.run_id"))
    account: Mapped[str] = mapped_column(ACCOUNT)
    ts: Mapped[datetime]
    base_currency: Mapped[str] = mapped_column(sa.String(3))
    cash: Mapped[dict[str, Any]]
    equity: Mapped[Decimal]

    __table_args__ = (sa.Index(None, "run_id", "account", "ts"),)


class CapitalEventRow(Base):
    """A deposit or withdrawal, or a fee adjustment adopted at reconciliation (the broker's
    real costs against the modelled ones). ``event_id`` makes recording it idempotent."""

    __tablename__ = "capital_events"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(ID, unique=True)
    run_id: Mapped[str] = mapped_column(ID, sa.ForeignKey("runs.run_id"))
    account: Mapped[str] = mapped_column(ACCOUNT)
    kind: Mapped[str] = mapped_column(sa.String(16))
    amount: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(sa.String(3))
    ts: Mapped[datetime]
    note: Mapped[str] = mapped_column(sa.Text)

    __table_args__ = (
        sa.Index(None, "run_id", "account", "ts"),
        sa.CheckConstraint(CAPITAL_KINDS, name="kind"),
        sa.CheckConstraint("CAST(amount AS REAL) > 0", name="amount_positive"),
    )
