"""What ``ouroboros db status`` reports: revisions and row counts, for humans and scripts."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from ouroboros.store.errors import SchemaNotCurrent
from ouroboros.store.migrate import head_revision, revision_of
from ouroboros.store.models import metadata
from ouroboros.store.url import mask_url


@dataclass(frozen=True, slots=True)
class DatabaseStatus:
    url: str
    backend: str
    current: str | None
    head: str
    tables: dict[str, int | None] = field(default_factory=dict)

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head

    def as_dict(self) -> dict[str, object]:
        return {
            "url": self.url,
            "backend": self.backend,
            "current": self.current,
            "head": self.head,
            "up_to_date": self.up_to_date,
            "tables": self.tables,
        }


def database_status(engine: Engine) -> DatabaseStatus:
    """Revision and row counts; a missing table counts as ``None`` (not migrated yet)."""
    with engine.connect() as conn:
        current = revision_of(conn)
        present = set(sa.inspect(conn).get_table_names())
        tables: dict[str, int | None] = {}
        for name, table in sorted(metadata.tables.items()):
            tables[name] = (
                int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())
                if name in present
                else None
            )
    return DatabaseStatus(
        url=mask_url(engine.url),
        backend=engine.dialect.name,
        current=current,
        head=head_revision(),
        tables=tables,
    )


def require_current(engine: Engine) -> None:
    """Raise :class:`SchemaNotCurrent` unless the database is at the shipped head revision."""
    with engine.connect() as conn:
        current = revision_of(conn)
    head = head_revision()
    if current != head:
        raise SchemaNotCurrent(
            f"database {mask_url(engine.url)} is at revision {current or 'none'}, "
            f"this version needs {head}: run `ouroboros db upgrade`"
        )
