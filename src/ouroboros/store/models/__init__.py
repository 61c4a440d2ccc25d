"""SQLAlchemy table models. Repositories translate them to domain objects; nothing else should
hand ORM rows around."""

from ouroboros.store.models.audit import DecisionRow, EventRow
from ouroboros.store.models.base import Base
from ouroboros.store.models.broker import BrokerFillLedgerRow, BrokerIntentRow, BrokerLedgerFillRow
from ouroboros.store.models.ledger import CapitalEventRow, SnapshotRow
from ouroboros.store.models.llm import LlmCallRow
from ouroboros.store.models.state import PlaybookRow, RunRow, SystemStateRow
from ouroboros.store.models.trading import FillRow, OrderRow, PositionRow, TradeRow

metadata = Base.metadata

__all__ = [
    "Base",
    "BrokerFillLedgerRow",
    "BrokerIntentRow",
    "BrokerLedgerFillRow",
    "CapitalEventRow",
    "DecisionRow",
    "EventRow",
    "FillRow",
    "LlmCallRow",
    "OrderRow",
    "PlaybookRow",
    "PositionRow",
    "RunRow",
    "SnapshotRow",
    "SystemStateRow",
    "TradeRow",
    "metadata",
]
