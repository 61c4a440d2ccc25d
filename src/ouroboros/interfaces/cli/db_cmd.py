"""``ouroboros db ...``: migrate the store and see what is in it.

Every command takes ``--db URL`` (or ``OUROBOROS_DB_URL``); the default is the SQLite file under
``./data``. URLs are shown with the password masked, and connection errors are reported in one
line with exit code 2 instead of a traceback.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from ouroboros.interfaces.cli.output import console, emit_json, err_console
from ouroboros.store import (
    DEFAULT_URL,
    DatabaseUrlError,
    SchemaNotCurrent,
    database_status,
    make_engine,
    mask_url,
    upgrade,
)

DB_ENV = "OUROBOROS_DB_URL"
EXIT_DATABASE = 2

DbOption = Annotated[
    str,
    typer.Option(
        "--db",
        envvar=DB_ENV,
        help="Database URL: sqlite:///path.db or postgresql+psycopg://user@host/db.",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON document.")]

app = typer.Typer(help="Database: migrate and inspect the store.", no_args_is_help=True)


@app.callback()
def _group() -> None:
    """Database: migrate and inspect the store."""


@contextmanager
def open_database(url: str) -> Iterator[Engine]:
    """An engine for ``url``; bad URLs and unreachable servers exit with a one-line reason."""
    try:
        engine = make_engine(url, setting=f"{DB_ENV} (--db)")
    except DatabaseUrlError as exc:
        err_console.print(f"[red]error:[/red] {exc}", markup=True, highlight=False)
        raise typer.Exit(EXIT_DATABASE) from None
    try:
        yield engine
    except OperationalError as exc:
        reason = mask_url(str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc))
        err_console.print(
            f"[red]error:[/red] database {mask_url(engine.url)} unavailable: {reason}",
            markup=True,
            highlight=False,
        )
        raise typer.Exit(EXIT_DATABASE) from None
    except SchemaNotCurrent as exc:
        err_console.print(f"[red]error:[/red] {exc}", markup=True, highlight=False)
        raise typer.Exit(EXIT_DATABASE) from None
    finally:
        engine.dispose()


@app.command("upgrade")
def upgrade_cmd(db: DbOption = DEFAULT_URL) -> None:
    """Create or migrate the database schema to the version this Ouroboros ships."""
    with open_database(db) as engine:
        result = upgrade(engine)
    where = mask_url(engine.url)
    if result.changed:
        console.print(f"{where}: upgraded {result.before or 'empty'} -> {result.after}")
    else:
        console.print(f"{where}: already at {result.after}")


@app.command("status")
def status_cmd(db: DbOption = DEFAULT_URL, as_json: JsonOption = False) -> None:
    """Show the schema revision (current vs. head) and the row count of every table."""
    with open_database(db) as engine:
        status = database_status(engine)
    if as_json:
        emit_json(status.as_dict())
        return
    state = "up to date" if status.up_to_date else "needs `ouroboros db upgrade`"
    console.print(f"database  {status.url} ({status.backend})", highlight=False)
    console.print(f"revision  {status.current or 'none'} (head {status.head}, {state})")
    table = Table("table", "rows")
    for name, count in status.tables.items():
        table.add_row(name, "-" if count is None else str(count))
    console.print(table)
