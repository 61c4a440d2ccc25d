"""Schema migrations through Alembic, located inside the package (works from any CWD).

Both backends run the same revision files. An upgrade runs in one transaction (PostgreSQL and
SQLite both have transactional DDL), so a failed migration leaves the schema as it was; on
PostgreSQL an advisory lock keeps two processes from migrating the same database at once, on
SQLite ``BEGIN IMMEDIATE`` does the same.
"""

from __future__ import annotations

from dataclasses import dataclass

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import URL, Connection, Engine

from ouroboros.store.engine import make_engine
from ouroboros.store.session import transaction
from ouroboros.store.url import DEFAULT_URL

SCRIPT_LOCATION = "ouroboros.store:migrations"
_PG_MIGRATION_LOCK = 0x0B0B05  # an arbitrary, fixed advisory-lock key for "ouroboros migrate"


@dataclass(frozen=True, slots=True)
class MigrationResult:
    before: str | None
    after: str | None

    @property
    def changed(self) -> bool:
        return self.before != self.after


def alembic_config() -> Config:
    """An Alembic config pointing at the packaged migrations (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    return config


def head_revision() -> str:
    """The newest revision shipped with this version of Ouroboros."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:  # pragma: no cover - the package always ships a migration
        raise RuntimeError("no migrations found in the package")
    return head


def revision_of(connection: Connection) -> str | None:
    """The revision the connected database is at; ``None`` for an empty database."""
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(url: str | URL | Engine = DEFAULT_URL, revision: str = "head") -> MigrationResult:
    """Migrate the database at ``url`` (or through an engine) up to ``revision``."""
    return _migrate(url, revision, up=True)


def downgrade(url: str | URL | Engine, revision: str) -> MigrationResult:
    """Migrate down to ``revision`` (``"base"`` drops every Ouroboros table)."""
    return _migrate(url, revision, up=False)


def current_revision(url: str | URL | Engine = DEFAULT_URL) -> str | None:
    """The revision the database at ``url`` is at; ``None`` if it was never migrated."""
    engine, owned = _engine(url)
    try:
        with engine.connect() as connection:
            return revision_of(connection)
    finally:
        if owned:
            engine.dispose()


def _migrate(url: str | URL | Engine, revision: str, *, up: bool) -> MigrationResult:
    engine, owned = _engine(url)
    try:
        with transaction(engine, immediate=True) as connection:
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_MIGRATION_LOCK})")
            before = revision_of(connection)
            config = alembic_config()
            config.attributes["connection"] = connection
            (command.upgrade if up else command.downgrade)(config, revision)
            after = revision_of(connection)
        return MigrationResult(before, after)
    finally:
        if owned:
            engine.dispose()


def _engine(url: str | URL | Engine) -> tuple[Engine, bool]:
    if isinstance(url, Engine):
        return url, False
    return make_engine(url), True
