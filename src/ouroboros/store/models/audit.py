"""The append-only event log and the decision log: why every order exists."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ouroboros.store.models.base import ID, Base


class EventRow(Base):
    """One audit event. Append-only: triggers on both backends refuse UPDATE and DELETE.

    ``seq`` is the insertion order (the log's cursor); ``event_id`` is the producer's id, unique,
    so a retried append cannot record the same event twice.
    """

    __tablename__ = "events"

    seq: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    event_id: Mapped[str] = mapped_column(ID, unique=True)
    ts: Mapped[datetime]
    type: Mapped[str] = mapped_column(sa.String(64))
    payload: Mapped[dict[str, Any]]
    run_id: Mapped[str | None] = mapped_column(ID)
    cycle_id: Mapped[str | None] = mapped_column(ID)
    trace_id: Mapped[str | None] = mapped_column(ID)
    causation_id: Mapped[str | None] = mapped_column(ID)
    correlation_id: Mapped[str | None] = mapped_column(ID)
    aggregate_id: Mapped[str | None] = mapped_column(ID)

    __table_args__ = (
        sa.Index(None, "run_id", "cycle_id"),
        sa.Index(None, "aggregate_id"),
        sa.Index(None, "type", "ts"),
    )


class DecisionRow(Base):
    """A trading decision with the context it was made in, and later its outcome and review.

    Confidence is on one scale, 0 to 1 (the seeds mixed 0-100 integers and fractions).
    """

    __tablename__ = "decision_logs"

    decision_id: Mapped[str] = mapped_column(ID, primary_key=True)
    ts: Mapped[datetime]
    run_id: Mapped[str | None] = mapped_column(ID)
    market: Mapped[str] = mapped_column(sa.String(16))
    symbol: Mapped[str] = mapped_column(sa.String(48))
    action: Mapped[str] = mapped_column(sa.String(8))
    confidence: Mapped[float] = mapped_column(sa.Float)
    rationale: Mapped[str] = mapped_column(sa.Text)
    scenario_id: Mapped[str | None] = mapped_column(sa.String(128))
    playbook_id: Mapped[int | None] = mapped_column(sa.Integer, sa.ForeignKey("playbooks.id"))
    cycle_id: Mapped[str | None] = mapped_column(ID)
    trace_id: Mapped[str | None] = mapped_column(ID)
    context_snapshot: Mapped[dict[str, Any]]
    input_data: Mapped[dict[str, Any]]
    outcome_pnl: Mapped[Decimal | None]
    outcome_currency: Mapped[str | None] = mapped_column(sa.String(3))
    outcome_accuracy: Mapped[float | None] = mapped_column(sa.Float)
    outcome_at: Mapped[datetime | None]
    reviewed: Mapped[bool] = mapped_column(sa.Boolean)
    review_notes: Mapped[str | None] = mapped_column(sa.Text)

    __table_args__ = (
        sa.Index(None, "ts"),
        sa.Index(None, "reviewed", "confidence"),
        sa.Index(None, "market", "symbol"),
        sa.CheckConstraint("confidence >= 0 AND confidence <= 1", name="confidence_range"),
        sa.CheckConstraint(
            "outcome_accuracy IS NULL OR (outcome_accuracy >= 0 AND outcome_accuracy <= 1)",
            name="accuracy_range",
        ),
    )
