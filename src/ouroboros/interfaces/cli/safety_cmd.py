"""``ouroboros safety``: the circuit breaker and kill switch of a broker account (or a run).

Every broker session on an account shares its breaker and kill switch (docs/risk.md). A
disabled account sends nothing; a tripped breaker blocks new risk until it re-arms itself (after
its cooldown, for auto-resumable causes) or a person resumes it here.
"""

from __future__ import annotations

from typing import Annotated

import typer

from ouroboros.clock import LiveClock
from ouroboros.engine.safety import SafetyStatus, resume_breaker, safety_status
from ouroboros.errors import OuroborosError
from ouroboros.interfaces.cli.boundary import BoundaryGroup
from ouroboros.interfaces.cli.db_cmd import DbOption, JsonOption, open_database
from ouroboros.interfaces.cli.output import console, emit_json, err_console
from ouroboros.store import DEFAULT_URL, require_current
from ouroboros.store.repositories.safety import SafetyStateRepository, account_scope, run_scope

app = typer.Typer(
    help="Safety: an account's circuit breaker and kill switch.",
    no_args_is_help=True,
    rich_markup_mode=None,
    cls=BoundaryGroup,
)

AccountOption = Annotated[
    str | None,
    typer.Option("--account", help="Broker account key, e.g. kis-virtual:50000000-01."),
]
RunOption = Annotated[str | None, typer.Option("--run", help="An offline run's id instead.")]
ByOption = Annotated[str, typer.Option("--by", help="Who does it (recorded).")]
ReasonOption = Annotated[str, typer.Option("--reason", help="Why (recorded).")]


@app.callback()
def _group() -> None:
    """Safety: an account's circuit breaker and kill switch."""


def _scope(account: str | None, run: str | None) -> str:
    if (account is None) == (run is None):
        raise typer.BadParameter("give exactly one of --account or --run")
    return account_scope(account) if account is not None else run_scope(run or "")


def _show(status: SafetyStatus, as_json: bool) -> None:
    if as_json:
        emit_json(status.as_dict())
        return
    switch = "enabled" if status.trading_enabled else "[red]DISABLED[/red]"
    if status.switch is not None and status.switch.get("by"):
        switch += f" (by {status.switch['by']}: {status.switch.get('reason') or 'no reason'})"
    console.print(f"{status.scope}: trading {switch}")
    breaker = status.breaker
    if breaker is None:
        console.print("circuit breaker: none stored (a session starts with a fresh one)")
    else:
        reason = f": {breaker.state.reason}" if breaker.state.reason else ""
        console.print(f"circuit breaker: {breaker.status.value}{reason}", markup=False)


def _fail(exc: OuroborosError) -> typer.Exit:
    err_console.print(f"[red]error:[/red] {exc}", highlight=False)
    return typer.Exit(1)


@app.command("status")
def status_cmd(
    account: AccountOption = None,
    run: RunOption = None,
    db: DbOption = DEFAULT_URL,
    as_json: JsonOption = False,
) -> None:
    """Show the breaker and the kill switch."""
    scope = _scope(account, run)
    with open_database(db) as engine:
        require_current(engine)
        try:
            status = safety_status(engine, scope)
        except OuroborosError as exc:
            raise _fail(exc) from exc
    _show(status, as_json)


def _switch(scope: str, enabled: bool, db: str, by: str, reason: str, as_json: bool) -> None:
    with open_database(db) as engine:
        require_current(engine)
        try:
            SafetyStateRepository(engine).set_trading_enabled(
                scope, enabled, LiveClock().now(), by=by, reason=reason
            )
            status = safety_status(engine, scope)
        except OuroborosError as exc:
            raise _fail(exc) from exc
    _show(status, as_json)


@app.command("disable")
def disable_cmd(
    by: ByOption,
    reason: ReasonOption = "",
    account: AccountOption = None,
    run: RunOption = None,
    db: DbOption = DEFAULT_URL,
    as_json: JsonOption = False,
) -> None:
    """Kill switch off: the account sends nothing (exits included) until enabled again."""
    _switch(_scope(account, run), False, db, by, reason, as_json)


@app.command("enable")
def enable_cmd(
    by: ByOption,
    reason: ReasonOption = "",
    account: AccountOption = None,
    run: RunOption = None,
    db: DbOption = DEFAULT_URL,
    as_json: JsonOption = False,
) -> None:
    """Kill switch on again."""
    _switch(_scope(account, run), True, db, by, reason, as_json)


@app.command("resume-breaker")
def resume_cmd(
    by: ByOption,
    account: AccountOption = None,
    run: RunOption = None,
    db: DbOption = DEFAULT_URL,
    as_json: JsonOption = False,
) -> None:
    """Re-arm a tripped breaker (today's losses so far are acknowledged, not forgotten)."""
    scope = _scope(account, run)
    with open_database(db) as engine:
        require_current(engine)
        try:
            status = resume_breaker(engine, scope, by=by, now=LiveClock().now())
        except OuroborosError as exc:
            raise _fail(exc) from exc
    _show(status, as_json)
