"""``ouroboros audit verify``: check that the stored books add up.

Exit code 0 when consistent, 1 when problems were found, 2 when the database could not be
read (bad URL, unreachable, schema not migrated).
"""

from __future__ import annotations

from typing import Annotated

import typer

from ouroboros.interfaces.cli.db_cmd import DbOption, JsonOption, open_database
from ouroboros.interfaces.cli.output import console, emit_json
from ouroboros.store import DEFAULT_URL, require_current, verify

app = typer.Typer(help="Audit: verify the stored books and audit log.", no_args_is_help=True)

RunOption = Annotated[
    str | None, typer.Option("--run", help="Audit only this run id (default: every run).")
]


@app.callback()
def _group() -> None:
    """Audit: verify the stored books and audit log."""


@app.command("verify")
def verify_cmd(
    db: DbOption = DEFAULT_URL, run: RunOption = None, as_json: JsonOption = False
) -> None:
    """Recompute positions and cash from fills and capital events and compare them with the
    stored positions and latest snapshot; find duplicate client order ids, orphan fills and
    orders whose filled quantity disagrees with their fills."""
    with open_database(db) as engine:
        require_current(engine)
        report = verify(engine, run)
    if as_json:
        emit_json(report.as_dict())
    else:
        verdict = (
            "[green]ok[/green]" if report.ok else f"[red]{len(report.problems)} problem(s)[/red]"
        )
        console.print(
            f"audit {verdict}: {report.runs} run(s), {report.ledgers} ledger(s), "
            f"{report.orders} orders, {report.fills} fills, {report.capital_events} capital "
            f"events, {report.positions} positions, {report.snapshots} snapshots"
        )
        for problem in report.problems:
            console.print(f"  - {problem.kind}: {problem.message}", highlight=False, markup=False)
    if not report.ok:
        raise typer.Exit(1)
