"""LLM calls: every prompt, answer, cost and the playbook it produced (docs/brain.md)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ouroboros.store.models.base import ID, Base


class LlmCallRow(Base):
    """One question to a model (a retry with the validation errors is its own row)."""

    __tablename__ = "llm_calls"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str | None] = mapped_column(ID)
    call_id: Mapped[str] = mapped_column(sa.String(128))
    provider: Mapped[str] = mapped_column(sa.String(32))
    model: Mapped[str] = mapped_column(sa.String(128))
    role: Mapped[str] = mapped_column(sa.String(32))
    market: Mapped[str] = mapped_column(sa.String(16))
    session_date: Mapped[date]
    created_at: Mapped[datetime]
    prompt_text: Mapped[str] = mapped_column(sa.Text)
    prompt_hash: Mapped[str] = mapped_column(sa.String(64))
    response_text: Mapped[str | None] = mapped_column(sa.Text)
    error: Mapped[str | None] = mapped_column(sa.Text)
    parsed: Mapped[dict[str, Any] | None]
    playbook: Mapped[dict[str, Any] | None]
    input_tokens: Mapped[int] = mapped_column(sa.Integer)
    output_tokens: Mapped[int] = mapped_column(sa.Integer)
    cost_usd: Mapped[Decimal]
    billed_usd: Mapped[Decimal]
    latency_ms: Mapped[int] = mapped_column(sa.Integer)
    retries: Mapped[int] = mapped_column(sa.Integer)
    attempt: Mapped[int] = mapped_column(sa.Integer)
    cache: Mapped[str] = mapped_column(sa.String(16))
    outcome: Mapped[str] = mapped_column(sa.String(16))
    cycle_id: Mapped[str] = mapped_column(ID)
    trace_id: Mapped[str] = mapped_column(ID)

    __table_args__ = (
        sa.CheckConstraint("cache IN ('live', 'recorded', 'replayed')", name="cache"),
        sa.Index(None, "session_date", "market"),
        sa.Index(None, "run_id"),
    )
