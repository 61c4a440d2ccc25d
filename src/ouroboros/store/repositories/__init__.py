"""Repositories: one small class per table family, each method one explicit transaction (or a
part of the caller's, when built on a ``Connection``)."""

from ouroboros.store.repositories.broker_intents import (
    BrokerIntentRepository,
    IntentRow,
    LedgerEntry,
    LedgerFill,
)
from ouroboros.store.repositories.capital import CapitalEvents
from ouroboros.store.repositories.decisions import DecisionLog
from ouroboros.store.repositories.events import EventStore
from ouroboros.store.repositories.fills import FillRepository
from ouroboros.store.repositories.llm_calls import LlmCallRepository
from ouroboros.store.repositories.orders import OrderRepository
from ouroboros.store.repositories.playbooks import PlaybookRepository
from ouroboros.store.repositories.positions import PositionRepository
from ouroboros.store.repositories.runs import RunRepository
from ouroboros.store.repositories.safety import CorruptSafetyState, SafetyStateRepository
from ouroboros.store.repositories.snapshots import SnapshotRepository
from ouroboros.store.repositories.system_state import SystemStateRepository
from ouroboros.store.repositories.trades import TradeRepository

__all__ = [
    "BrokerIntentRepository",
    "CapitalEvents",
    "CorruptSafetyState",
    "DecisionLog",
    "EventStore",
    "FillRepository",
    "IntentRow",
    "LedgerEntry",
    "LedgerFill",
    "LlmCallRepository",
    "OrderRepository",
    "PlaybookRepository",
    "PositionRepository",
    "RunRepository",
    "SafetyStateRepository",
    "SnapshotRepository",
    "SystemStateRepository",
    "TradeRepository",
]
