"""The composition of the ``ouroboros`` command line: each command group lives in its own module.

Command modules are imported only when their command runs (``ouroboros --help`` lists them from
the table below without importing pandas, SQLAlchemy or the engine), and every command runs
inside one error boundary (:mod:`ouroboros.interfaces.cli.errors`): an expected failure is one
line on stderr and a documented exit code, never a traceback unless ``--debug`` is given.
"""

from __future__ import annotations

import importlib
import os
import sys

import typer
from typer import _click as click  # typer vendors click: its exceptions are these
from typer.core import TyperCommand

from ouroboros import __version__
from ouroboros.interfaces.cli.boundary import BoundaryGroup
from ouroboros.interfaces.cli.errors import DEBUG_ENV

HELP = (
    "Ouroboros - trading agent: backtests and offline replay paper trading on one engine, "
    "and sessions against KIS (or its local sandbox)."
)

# name -> (module, attribute, one-line help shown by `ouroboros --help`)
LAZY: dict[str, tuple[str, str, str]] = {
    "audit": ("audit_cmd", "app", "Audit: verify the stored books and audit log."),
    "backtest": (
        "backtest_cmd",
        "backtest",
        "Backtest a strategy on historical or synthetic bars.",
    ),
    "data": ("data_cmd", "app", "Market data: list, import, validate and generate bars."),
    "db": ("db_cmd", "app", "Database: migrate and inspect the store."),
    "kis-sandbox": ("kis_cmd", "kis_sandbox", "Run a local KIS Open API sandbox."),
    "alpaca-sandbox": (
        "alpaca_cmd",
        "alpaca_sandbox",
        "Run a local Alpaca sandbox (trading, data, both streams).",
    ),
    "llm": ("llm_cmd", "app", "Recorded LLM calls: list with tokens and cost, export, import."),
    "markets": ("markets_cmd", "markets", "List every market with its status, next open/close."),
    "plan": ("plan_cmd", "plan", "Write, record and print one playbook for a market."),
    "run": ("run_cmd", "run", "Run the main job: offline replay paper trading."),
    "safety": (
        "safety_cmd",
        "app",
        "An account's breaker and kill switch: status, disable, enable.",
    ),
    "serve": ("serve_cmd", "serve", "Serve the operator's HTTP API, metrics and dashboard."),
}
PACKAGE = "ouroboros.interfaces.cli"


def load_command(name: str) -> click.Command:
    """The click command for ``name``, importing its module now."""
    module_name, attr, _ = LAZY[name]
    module = importlib.import_module(f"{PACKAGE}.{module_name}")
    target = getattr(module, attr)
    if isinstance(target, typer.Typer):
        command = typer.main.get_command(target)
    else:
        single = typer.Typer(rich_markup_mode=None, add_completion=False)
        single.command(name, help=target.__doc__)(target)
        command = typer.main.get_command(single)
    command.name = name
    return command


class LazyGroup(BoundaryGroup):
    """The top-level group: commands loaded when they run, inside the error boundary."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *LAZY})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        if cmd_name not in LAZY:
            return None
        if ctx.meta.get("ouroboros.listing"):
            return TyperCommand(cmd_name, help=LAZY[cmd_name][2])
        command = load_command(cmd_name)
        self.commands[cmd_name] = command
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        ctx.meta["ouroboros.listing"] = True
        try:
            super().format_commands(ctx, formatter)
        finally:
            ctx.meta["ouroboros.listing"] = False


app = typer.Typer(
    name="ouroboros",
    cls=LazyGroup,
    help=HELP,
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(
    debug: bool = typer.Option(
        False, "--debug", help=f"show tracebacks (also {DEBUG_ENV}=1; works after any command)"
    ),
) -> None:
    """Ouroboros - trading agent."""


@app.command("version")
def version(
    json_output: bool = typer.Option(False, "--json", help="print one JSON object"),
) -> None:
    """Print the installed version."""
    if json_output:
        from ouroboros.interfaces.cli.output import emit_json

        emit_json({"version": __version__})
        return
    typer.echo(__version__)


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if "--debug" in args:  # a global flag, accepted anywhere on the line
        args.remove("--debug")
        os.environ[DEBUG_ENV] = "1"
    app(args=args, prog_name="ouroboros")


if __name__ == "__main__":
    main()
