"""The last step every run-like command shares: write the report, print the summary once, and
exit with the code the outcome means (4 when the audit found problems, 1 when the report could
not be written; the summary is printed either way)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ouroboros.interfaces.cli.errors import CliFailure, ExitCode, Verdict, classify
from ouroboros.interfaces.cli.output import emit_json


def save_report(
    path: Path, render: Callable[[], str], option: str
) -> tuple[str | None, str | None]:
    """Write the HTML report; ``(path, None)`` or ``(None, reason)`` when it could not be
    written (the run itself is complete and on record)."""
    from ouroboros.evaluation.report_html import write_report

    try:
        write_report(path, render())
    except OSError as exc:
        reason = classify(exc).message
        return None, f"report not written ({option} {path}): {reason}"
    return str(path), None


def conclude(
    summary: dict[str, Any],
    *,
    json_output: bool,
    human: Callable[[], None],
    audit_problems: int = 0,
    report_error: str | None = None,
) -> None:
    """Print the summary (one JSON object or the human lines), then fail if the outcome says
    so: the audit's problems take precedence over an unwritten report."""
    failure: Verdict | None = None
    if report_error is not None:
        failure = Verdict(ExitCode.FAILED, report_error)
    if audit_problems:
        failure = Verdict(
            ExitCode.AUDIT_PROBLEMS,
            f"the audit found {audit_problems} problem(s) in the books of run "
            f"{summary.get('run_id', '?')} (ouroboros audit verify --run for details)",
        )
    if json_output:
        emit_json(summary, failure)
    else:
        human()
    if failure is not None:
        raise CliFailure(failure.message, failure.code)
