"""``ouroboros db ...``: migrate the store and see what is in it.

Every command takes ``--db URL`` (or ``OUROBOROS_DB_URL``); the default is the SQLite file under
``./data``. URLs are shown with the password masked. Failures go through the CLI's error
boundary: one line and exit code 2 for a bad URL or a database that is not ours (missing file
for ``status``, missing tables, not a database), 3 when the server is unreachable.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy.engine import Engine

from ouroboros.interfaces.cli.boundary import BoundaryGroup
from ouroboros.interfaces.cli.errors import (
    CliFailure,
    ExitCode,
    Verdict,
    note_input,
    register_exit_code,
)
from ouroboros.interfaces.cli.output import console, emit_json, err_console
from ouroboros.store import (
    DEFAULT_URL,
    SchemaNotCurrent,
    database_status,
    make_engine,
    mask_url,
    upgrade,
)
from ouroboros.store.url import parse_url

DB_ENV = "OUROBOROS_DB_URL"
register_exit_code(SchemaNotCurrent, ExitCode.BAD_INPUT)

DbOption = Annotated[
    str,
    typer.Option(
        "--db",
        envvar=DB_ENV,
        help="Database URL: sqlite:///path.db or postgresql+psycopg://user@host/db.",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]

app = typer.Typer(
    help="Database: migrate and inspect the store.",
    no_args_is_help=True,
    rich_markup_mode=None,
    cls=BoundaryGroup,
)


@app.callback()
def _group() -> None:
    """Database: migrate and inspect the store."""


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (None for PostgreSQL and in-memory SQLite)."""
    parsed = parse_url(url, setting=f"{DB_ENV} (--db)")
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or database in ("", ":memory:"):
        return None
    if database.startswith("file:"):
        return None
    return Path(database).expanduser()


def warn_if_in_memory(url: str) -> None:
    """``sqlite://`` keeps nothing: say so before the run does work nobody can read back."""
    parsed = parse_url(url, setting=f"{DB_ENV} (--db)")
    if parsed.get_backend_name() == "sqlite" and (parsed.database or "") in ("", ":memory:"):
        err_console.print(
            f"warning: --db {mask_url(url)} is an in-memory database: nothing persists "
            "after this command (no resume, no audit later)",
            highlight=False,
        )


@contextmanager
def open_database(url: str, *, must_exist: bool = False) -> Iterator[Engine]:
    """An engine for ``url``; errors are named ``--db <masked url>`` by the error boundary.

    ``must_exist`` refuses a SQLite file that is not there instead of creating it."""
    note_input("--db", mask_url(url))
    warn_if_in_memory(url)
    path = sqlite_file(url)
    if must_exist and path is not None and not path.exists():
        raise CliFailure(
            f"--db {mask_url(url)}: no database at {path} (create one with `ouroboros db upgrade`)",
            ExitCode.BAD_INPUT,
        )
    engine = make_engine(url, setting=f"{DB_ENV} (--db)")
    try:
        yield engine
    finally:
        engine.dispose()


def missing_tables(engine: Engine) -> list[str]:
    """Tables of the shipped schema that the database lacks although its revision is current."""
    status = database_status(engine)
    if not status.up_to_date:
        return []
    return [name for name, count in status.tables.items() if count is None]


def _missing_failure(url: str, missing: list[str]) -> CliFailure:
    return CliFailure(
        f"--db {mask_url(url)}: the database is at the current revision but is missing "
        f"table(s) {', '.join(missing)} (damaged or edited by hand)",
        ExitCode.BAD_INPUT,
    )


@app.command("upgrade")
def upgrade_cmd(db: DbOption = DEFAULT_URL, as_json: JsonOption = False) -> None:
    """Create or migrate the database schema to the version this Ouroboros ships."""
    with open_database(db) as engine:
        result = upgrade(engine)
        missing = missing_tables(engine)
    where = mask_url(engine.url)
    if missing:
        raise _missing_failure(db, missing)
    if as_json:
        emit_json(
            {"db": where, "changed": result.changed, "before": result.before, "after": result.after}
        )
    elif result.changed:
        console.print(f"{where}: upgraded {result.before or 'empty'} -> {result.after}")
    else:
        console.print(f"{where}: already at {result.after}")


@app.command("status")
def status_cmd(db: DbOption = DEFAULT_URL, as_json: JsonOption = False) -> None:
    """Show the schema revision (current vs. head) and the row count of every table.

    A SQLite path that does not exist is reported, not created."""
    with open_database(db, must_exist=True) as engine:
        status = database_status(engine)
    missing = (
        [name for name, count in status.tables.items() if count is None]
        if status.up_to_date
        else []
    )
    failure = _missing_failure(db, missing) if missing else None
    if as_json:
        payload = {"db": status.url, **status.as_dict(), "missing_tables": missing}
        payload.pop("url")
        emit_json(payload, Verdict(failure.code, str(failure)) if failure else None)
    else:
        state = "up to date" if status.up_to_date else "needs `ouroboros db upgrade`"
        if missing:
            state = f"MISSING TABLES: {', '.join(missing)}"
        console.print(f"database  {status.url} ({status.backend})", highlight=False)
        console.print(f"revision  {status.current or 'none'} (head {status.head}, {state})")
        table = Table("table", "rows")
        for name, count in status.tables.items():
            table.add_row(name, "-" if count is None else str(count))
        console.print(table)
    if failure is not None:
        raise failure
