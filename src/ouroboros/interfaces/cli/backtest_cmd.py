"""``ouroboros backtest``: one policy over historical bars, as fast as the engine goes."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from ouroboros.domain.currency import Currency
from ouroboros.domain.money import Money
from ouroboros.engine.backtest import RunConfig, RunOutcome, run
from ouroboros.engine.compose import (
    STATIC_FX,
    LoadedFeeds,
    fixed_rates_note,
    load_feeds,
    opening_cash,
)
from ouroboros.engine.policies import parse_params
from ouroboros.engine.sizing import Sizing
from ouroboros.errors import ConfigError
from ouroboros.evaluation.report_html import render_report
from ouroboros.evaluation.trades import marked_trades
from ouroboros.execution.simulator import FillAt, FillModel
from ouroboros.interfaces.cli import validate
from ouroboros.interfaces.cli.errors import command_started, note_input
from ouroboros.interfaces.cli.finish import conclude, save_report
from ouroboros.interfaces.cli.output import console
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
from ouroboros.interfaces.cli.summary import last_prices, money_json, statistics_fields
from ouroboros.risk import RiskSettings


def backtest(
    data: str = typer.Option(
        "bundled:GOOG", "--data", help="bundled:NAME, a CSV/Parquet path or synthetic:..."
    ),
    market: str | None = typer.Option(
        None, "--market", help="market of a file's bare symbols, e.g. KR or US_NASDAQ"
    ),
    symbol: str | None = typer.Option(
        None, "--symbol", help="symbol of a file without a symbol column (default: file name)"
    ),
    policy: str = typer.Option(
        "sma-cross", "--policy", "--strategy", help="playbook, ta or sma-cross"
    ),
    param: list[str] = typer.Option([], "--param", help="policy setting key=value (repeatable)"),
    start: str | None = typer.Option(None, "--start", help="first session date YYYY-MM-DD"),
    end: str | None = typer.Option(None, "--end", help="last session date YYYY-MM-DD"),
    cash: str = typer.Option(
        "10000",
        "--cash",
        help="starting cash in the base currency, deposited in the currencies traded",
    ),
    base_currency: str = typer.Option(
        "USD", "--base-currency", help="currency of equity, statistics and the report"
    ),
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
    began = command_started()
    first_day, last_day = validate.parse_date(start, "--start"), validate.parse_date(end, "--end")
    validate.date_window(first_day, last_day)
    base = Currency(validate.currency(base_currency))
    amount = validate.cash_amount(cash)
    costs = _costs(commission, spread, slippage)
    validate.sizing(sizing)
    validate.risk_env_conflicts()
    chosen, llm = build_policy(
        policy, parse_params(param), planner, model, local_model, llm_cache, llm_cassette
    )
    note_input("--data", data)
    if report is not None:
        note_input("--report", report)
    loaded = load_feeds(data, first_day, last_day, market=market, symbol=symbol)
    config = _config(loaded, amount, base, costs, fill, sizing)
    config = _with_risk(config, risk_profile)
    outcome = run(loaded.feeds, chosen, config)
    summary = summarize(outcome, loaded, config, policy, data)
    warning = ""
    if llm is not None:
        times = outcome.result.equity_times
        summary["llm"] = llm_summary(llm, times[0].date(), times[-1].date())
        warning = str(summary["llm"]["knowledge_cutoff"]["warning"])
    report_error = None
    if report is not None:
        costs_text = (
            f"commission {commission or 'fee schedules'}, spread {spread}, slippage {slippage}, "
            f"fill {fill}"
        )
        settings = {"policy": " ".join([policy, *sorted(param)]), "sizing": sizing}
        if warning:
            settings["llm"] = warning
        report_error = _write_report(
            report, outcome, loaded, summary, {**settings, "costs": costs_text}
        )
    summary["elapsed_s"] = round(time.perf_counter() - began, 4)

    def human() -> None:
        table = Table(title=f"{policy} on {data}")
        table.add_column("metric")
        table.add_column("value", justify="right")
        for key, value in summary.items():
            if key != "llm":
                table.add_row(key, f"{value:,.4f}" if isinstance(value, float) else str(value))
        console.print(table)
        for line in llm_lines(summary["llm"]) if llm is not None else []:
            console.print(line)

    conclude(summary, json_output=json_output, human=human, report_error=report_error)


def summarize(
    outcome: RunOutcome, loaded: LoadedFeeds, config: RunConfig, policy: str, data: str
) -> dict[str, Any]:
    times = outcome.result.equity_times
    base = outcome.final_equity.currency
    deposits = [config.cash, *config.extra_cash]
    return {
        "command": "backtest",
        "run_id": config.run_id,
        "resumed": False,
        "policy": policy,
        "data": data,
        "synthetic": loaded.data.kind == "synthetic",
        "markets": [f.code for f in loaded.feeds],
        "first_day": times[0].date() if times else None,
        "last_day": times[-1].date() if times else None,
        "currency": base.value,
        "deposits": [money_json(m) for m in deposits],
        "final_equity": str(outcome.final_equity.amount),
        **statistics_fields(outcome.stats),
        "fills": len(outcome.result.fills),
        "bars": outcome.result.bars,
        "symbols": loaded.symbols,
        "fx": fixed_rates_note(STATIC_FX, base, [m.currency for m in deposits]),
        "db": None,
        "report": None,
        "report_error": None,
        "engine_s": round(outcome.elapsed_s, 4),
        "load_s": round(loaded.load_s, 4),
        "elapsed_s": None,
    }


def _with_risk(config: RunConfig, profile: str | None) -> RunConfig:
    if profile is not None and profile not in ("default", "permissive"):
        raise ConfigError(f"--risk-profile must be default or permissive, was {profile!r}")
    settings = RiskSettings.from_env()
    if profile is not None:
        settings = settings.model_copy(update={"risk_profile": profile})
    return config.with_risk(settings)


def _costs(commission: str | None, spread: str, slippage: str) -> dict[str, Any]:
    return {
        "commission": validate.rate(commission, "--commission") if commission is not None else None,
        "spread": validate.rate(spread, "--spread"),
        "slippage": validate.rate(slippage, "--slippage"),
    }


def _config(
    loaded: LoadedFeeds,
    cash: Any,
    base: Currency,
    costs: dict[str, Any],
    fill: str,
    sizing: str,
) -> RunConfig:
    first, *extra = opening_cash(Money(cash, base), loaded.currencies, STATIC_FX)
    try:
        fill_at = FillAt(fill)
    except ValueError:
        raise typer.BadParameter(
            f"must be next_open or close, was {fill!r}", param_hint="--fill"
        ) from None
    model = FillModel(fill_at=fill_at, spread_pct=costs["spread"], slippage_pct=costs["slippage"])
    return RunConfig(
        cash=first,
        extra_cash=tuple(extra),
        base_currency=base,
        sizing=Sizing.parse(sizing),
        fill_model=model,
        commission=costs["commission"],
        fx=STATIC_FX,
    )


def _write_report(
    path: Path,
    outcome: RunOutcome,
    loaded: LoadedFeeds,
    summary: dict[str, Any],
    settings: dict[str, str],
) -> str | None:
    """The HTML report with the run's settings; sets ``report``/``report_error`` in the summary
    and returns the error (None when written)."""
    data = str(summary["data"])
    shown = {
        "run id": str(summary["run_id"]),
        "data": data + (" (SYNTHETIC: generated bars)" if summary["synthetic"] else ""),
        **settings,
        "cash": ", ".join(d["amount"] + " " + d["currency"] for d in summary["deposits"]),
        "base currency": str(summary["currency"]),
        "fx": str(summary["fx"]),
    }
    result = outcome.result
    summary["report"], summary["report_error"] = save_report(
        path,
        lambda: render_report(
            f"Backtest {settings['policy'].split()[0]} on {data}",
            outcome.stats,
            result.equity_times,
            result.equity,
            marked_trades(result.trades.all_trades(), last_prices(loaded.feeds, result.last_close)),
            extra=shown,
        ),
        "--report",
    )
    error: str | None = summary["report_error"]
    return error
