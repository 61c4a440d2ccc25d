"""``ouroboros run``: the main job. Offline by default: replay paper trading of the playbook
policy over KR, US_NASDAQ and JP on bundled and synthetic data with a simulated clock."""

from __future__ import annotations

import os
import time
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ouroboros.engine.clock import LiveClock
from ouroboros.engine.replay import DEFAULT_MARKETS, ReplayPlan
from ouroboros.engine.runs import ReplayRequest, open_replay, run_replay
from ouroboros.engine.timeline import StepSummary
from ouroboros.errors import OuroborosError
from ouroboros.evaluation.report_html import render_report, write_report
from ouroboros.interfaces.cli.output import console, decimal_option, emit_json, err_console
from ouroboros.interfaces.cli.run_broker import run_broker
from ouroboros.store import DEFAULT_URL, mask_url


def resolve_url(db: str | None) -> str:
    return db or os.environ.get("OUROBOROS_DB_URL") or DEFAULT_URL


def run(
    markets: str = typer.Option(
        ",".join(DEFAULT_MARKETS), "--markets", help="comma-separated market codes"
    ),
    days: int = typer.Option(20, "--days", help="trading days to replay"),
    end: str | None = typer.Option(None, "--end", help="last replayed session YYYY-MM-DD"),
    policy: str = typer.Option("playbook", "--policy", help="playbook, ta or sma-cross"),
    param: list[str] = typer.Option([], "--param", help="policy setting key=value (repeatable)"),
    symbols: int = typer.Option(20, "--symbols", help="synthetic symbols per non-US market"),
    seed: int = typer.Option(7, "--seed", help="synthetic data seed"),
    cash: str = typer.Option(
        "100000", "--cash", help="starting cash in USD, split across currencies"
    ),
    sizing: str = typer.Option(
        "fraction:0.1", "--sizing", help="all_in, fraction:F, fixed:N or risk (volatility-targeted)"
    ),
    db: str | None = typer.Option(
        None,
        "--db",
        help="database URL (default: OUROBOROS_DB_URL or sqlite:///./data/ouroboros.db)",
    ),
    report_dir: Path = typer.Option(
        Path("data/reports"), "--report-dir", help="where the HTML report goes"
    ),
    json_output: bool = typer.Option(
        False, "--json", help="machine-readable final summary on stdout"
    ),
    fresh: bool = typer.Option(
        False,
        "--fresh",
        help="start a new run even if an unfinished run with the same settings exists",
    ),
    pace: float = typer.Option(
        0.0,
        "--pace",
        min=0.0,
        help="wall-clock seconds to pause after each market-day (demos, crash drills)",
    ),
    flush_every: int = typer.Option(
        20,
        "--flush-every",
        min=1,
        help="price points per database transaction (a crash loses at most this many)",
    ),
    broker: str = typer.Option(
        "paper", "--broker", help="paper (offline simulator) or kis (KIS / KIS sandbox)"
    ),
    kis_url: str | None = typer.Option(
        None, "--kis-url", help="KIS REST base URL, e.g. a sandbox (default: KIS_BASE_URL or KIS)"
    ),
) -> None:
    """Run the main job: offline replay paper trading on the default settings.

    Killed or interrupted, the same command resumes the unfinished run where its record ends.
    Risk limits and the circuit breaker come from the environment (docs/risk.md).
    With --broker kis the orders go to KIS (credentials from KIS_*; docs/kis.md)."""
    if broker != "paper":
        run_broker(
            broker=broker,
            kis_url=kis_url,
            markets=markets,
            days=days,
            end=end,
            policy=policy,
            param=param,
            symbols=symbols,
            sizing=sizing,
            db=db,
            report_dir=report_dir,
            json_output=json_output,
        )
        return
    codes = tuple(m.strip().upper() for m in markets.split(",") if m.strip())
    try:
        plan = ReplayPlan(codes, days, date.fromisoformat(end) if end else None, symbols, seed)
        request = ReplayRequest(
            plan, policy, tuple(param), cash, sizing, resolve_url(db), fresh, flush_every
        )
        session = open_replay(request, decimal_option(cash, "--cash"), now=LiveClock().now())
        if session.point is not None and not json_output:
            console.print(f"resuming run {session.run_id} at point {session.point.cursor}")
        daily: dict[str, list[StepSummary]] = defaultdict(list)
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err_console if json_output else console,
            transient=json_output,
        ) as progress:
            task = progress.add_task("market-days", total=session.total_steps)

            def on_step(step: StepSummary) -> None:
                daily[step.market].append(step)
                progress.advance(task)
                if pace:
                    time.sleep(pace)
                if not json_output:
                    prev = daily[step.market][-2].equity if len(daily[step.market]) > 1 else None
                    change = f"{(step.equity / prev - 1) * 100:+.2f}%" if prev else "   n/a"
                    progress.console.print(
                        f"{step.ts.date()} {step.market:<10} equity {step.equity:>14,.2f} USD "
                        f"day {change}  fills {step.fills}"
                    )

            replayed = run_replay(session, on_step)
    except (OuroborosError, ValueError) as exc:
        err_console.print(f"[red]run failed:[/red] {exc}")
        raise typer.Exit(code=1) from exc
    outcome, audit, run_id, feeds = replayed.outcome, replayed.audit, replayed.run_id, session.feeds
    result = outcome.result
    first, last = result.equity_times[0].date(), result.equity_times[-1].date()
    report = report_dir / f"run-{policy}-{first}-{last}.html"
    write_report(
        report,
        render_report(
            f"Replay {policy} {first} to {last} ({', '.join(f.code for f in feeds)})",
            outcome.stats,
            result.equity_times,
            result.equity,
            result.trades.all_trades(),
        ),
    )
    summary: dict[str, Any] = {
        "trades": outcome.stats.trades,
        "fills": len(result.fills),
        "final_equity": str(outcome.final_equity.amount),
        "currency": outcome.final_equity.currency.value,
        "return_pct": outcome.stats.total_return_pct,
        "max_drawdown_pct": outcome.stats.max_drawdown_pct,
        "days": len({t.date() for t in result.equity_times}),
        "markets": [f.code for f in feeds],
        "policy": policy,
        "report": str(report),
        "run_id": run_id,
        "db": mask_url(resolve_url(db)),
        "audit_ok": audit.ok,
        "audit_problems": len(audit.problems),
        "elapsed_s": round(outcome.elapsed_s, 3),
    }
    if json_output:
        emit_json(summary)
        return
    console.print(
        f"[bold]done[/bold]: {summary['trades']} trades, final equity {outcome.final_equity}, "
        f"return {summary['return_pct']:+.2f}%, max drawdown {summary['max_drawdown_pct']:.2f}%"
    )
    console.print(f"report: {report}")
    verdict = "[green]clean[/green]" if audit.ok else f"[red]{len(audit.problems)} problems[/red]"
    console.print(f"state: {summary['db']} (run {run_id}); audit {verdict}")
