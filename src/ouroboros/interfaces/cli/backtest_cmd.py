"""``ouroboros backtest``: one policy over historical bars, as fast as the engine goes."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from ouroboros.domain.money import Money
from ouroboros.engine.backtest import RunConfig, RunOutcome, run
from ouroboros.engine.compose import STATIC_FX, LoadedFeeds, load_feeds, split_cash
from ouroboros.engine.policies import parse_params
from ouroboros.engine.sizing import Sizing
from ouroboros.errors import ConfigError, OuroborosError
from ouroboros.evaluation.report_html import render_report, write_report
from ouroboros.execution.simulator import FillAt, FillModel
from ouroboros.interfaces.cli.output import console, decimal_option, emit_json, err_console
from ouroboros.interfaces.cli.planner_opts import (
    CACHE_HELP,
    CASSETTE_HELP,
    LOCAL_HELP,
    MODEL_HELP,
    PLANNER_HELP,
    build_policy,
    llm_lines,
    llm_summary,
)
from ouroboros.risk import RiskSettings


def backtest(
    data: str = typer.Option(
        "bundled:GOOG", "--data", help="bundled:NAME, a CSV/Parquet path or synthetic:..."
    ),
    strategy: str = typer.Option("sma-cross", "--strategy", help="playbook, ta or sma-cross"),
    param: list[str] = typer.Option([], "--param", help="strategy setting key=value (repeatable)"),
    start: str | None = typer.Option(None, "--start", help="first session date YYYY-MM-DD"),
    end: str | None = typer.Option(None, "--end", help="last session date YYYY-MM-DD"),
    cash: str = typer.Option("10000", "--cash", help="starting cash in the base currency"),
    commission: str | None = typer.Option(
        None,
        "--commission",
        help="flat commission rate per side, exact (e.g. 0.002); default: market fee schedules",
    ),
    fill: str = typer.Option("next_open", "--fill", help="next_open or close"),
    sizing: str = typer.Option(
        "fraction:0.1", "--sizing", help="all_in, fraction:F, fixed:N or risk (volatility-targeted)"
    ),
    spread: str = typer.Option("0.0005", "--spread", help="full bid-ask spread as a fraction"),
    slippage: str = typer.Option("0.0015", "--slippage", help="slippage as a fraction"),
    report: Path | None = typer.Option(
        None, "--report", help="write a self-contained HTML report here"
    ),
    json_output: bool = typer.Option(False, "--json", help="machine-readable result on stdout"),
    risk_profile: str | None = typer.Option(
        None,
        "--risk-profile",
        help="default or permissive (reference backtests only); default: RISK_PROFILE or default",
    ),
    planner: str = typer.Option("quant", "--planner", help=PLANNER_HELP),
    model: str | None = typer.Option(None, "--model", help=MODEL_HELP),
    local_model: bool = typer.Option(False, "--local-model", help=LOCAL_HELP),
    llm_cache: str = typer.Option("off", "--llm-cache", help=CACHE_HELP),
    llm_cassette: Path | None = typer.Option(None, "--llm-cassette", help=CASSETTE_HELP),
) -> None:
    """Backtest a strategy on historical or synthetic bars and report its statistics.

    Every order passes the risk manager with the limits of the environment (docs/risk.md);
    ``--risk-profile permissive`` lifts them (and the breaker) to compare with other tools."""
    try:
        loaded = load_feeds(data, _date(start, "--start"), _date(end, "--end"))
        config = _config(loaded, cash, commission, fill, sizing, spread, slippage)
        config = _with_risk(config, risk_profile)
        policy, llm = build_policy(
            strategy, parse_params(param), planner, model, local_model, llm_cache, llm_cassette
        )
        outcome = run(loaded.feeds, policy, config)
    except (OuroborosError, ValueError) as exc:
        err_console.print(f"[red]backtest failed:[/red] {exc}")
        raise typer.Exit(code=1) from exc
    summary = summarize(outcome, loaded)
    warning = ""
    if llm is not None:
        times = outcome.result.equity_times
        summary["llm"] = llm_summary(llm, times[0].date(), times[-1].date())
        warning = str(summary["llm"]["knowledge_cutoff"]["warning"])
    if report is not None:
        title = f"Backtest {strategy} on {data}" + (f" - {warning}" if warning else "")
        write_report(
            report,
            render_report(
                title,
                outcome.stats,
                outcome.result.equity_times,
                outcome.result.equity,
                outcome.result.trades.all_trades(),
            ),
        )
        summary["report"] = str(report)
    if json_output:
        emit_json(summary)
        return
    table = Table(title=f"{strategy} on {data}")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for key, value in summary.items():
        if key != "llm":
            table.add_row(key, f"{value:,.4f}" if isinstance(value, float) else str(value))
    console.print(table)
    for line in llm_lines(summary["llm"]) if llm is not None else []:
        console.print(line)


def summarize(outcome: RunOutcome, loaded: LoadedFeeds) -> dict[str, Any]:
    stats = outcome.stats
    return {
        "trades": stats.trades,
        "closed_trades": stats.closed_trades,
        "final_equity": str(outcome.final_equity.amount),
        "currency": outcome.final_equity.currency.value,
        "return_pct": stats.total_return_pct,
        "cagr_pct": _finite(stats.cagr_pct),
        "max_drawdown_pct": stats.max_drawdown_pct,
        "sharpe": _finite(stats.sharpe),
        "sortino": _finite(stats.sortino),
        "win_rate_pct": _finite(stats.win_rate_pct),
        "profit_factor": _finite(stats.profit_factor),
        "exposure_pct": stats.exposure_pct,
        "turnover": stats.turnover,
        "fees": stats.fees,
        "bars": outcome.result.bars,
        "symbols": loaded.symbols,
        "markets": [f.code for f in loaded.feeds],
        "elapsed_s": round(outcome.elapsed_s, 4),
        "load_s": round(loaded.load_s, 4),
    }


def _finite(value: float) -> float | None:
    return value if value == value and value not in (float("inf"), float("-inf")) else None


def _date(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{option} must be YYYY-MM-DD, was {text!r}") from None


def _with_risk(config: RunConfig, profile: str | None) -> RunConfig:
    if profile is not None and profile not in ("default", "permissive"):
        raise ConfigError(f"--risk-profile must be default or permissive, was {profile!r}")
    settings = RiskSettings.from_env()
    if profile is not None:
        settings = settings.model_copy(update={"risk_profile": profile})
    return config.with_risk(settings)


def _config(
    loaded: LoadedFeeds,
    cash: str,
    commission: str | None,
    fill: str,
    sizing: str,
    spread: str,
    slippage: str,
) -> RunConfig:
    currencies = loaded.currencies
    base, extra = split_cash(Money(decimal_option(cash, "--cash"), currencies[0]), currencies)
    try:
        fill_at = FillAt(fill)
    except ValueError:
        raise typer.BadParameter(f"--fill must be next_open or close, was {fill!r}") from None
    model = FillModel(
        fill_at=fill_at,
        spread_pct=decimal_option(spread, "--spread"),
        slippage_pct=decimal_option(slippage, "--slippage"),
    )
    return RunConfig(
        cash=base,
        extra_cash=extra,
        sizing=Sizing.parse(sizing),
        fill_model=model,
        commission=decimal_option(commission, "--commission") if commission is not None else None,
        fx=STATIC_FX,
    )
