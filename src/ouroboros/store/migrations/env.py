"""Alembic environment: runs on the connection handed in by :func:`ouroboros.store.upgrade`.

Run through ``ouroboros db upgrade`` (or the Python API). The plain ``alembic`` command also
works with ``-x url=...`` or ``sqlalchemy.url``; the engine is then built by
:func:`ouroboros.store.make_engine` so SQLite gets the same pragmas either way.
``render_as_batch`` is on for SQLite, whose ALTER TABLE cannot drop or alter columns.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from ouroboros.store.engine import make_engine
from ouroboros.store.models import metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _main() -> None:
    if context.is_offline_mode():
        raise RuntimeError("offline (--sql) migrations are not supported; run them online")
    given = context.config.attributes.get("connection")
    if isinstance(given, Connection):
        _run(given)
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or context.config.get_main_option(
        "sqlalchemy.url"
    )
    if not url:
        raise RuntimeError("no database: pass -x url=... or use `ouroboros db upgrade --db URL`")
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            _run(connection)
    finally:
        engine.dispose()


_main()
