"""Small typed records that repositories take and return where no domain object fits.

Orders, fills and positions travel as the domain's own ``Order``, ``Fill`` and ``Position``;
these records cover what the domain does not model (runs, audit events, snapshots...).
Timestamps must be timezone-aware; the store refuses naive ones when writing.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from ouroboros.domain.currency import Currency
from ouroboros.domain.ids import InstrumentId
from ouroboros.domain.money import Money, Price, Quantity
from ouroboros.domain.orders import OrderSide

DEFAULT_ACCOUNT = "default"


def new_id() -> str:
    """A fresh random identifier (32 hex characters, 128 random bits) for events, decisions and
    capital events; ``os.urandom`` is several times faster than ``uuid4`` in the hot loop."""
    return os.urandom(16).hex()


class RunMode(StrEnum):
    BACKTEST = "backtest"
    REPLAY = "replay"
    PAPER = "paper"
    LIVE = "live"


class RunStatus(StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    ABORTED = "aborted"


@dataclass(frozen=True, slots=True)
class RunRecord:
    """One engine run; ``cursor_at`` is where a resumed run picks up."""

    run_id: str
    mode: RunMode
    config_hash: str
    started_at: datetime
    status: RunStatus = RunStatus.RUNNING
    ended_at: datetime | None = None
    cursor_at: datetime | None = None
    cursor: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class EventRecord:
    """An audit event to append. ``aggregate_id`` groups related events (e.g. one cycle)."""

    type: str
    payload: Mapping[str, Any]
    ts: datetime
    event_id: str = field(default_factory=new_id)
    run_id: str | None = None
    cycle_id: str | None = None
    trace_id: str | None = None
    causation_id: str | None = None
    correlation_id: str | None = None
    aggregate_id: str | None = None


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """An event as read back, with its position ``seq`` in the log."""

    seq: int
    event: EventRecord


@dataclass(frozen=True, slots=True)
class DecisionRecord:
    """A trading decision with its context, and (later) its outcome and review.

    ``confidence`` and ``outcome_accuracy`` are fractions in [0, 1]; show them as percentages.
    """

    decision_id: str
    ts: datetime
    market: str
    symbol: str
    action: str
    confidence: float
    rationale: str
    context_snapshot: Mapping[str, Any]
    input_data: Mapping[str, Any]
    run_id: str | None = None
    scenario_id: str | None = None
    playbook_id: int | None = None
    cycle_id: str | None = None
    trace_id: str | None = None
    outcome_pnl: Money | None = None
    outcome_accuracy: float | None = None
    outcome_at: datetime | None = None
    reviewed: bool = False
    review_notes: str | None = None

    def __post_init__(self) -> None:
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(
                f"decision {self.decision_id}: confidence must be in [0, 1], was {self.confidence}"
            )
        if self.outcome_accuracy is not None and not 0.0 <= self.outcome_accuracy <= 1.0:
            raise ValueError(
                f"decision {self.decision_id}: accuracy must be in [0, 1], "
                f"was {self.outcome_accuracy}"
            )


@dataclass(frozen=True, slots=True)
class SnapshotRecord:
    """Cash per currency and total equity (in ``base_currency``) of one account at ``ts``."""

    run_id: str
    ts: datetime
    base_currency: Currency
    cash: Mapping[Currency, Decimal]
    equity: Decimal
    account: str = DEFAULT_ACCOUNT


class CapitalEventKind(StrEnum):
    DEPOSIT = "DEPOSIT"
    WITHDRAWAL = "WITHDRAWAL"
    FEE_CHARGE = "FEE_CHARGE"
    """The broker took more in costs than the modelled fees (adopted at reconciliation)."""
    FEE_REFUND = "FEE_REFUND"
    """The broker took less than the modelled fees (adopted at reconciliation)."""

    @property
    def cash_sign(self) -> int:
        """+1 when the event adds cash to the account, -1 when it takes cash out."""
        return 1 if self in (CapitalEventKind.DEPOSIT, CapitalEventKind.FEE_REFUND) else -1

    @property
    def is_fee(self) -> bool:
        return self in (CapitalEventKind.FEE_CHARGE, CapitalEventKind.FEE_REFUND)


@dataclass(frozen=True, slots=True)
class CapitalEvent:
    """Money moved into or out of an account; ``event_id`` makes recording it idempotent."""

    run_id: str
    kind: CapitalEventKind
    amount: Money
    ts: datetime
    account: str = DEFAULT_ACCOUNT
    event_id: str = field(default_factory=new_id)
    note: str = ""

    def __post_init__(self) -> None:
        if self.amount.amount <= 0:
            raise ValueError(
                f"capital event {self.event_id}: amount must be positive, was {self.amount}"
            )


@dataclass(frozen=True, slots=True)
class TradeRecord:
    """A closed round trip. ``side`` is the entry side (BUY for a long trade)."""

    run_id: str
    instrument_id: InstrumentId
    side: OrderSide
    quantity: Quantity
    entry_price: Price
    exit_price: Price
    entry_at: datetime
    exit_at: datetime
    pnl: Money
    fees: Money
    account: str = DEFAULT_ACCOUNT
    decision_id: str | None = None


@dataclass(frozen=True, slots=True)
class PlaybookRecord:
    """One market's plan for one trading day; ``body`` is the validated playbook as JSON."""

    trade_date: date
    market: str
    status: str
    body: Mapping[str, Any]
    generated_at: datetime
    scenario_count: int = 0
    token_count: int | None = None
    match_count: int = 0
    id: int | None = None


@dataclass(frozen=True, slots=True)
class StateEntry:
    """A system-state value with the version a compare-and-set must quote."""

    key: str
    value: Mapping[str, Any]
    version: int
    updated_at: datetime
