"""``ouroboros audit verify``: check that the stored books add up.

Exit code 0 when consistent, 4 when problems were found, 2 when the database could not be
read as ours (bad URL, missing file, schema not migrated), 3 when the server is unreachable.
"""

from __future__ import annotations

from typing import Annotated

import typer

from ouroboros.interfaces.cli.boundary import BoundaryGroup
from ouroboros.interfaces.cli.db_cmd import DbOption, JsonOption, open_database
from ouroboros.interfaces.cli.errors import CliFailure, ExitCode, Verdict
from ouroboros.interfaces.cli.output import console, emit_json
from ouroboros.store import DEFAULT_URL, require_current, verify

app = typer.Typer(
    help="Audit: verify the stored books and audit log.",
    no_args_is_help=True,
    rich_markup_mode=None,
    cls=BoundaryGroup,
)

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
    with open_database(db, must_exist=True) as engine:
        require_current(engine)
        report = verify(engine, run)
    failure = None
    if not report.ok:
        failure = Verdict(
            ExitCode.AUDIT_PROBLEMS, f"the audit found {len(report.problems)} problem(s)"
        )
    if as_json:
        payload = report.as_dict()
        payload["audit_problems"] = payload.pop("problems")
        emit_json(payload, failure)
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
    if failure is not None:
        raise CliFailure(failure.message, failure.code)
