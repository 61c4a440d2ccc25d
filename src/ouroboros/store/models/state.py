"""Runs, system state and playbooks: what a restart needs to carry on where it stopped."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ouroboros.store.models.base import ID, Base


class RunRow(Base):
    """One engine run. ``cursor_at`` is the last simulated (or wall) time fully persisted, so a
    resumed run restarts after it; ``cursor`` holds any extra resume state."""

    __tablename__ = "runs"

    run_id: Mapped[str] = mapped_column(ID, primary_key=True)
    mode: Mapped[str] = mapped_column(sa.String(16))
    config_hash: Mapped[str] = mapped_column(sa.String(128))
    status: Mapped[str] = mapped_column(sa.String(16))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    cursor_at: Mapped[datetime | None]
    cursor: Mapped[dict[str, Any] | None]

    __table_args__ = (
        sa.CheckConstraint("mode IN ('backtest', 'replay', 'paper', 'live')", name="mode"),
        sa.Index(None, "mode", "started_at"),
    )


class SystemStateRow(Base):
    """Key/value state that must survive restarts (breaker state, trading enabled).

    ``version`` increments on every write, so a read-modify-write can be made atomic with a
    compare-and-set on any backend.
    """

    __tablename__ = "system_state"

    key: Mapped[str] = mapped_column(ID, primary_key=True)
    value: Mapped[dict[str, Any]]
    version: Mapped[int] = mapped_column(sa.Integer)
    updated_at: Mapped[datetime]


class PlaybookRow(Base):
    """One market's playbook for one trading day (the LLM's or the quant planner's plan)."""

    __tablename__ = "playbooks"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    trade_date: Mapped[date]
    market: Mapped[str] = mapped_column(sa.String(16))
    status: Mapped[str] = mapped_column(sa.String(16))
    body: Mapped[dict[str, Any]]
    generated_at: Mapped[datetime]
    token_count: Mapped[int | None] = mapped_column(sa.Integer)
    scenario_count: Mapped[int] = mapped_column(sa.Integer)
    match_count: Mapped[int] = mapped_column(sa.Integer)

    __table_args__ = (sa.UniqueConstraint("trade_date", "market"),)
