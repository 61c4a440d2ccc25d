"""``ouroboros run``: the main job. Offline by default: replay paper trading of the playbook
policy over KR, US_NASDAQ and JP on bundled and synthetic data with a simulated clock."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ouroboros.brain import LLMPlanner
from ouroboros.domain.currency import Currency
from ouroboros.domain.money import Money
from ouroboros.engine.backtest import RunOutcome
from ouroboros.engine.clock import LiveClock
from ouroboros.engine.compose import STATIC_FX, fixed_rates_note
from ouroboros.engine.policies import parse_params
from ouroboros.engine.replay import BUNDLED_MARKETS, DEFAULT_MARKETS, ReplayPlan, replay_feeds
from ouroboros.engine.runs import (
    ReplayRequest,
    ReplayResult,
    ReplaySession,
    open_replay,
    run_replay,
)
from ouroboros.engine.timeline import MarketFeed, StepSummary
from ouroboros.errors import OuroborosError
from ouroboros.evaluation.report_html import render_report
from ouroboros.evaluation.trades import marked_trades
from ouroboros.interfaces.cli import validate
from ouroboros.interfaces.cli.db_cmd import warn_if_in_memory
from ouroboros.interfaces.cli.errors import command_started, note_input
from ouroboros.interfaces.cli.finish import conclude, save_report
from ouroboros.interfaces.cli.output import console, err_console
from ouroboros.interfaces.cli.planner_opts import (
    CACHE_HELP,
    CASSETTE_HELP,
    LOCAL_HELP,
    MODEL_HELP,
    PLANNER_HELP,
    LateBinding,
    build_policy,
    llm_lines,
    llm_summary,
)
from ouroboros.interfaces.cli.run_broker import run_broker
from ouroboros.interfaces.cli.scorecard import Scorecard
from ouroboros.interfaces.cli.summary import data_label, last_prices, money_json, statistics_fields
from ouroboros.store import DEFAULT_URL, LlmCallRepository, mask_url
from ouroboros.store.audit.report import AuditReport
from ouroboros.strategy.base import DecisionPolicy


def resolve_url(db: str | None) -> str:
    return db or os.environ.get("OUROBOROS_DB_URL") or DEFAULT_URL


# The options of ``run`` (module constants keep its signature short).
MARKETS_OPTION = typer.Option(
    ",".join(DEFAULT_MARKETS), "--markets", help="comma-separated market codes"
)
DAYS_OPTION = typer.Option(
    20, "--days", min=1, max=5000, help="sessions of the chosen markets to replay"
)
END_OPTION = typer.Option(None, "--end", help="last replayed session YYYY-MM-DD")
POLICY_OPTION = typer.Option("playbook", "--policy", help="playbook, ta or sma-cross")
PARAM_OPTION = typer.Option([], "--param", help="policy setting key=value (repeatable)")
SYMBOLS_OPTION = typer.Option(
    20, "--symbols", min=1, max=500, help="synthetic symbols per non-US market"
)
SEED_OPTION = typer.Option(7, "--seed", min=0, help="synthetic data seed")
CASH_OPTION = typer.Option(
    "100000",
    "--cash",
    help="starting cash in the base currency, deposited in equal shares in the currencies "
    "the run trades (converted at the fixed offline FX rates)",
)
BASE_CURRENCY_OPTION = typer.Option(
    "USD", "--base-currency", help="currency of equity, statistics and the report"
)
SIZING_OPTION = typer.Option(
    "fraction:0.1", "--sizing", help="all_in, fraction:F, fixed:N or risk (volatility-targeted)"
)
DB_OPTION = typer.Option(
    None,
    "--db",
    help="database URL (default: OUROBOROS_DB_URL or sqlite:///./data/ouroboros.db)",
)
REPORT_DIR_OPTION = typer.Option(
    Path("data/reports"), "--report-dir", help="where the HTML report goes"
)
JSON_OUTPUT_OPTION = typer.Option(False, "--json", help="machine-readable final summary on stdout")
FRESH_OPTION = typer.Option(
    False,
    "--fresh",
    help="start a new run even if an unfinished run with the same settings exists",
)
PACE_OPTION = typer.Option(
    0.0,
    "--pace",
    min=0.0,
    help="wall-clock seconds to pause after each market-day (demos, crash drills)",
)
FLUSH_EVERY_OPTION = typer.Option(
    20,
    "--flush-every",
    min=1,
    help="price points per database transaction (a crash loses at most this many)",
)
BROKER_OPTION = typer.Option(
    "paper", "--broker", help="paper (offline simulator) or kis (KIS / KIS sandbox)"
)
KIS_URL_OPTION = typer.Option(
    None, "--kis-url", help="KIS REST base URL, e.g. a sandbox (default: KIS_BASE_URL or KIS)"
)
PLANNER_OPTION = typer.Option("quant", "--planner", help=PLANNER_HELP)
MODEL_OPTION = typer.Option(None, "--model", help=MODEL_HELP)
LOCAL_MODEL_OPTION = typer.Option(False, "--local-model", help=LOCAL_HELP)
LLM_CACHE_OPTION = typer.Option("off", "--llm-cache", help=CACHE_HELP)
LLM_CASSETTE_OPTION = typer.Option(None, "--llm-cassette", help=CASSETTE_HELP)


def run(
    markets: str = MARKETS_OPTION,
    days: int = DAYS_OPTION,
    end: str | None = END_OPTION,
    policy: str = POLICY_OPTION,
    param: list[str] = PARAM_OPTION,
    symbols: int = SYMBOLS_OPTION,
    seed: int = SEED_OPTION,
    cash: str = CASH_OPTION,
    base_currency: str = BASE_CURRENCY_OPTION,
    sizing: str = SIZING_OPTION,
    db: str | None = DB_OPTION,
    report_dir: Path = REPORT_DIR_OPTION,
    json_output: bool = JSON_OUTPUT_OPTION,
    fresh: bool = FRESH_OPTION,
    pace: float = PACE_OPTION,
    flush_every: int = FLUSH_EVERY_OPTION,
    broker: str = BROKER_OPTION,
    kis_url: str | None = KIS_URL_OPTION,
    planner: str = PLANNER_OPTION,
    model: str | None = MODEL_OPTION,
    local_model: bool = LOCAL_MODEL_OPTION,
    llm_cache: str = LLM_CACHE_OPTION,
    llm_cassette: Path | None = LLM_CASSETTE_OPTION,
) -> None:
    """Run the main job: offline replay paper trading on the default settings.

    Killed or interrupted, the same command resumes the unfinished run where its record ends.
    Risk limits and the circuit breaker come from the environment (docs/risk.md).
    With --broker kis the orders go to KIS (credentials from KIS_*; docs/kis.md)."""
    if broker != "paper":
        run_on_broker(
            broker=broker, kis_url=kis_url, markets=markets, days=days, end=end, policy=policy,
            param=param, symbols=symbols, sizing=sizing, db=db, report_dir=report_dir,
            json_output=json_output, planner=planner,
        )  # fmt: skip
        return
    began = command_started()
    codes, last_day, base, total_cash, url = check_replay_options(
        markets, end, base_currency, cash, sizing, db
    )
    try:
        plan = ReplayPlan(codes, days, last_day, symbols, seed)
        feeds = replay_feeds(plan)
        late = LateBinding()  # the planner's calls and fallbacks, until the store is open
        chosen, llm = build_policy(  # bad input fails before any write
            policy, parse_params(param), planner, model, local_model, llm_cache, llm_cassette, late
        )
        planner_key = f"{planner}|{model}|{local_model}|{llm_cache}"
        request = ReplayRequest(
            plan, policy, tuple(param), total_cash.amount, sizing, url, fresh, flush_every,
            base=base, planner=planner_key,
        )  # fmt: skip
        card = Scorecard(feeds, base)
        clock = LiveClock().now
        session = open_bound_session(request, feeds, chosen, late, card, clock(), json_output)
        replayed_run = replay_with_progress(
            session, card, clock, json_output=json_output, pace=pace
        )
    except (OuroborosError, ValueError):
        raise  # printed in one line with its exit code by the error boundary (cli/errors.py)
    session.store.dispose()  # the run is on record: release the pool (PostgreSQL connections)
    outcome, audit, run_id = replayed_run.outcome, replayed_run.audit, replayed_run.run_id
    replayed = Replayed(
        outcome, feeds, codes, base, total_cash, session.deposits, run_id,
        session.point is not None, audit, card.breaker_events, url, llm,
    )  # fmt: skip
    finish_replay(
        replayed,
        settings={"policy": " ".join([policy, *sorted(param)]), "sizing": sizing},
        data=(symbols, seed),
        report_dir=report_dir,
        began=began,
        json_output=json_output,
    )


def run_on_broker(*, planner: str, **options: Any) -> None:
    """``run --broker``: the broker branch (the planner is not wired to it yet)."""
    if planner != "quant":
        err_console.print("[red]run failed:[/red] --planner llm is not wired to --broker yet")
        raise typer.Exit(code=1)
    run_broker(**options)


def check_replay_options(
    markets: str, end: str | None, base_currency: str, cash: str, sizing: str, db: str | None
) -> tuple[tuple[str, ...], date | None, Currency, Money, str]:
    """The replay's options checked before anything is read or written: the market codes, the
    last day, the base currency, the starting cash and the database URL (noted and warned)."""
    codes = validate.markets(markets)
    last_day = validate.parse_date(end, "--end")
    base = Currency(validate.currency(base_currency))
    total_cash = Money(validate.cash_amount(cash), base)
    validate.sizing(sizing)
    validate.risk_env_conflicts()
    url = resolve_url(db)
    note_input("--db", mask_url(url))
    warn_if_in_memory(url)
    return codes, last_day, base, total_cash, url


def open_bound_session(
    request: ReplayRequest,
    feeds: list[MarketFeed],
    chosen: DecisionPolicy,
    late: LateBinding,
    card: Scorecard,
    started: datetime,
    json_output: bool,
) -> ReplaySession:
    """Open (or resume) the replay's run and bind the planner's call log and fallbacks to it."""
    session = open_replay(request, feeds, chosen, now=started, tee=card.tee)
    sink = session.sink
    late.bind(
        LlmCallRepository(session.store, session.run_id).record,
        lambda e: sink.emit("planner.fallback", e.at, e.payload()),
    )
    if session.point is not None and not json_output:
        console.print(f"resuming run {session.run_id} at point {session.point.cursor}")
    return session


def replay_with_progress(
    session: ReplaySession,
    card: Scorecard,
    clock: Callable[[], datetime],
    *,
    json_output: bool,
    pace: float,
) -> ReplayResult:
    """Run the opened replay under a progress bar; each step prints its scorecard lines
    (suppressed with --json) and pauses ``pace`` wall seconds."""
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
            progress.advance(task)
            if pace:
                time.sleep(pace)
            for line in card.line(step):
                if not json_output:
                    progress.console.print(line, highlight=False, soft_wrap=True)

        return run_replay(session, on_step, clock=clock)


@dataclass(frozen=True)
class Replayed:
    """What a finished replay hands to its report and summary."""

    outcome: RunOutcome
    feeds: list[MarketFeed]
    codes: tuple[str, ...]
    base: Currency
    total_cash: Money
    deposits: tuple[Money, ...]
    run_id: str
    resumed: bool
    audit: AuditReport
    breaker_events: int
    url: str
    llm: LLMPlanner | None


def finish_replay(
    r: Replayed,
    *,
    settings: dict[str, str],
    data: tuple[int, int],
    report_dir: Path,
    began: float,
    json_output: bool,
) -> None:
    """Write the report (its failure keeps the summary), print the summary, exit by outcome."""
    outcome, result, audit = r.outcome, r.outcome.result, r.audit
    policy = settings["policy"].split()[0]
    first, last = result.equity_times[0].date(), result.equity_times[-1].date()
    traded = [c for c in r.codes if c in {f.code for f in r.feeds}]
    synthetic = [c for c in traded if c not in BUNDLED_MARKETS]
    fx_note = fixed_rates_note(STATIC_FX, r.base, [m.currency for m in r.deposits])
    shown = {
        "run id": r.run_id,
        "markets": ", ".join(traded),
        "data": data_label(traded, synthetic, *data),
        **settings,
        "cash": f"{r.total_cash} as " + ", ".join(str(m) for m in r.deposits),
        "base currency": r.base.value,
        "fx": fx_note,
        "database": mask_url(r.url),
    }
    report, report_error = save_report(
        report_dir / f"run-{policy}-{first}-{last}-{r.run_id}.html",
        lambda: render_report(
            f"Replay {policy} {first} to {last} ({', '.join(traded)})",
            outcome.stats,
            result.equity_times,
            result.equity,
            marked_trades(result.trades.all_trades(), last_prices(r.feeds, result.last_close)),
            extra=shown,
        ),
        "--report-dir",
    )
    summary: dict[str, Any] = {
        "command": "run",
        "run_id": r.run_id,
        "resumed": r.resumed,
        "policy": policy,
        "markets": traded,
        "synthetic_markets": synthetic,
        "first_day": first,
        "last_day": last,
        "days": len({t.date() for t in result.equity_times}),
        "currency": r.base.value,
        "deposits": [money_json(m) for m in r.deposits],
        "final_equity": str(outcome.final_equity.amount),
        **statistics_fields(outcome.stats),
        "fills": len(result.fills),
        "breaker_events": r.breaker_events,
        "fx": fx_note,
        "db": mask_url(r.url),
        "audit_ok": audit.ok,
        "audit_problems": [p.as_dict() for p in audit.problems],
        "report": report,
        "report_error": report_error,
        "elapsed_s": round(time.perf_counter() - began, 3),
    }
    if r.llm is not None:
        summary["llm"] = llm_summary(r.llm, first, last)

    def human() -> None:
        console.print(
            f"[bold]done[/bold]: {summary['trades']} trades, final equity "
            f"{outcome.final_equity}, return {outcome.stats.total_return_pct:+.2f}%, "
            f"max drawdown {outcome.stats.max_drawdown_pct:.2f}%"
        )
        if report is not None:
            console.print(f"report: {report}")
        verdict = (
            "[green]clean[/green]" if audit.ok else f"[red]{len(audit.problems)} problems[/red]"
        )
        console.print(f"state: {summary['db']} (run {r.run_id}); audit {verdict}")
        for line in llm_lines(summary["llm"]) if r.llm is not None else []:
            console.print(line)

    conclude(
        summary,
        json_output=json_output,
        human=human,
        audit_problems=len(audit.problems),
        report_error=report_error,
    )
