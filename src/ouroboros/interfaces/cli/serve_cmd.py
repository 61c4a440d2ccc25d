"""``ouroboros serve``: the operator's HTTP API and dashboard over a store a run has written."""

from __future__ import annotations

import os

import typer

from ouroboros.engine.clock import LiveClock
from ouroboros.errors import ConfigError
from ouroboros.interfaces.api import ApiSecurity, check_bind, create_app
from ouroboros.interfaces.cli.db_cmd import DB_ENV, open_database
from ouroboros.interfaces.cli.output import err_console
from ouroboros.store import DEFAULT_URL

TOKEN_ENV = "API_TOKEN"


def serve(
    db: str = typer.Option(DEFAULT_URL, "--db", envvar=DB_ENV, help="database URL"),
    host: str = typer.Option(
        "127.0.0.1", "--host", envvar="DASHBOARD_HOST", help="address to listen on"
    ),
    port: int = typer.Option(8080, "--port", envvar="DASHBOARD_PORT", min=1, max=65535),
    protect_reads: bool = typer.Option(
        False, "--protect-reads", help="read routes need the token too"
    ),
) -> None:
    """Serve the HTTP API, /metrics and the dashboard over a store (API_TOKEN guards actions)."""
    import uvicorn

    token = os.environ.get(TOKEN_ENV) or None
    try:
        check_bind(host, token)
    except ConfigError as exc:
        err_console.print(f"[red]error:[/red] {exc}", markup=True, highlight=False)
        raise typer.Exit(2) from None
    if token is None:
        err_console.print(
            f"note: {TOKEN_ENV} is not set: every state-changing route answers 401",
            highlight=False,
        )
    clock = LiveClock()
    with open_database(db) as engine:
        app = create_app(
            engine, security=ApiSecurity(token, protect_reads=protect_reads), now=clock.now
        )
        uvicorn.run(app, host=host, port=port, log_level="info", access_log=False)
