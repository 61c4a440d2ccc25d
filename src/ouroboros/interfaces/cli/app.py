"""The composition of the ``ouroboros`` command line: each command group lives in its own module."""

from __future__ import annotations

import typer

import ouroboros.interfaces.cli.kis_cmd as kis_cmd
import ouroboros.interfaces.cli.serve_cmd as serve_cmd
from ouroboros import __version__
from ouroboros.interfaces.cli import audit_cmd, backtest_cmd, data_cmd, db_cmd, markets_cmd, run_cmd

app = typer.Typer(
    name="ouroboros",
    help="Ouroboros - AI-assisted trading agent: backtest, replay, paper and live on one engine.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)
app.command("markets", help=markets_cmd.markets.__doc__)(markets_cmd.markets)
app.add_typer(data_cmd.app, name="data")
app.add_typer(db_cmd.app, name="db")
app.add_typer(audit_cmd.app, name="audit")
app.command("run", help=run_cmd.run.__doc__)(run_cmd.run)
app.command("kis-sandbox", help=kis_cmd.kis_sandbox.__doc__)(kis_cmd.kis_sandbox)
app.command("backtest", help=backtest_cmd.backtest.__doc__)(backtest_cmd.backtest)
app.command("serve", help=serve_cmd.serve.__doc__)(serve_cmd.serve)


@app.command("version")
def version() -> None:
    """Print the installed version."""
    typer.echo(__version__)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
