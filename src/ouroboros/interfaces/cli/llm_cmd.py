"""``ouroboros llm``: the recorded LLM calls, and cassettes as shareable files."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import typer
from rich.table import Table

from ouroboros.brain import Cassette
from ouroboros.errors import OuroborosError
from ouroboros.interfaces.cli.boundary import BoundaryGroup
from ouroboros.interfaces.cli.output import console, emit_json, err_console
from ouroboros.interfaces.cli.run_cmd import resolve_url
from ouroboros.store import LlmCallRepository, make_engine, upgrade

app = typer.Typer(
    help="LLM calls and cassettes (docs/brain.md).",
    no_args_is_help=True,
    rich_markup_mode=None,
    cls=BoundaryGroup,
)


@app.command("calls")
def calls(
    day: str | None = typer.Option(None, "--date", help="session YYYY-MM-DD"),
    market: str | None = typer.Option(None, "--market", help="market code"),
    db: str | None = typer.Option(None, "--db", help="database URL"),
    json_output: bool = typer.Option(False, "--json", help="machine-readable output"),
) -> None:
    """List recorded LLM calls with tokens, cost and outcome."""
    try:
        session = date.fromisoformat(day) if day else None
    except ValueError:
        raise typer.BadParameter(f"--date must be YYYY-MM-DD, was {day!r}") from None
    try:
        store = make_engine(resolve_url(db))
        upgrade(store)
        found = LlmCallRepository(store).list(session, market.upper() if market else None)
    except OuroborosError as exc:
        err_console.print(f"[red]llm calls failed:[/red] {exc}")
        raise typer.Exit(code=1) from exc
    rows = [
        {
            "session_date": c.session_date.isoformat(),
            "market": c.market,
            "provider": c.provider,
            "model": c.model,
            "role": c.role,
            "attempt": c.attempt,
            "outcome": c.outcome,
            "cache": c.cache.value,
            "input_tokens": c.input_tokens,
            "output_tokens": c.output_tokens,
            "cost_usd": str(c.cost_usd),
            "billed_usd": str(c.billed_usd),
            "latency_ms": c.latency_ms,
            "retries": c.retries,
            "error": c.error,
            "call_id": c.call_id,
        }
        for c in found
    ]
    total = {
        "calls": len(found),
        "input_tokens": sum(c.input_tokens for c in found),
        "output_tokens": sum(c.output_tokens for c in found),
        "cost_usd": str(sum((c.cost_usd for c in found), Decimal(0))),
    }
    if json_output:
        emit_json({"calls": rows, "total": total})
        return
    table = Table(title="LLM calls")
    for column in ("date", "market", "model", "try", "outcome", "cache", "in", "out", "USD", "ms"):
        table.add_column(column)
    for r in rows:
        table.add_row(
            str(r["session_date"]),
            str(r["market"]),
            str(r["model"]),
            str(r["attempt"]),
            str(r["outcome"]),
            str(r["cache"]),
            str(r["input_tokens"]),
            str(r["output_tokens"]),
            str(r["cost_usd"]),
            str(r["latency_ms"]),
        )
    console.print(table)
    console.print(
        f"{total['calls']} calls, {total['input_tokens']} in / {total['output_tokens']} out "
        f"tokens, {total['cost_usd']} USD"
    )


@app.command("export")
def export(
    cassette: Path = typer.Option(..., "--cassette", help="cassette directory"),
    out: Path = typer.Option(..., "--out", help="JSON-lines file to write"),
) -> None:
    """Write a cassette to one file, to share a reproducible LLM backtest."""
    count = Cassette(cassette).export(out)
    console.print(f"exported {count} answers to {out}")


@app.command("import")
def import_(
    source: Path = typer.Argument(..., help="an exported cassette file"),
    cassette: Path = typer.Option(..., "--cassette", help="cassette directory"),
) -> None:
    """Add the answers of an exported cassette file to a cassette directory."""
    try:
        count = Cassette(cassette).import_(source)
    except (OuroborosError, OSError) as exc:
        err_console.print(f"[red]llm import failed:[/red] {exc}")
        raise typer.Exit(code=1) from exc
    console.print(f"imported {count} answers into {cassette}")
