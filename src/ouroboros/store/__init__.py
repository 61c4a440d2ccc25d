"""Persistence: SQLAlchemy models, repositories, the batched writer, migrations and the audit.

SQLite (a file under ``./data``) is the embedded default; PostgreSQL through psycopg 3 is the
production option. Both run the same models and migrations and behave the same: exact decimals,
timezone-aware UTC timestamps, an append-only event log enforced by triggers.

Typical use::

    engine = make_engine(url)          # url defaults to DEFAULT_URL
    upgrade(engine)                    # or `ouroboros db upgrade`
    OrderRepository(engine).insert(order, run_id=run_id)   # before submitting it
    with BatchWriter(engine, every_steps=100) as writer:   # the hot loop
        writer.add_fill(fill, run_id=run_id, broker="paper")
        writer.step()
"""

from ouroboros.store.audit import AuditReport, Problem, verify
from ouroboros.store.batch import BatchWriter, FlushResult
from ouroboros.store.engine import make_engine
from ouroboros.store.errors import (
    BatchRejected,
    DatabaseUnavailable,
    DatabaseUrlError,
    DuplicateKey,
    RecordNotFound,
    SchemaNotCurrent,
)
from ouroboros.store.migrate import (
    MigrationResult,
    current_revision,
    downgrade,
    head_revision,
    upgrade,
)
from ouroboros.store.records import (
    DEFAULT_ACCOUNT,
    CapitalEvent,
    CapitalEventKind,
    DecisionRecord,
    EventRecord,
    PlaybookRecord,
    RunMode,
    RunRecord,
    RunStatus,
    SnapshotRecord,
    StateEntry,
    StoredEvent,
    TradeRecord,
    new_id,
)
from ouroboros.store.repositories import (
    BrokerIntentRepository,
    CapitalEvents,
    DecisionLog,
    EventStore,
    FillRepository,
    LlmCallRepository,
    OrderRepository,
    PlaybookRepository,
    PositionRepository,
    RunRepository,
    SnapshotRepository,
    SystemStateRepository,
    TradeRepository,
)
from ouroboros.store.session import Bind, transaction
from ouroboros.store.status import DatabaseStatus, database_status, require_current
from ouroboros.store.url import DEFAULT_URL, URL_SETTING, mask_url, parse_url

__all__ = [
    "DEFAULT_ACCOUNT",
    "DEFAULT_URL",
    "URL_SETTING",
    "AuditReport",
    "BatchRejected",
    "BatchWriter",
    "Bind",
    "BrokerIntentRepository",
    "CapitalEvent",
    "CapitalEventKind",
    "CapitalEvents",
    "DatabaseStatus",
    "DatabaseUnavailable",
    "DatabaseUrlError",
    "DecisionLog",
    "DecisionRecord",
    "DuplicateKey",
    "EventRecord",
    "EventStore",
    "FillRepository",
    "FlushResult",
    "LlmCallRepository",
    "MigrationResult",
    "OrderRepository",
    "PlaybookRecord",
    "PlaybookRepository",
    "PositionRepository",
    "Problem",
    "RecordNotFound",
    "RunMode",
    "RunRecord",
    "RunRepository",
    "RunStatus",
    "SchemaNotCurrent",
    "SnapshotRecord",
    "SnapshotRepository",
    "StateEntry",
    "StoredEvent",
    "SystemStateRepository",
    "TradeRecord",
    "TradeRepository",
    "current_revision",
    "database_status",
    "downgrade",
    "head_revision",
    "make_engine",
    "mask_url",
    "new_id",
    "parse_url",
    "require_current",
    "transaction",
    "upgrade",
    "verify",
]
