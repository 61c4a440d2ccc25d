"""What a broker adapter must remember across restarts to stay idempotent: its submission
intents and, per venue order number and trade date, the fills it already booked.

Some brokers (KIS) have no client-order-id field and reuse their order numbers every trading
day, so the adapter keeps the mapping itself. It lives here, in the main database, under the
same transaction discipline as the orders: an intent is committed before the order is sent.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ouroboros.store.models.base import ID, Base
from ouroboros.store.models.trading import INSTRUMENT

BROKER_ACCOUNT = sa.String(64)


class BrokerIntentRow(Base):
    """One submission intent: written before the order is sent, then bound to the venue's
    order numbers. ``record`` is the adapter's own detail (prices as sent, order-number chain),
    validated by the adapter when it loads it."""

    __tablename__ = "broker_intents"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    account: Mapped[str] = mapped_column(BROKER_ACCOUNT)
    client_order_id: Mapped[str] = mapped_column(ID)
    trade_date: Mapped[date]
    state: Mapped[str] = mapped_column(sa.String(16))
    record: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (
        sa.UniqueConstraint("account", "client_order_id"),
        sa.Index(None, "account", "trade_date"),
    )


class BrokerFillLedgerRow(Base):
    """The cumulative quantity and amount already booked for one venue order number on one
    trade date (order numbers restart every day at KIS)."""

    __tablename__ = "broker_fill_ledger"

    account: Mapped[str] = mapped_column(BROKER_ACCOUNT, primary_key=True)
    trade_date: Mapped[date] = mapped_column(primary_key=True)
    venue_order_id: Mapped[str] = mapped_column(ID, primary_key=True)
    cum_quantity: Mapped[Decimal]
    cum_amount: Mapped[Decimal]
    updated_at: Mapped[datetime]


class BrokerLedgerFillRow(Base):
    """One fill the adapter derived from the venue's reports (its id is stable across
    restarts, so the books de-duplicate it)."""

    __tablename__ = "broker_ledger_fills"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    account: Mapped[str] = mapped_column(BROKER_ACCOUNT)
    trade_date: Mapped[date]
    venue_order_id: Mapped[str] = mapped_column(ID)
    fill_id: Mapped[str] = mapped_column(sa.String(128))
    client_order_id: Mapped[str] = mapped_column(ID)
    instrument_id: Mapped[str] = mapped_column(INSTRUMENT)
    side: Mapped[str] = mapped_column(sa.String(4))
    quantity: Mapped[Decimal]
    price: Mapped[Decimal]
    ts: Mapped[datetime]

    __table_args__ = (
        sa.UniqueConstraint("account", "fill_id"),
        sa.Index(None, "account", "ts"),
        sa.CheckConstraint("side IN ('BUY', 'SELL')", name="side"),
    )
