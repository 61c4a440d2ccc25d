"""``ouroboros run --broker kis``: a trading session against KIS (or the local KIS sandbox).

Decisions replay the last ``--days`` XKRX sessions of KIS's own daily bars for the most traded
KRX stocks (``--symbols``); orders go to KIS over HTTP, fills come back over the WebSocket,
everything is recorded in ``--db``; the session reconciles with the account before it trades
and after, then audits its books. Credentials come from ``KIS_*`` (docs/kis.md).
"""

from __future__ import annotations

import os
import time
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from ouroboros.brokers.kis import KisSettings, load_kis_settings
from ouroboros.brokers.kis.config import REST_BASE_URL, KisEnvironment
from ouroboros.engine.broker_session import (
    BrokerSessionOutcome,
    BrokerSessionSpec,
    run_broker_session,
)
from ouroboros.engine.clock import LiveClock
from ouroboros.engine.policies import make_policy, parse_params
from ouroboros.engine.runs import config_hash
from ouroboros.engine.safety import REPLAY_THROUGH_BROKER, refuse_real_account
from ouroboros.engine.sizing import Sizing
from ouroboros.engine.timeline import StepSummary
from ouroboros.errors import ConfigError, InvariantError, OuroborosError
from ouroboros.evaluation.report_html import render_report
from ouroboros.execution.broker_venue import BrokerVenueConfig
from ouroboros.interfaces.cli import validate
from ouroboros.interfaces.cli.db_cmd import warn_if_in_memory
from ouroboros.interfaces.cli.errors import CliFailure, ExitCode, command_started, note_input
from ouroboros.interfaces.cli.finish import conclude, save_report
from ouroboros.interfaces.cli.output import console, err_console
from ouroboros.interfaces.cli.summary import statistics_fields
from ouroboros.interfaces.kis_session import broker_key, connect_kis, kis_feeds, kis_universe
from ouroboros.risk import RiskSettings
from ouroboros.store import DEFAULT_URL, RunMode, make_engine, mask_url, new_id, upgrade

BROKERS = ("paper", "kis")
WARMUP_SESSIONS = 220
CONFIRM_REAL = "OUROBOROS_CONFIRM_REAL_MONEY"


def kis_settings(kis_url: str | None) -> KisSettings:
    """``KIS_*`` settings, with ``--kis-url`` replacing ``KIS_BASE_URL`` (and giving the
    WebSocket URL on the same host unless ``KIS_WS_URL`` is set)."""
    overrides: dict[str, Any] = {}
    if kis_url:
        parts = urlsplit(kis_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigError(f"--kis-url must look like http://host:port, was {kis_url!r}")
        overrides["base_url"] = kis_url.rstrip("/")
        if not os.environ.get("KIS_WS_URL"):
            scheme = "wss" if parts.scheme == "https" else "ws"
            overrides["ws_url"] = urlunsplit((scheme, parts.netloc, "", "", ""))
    settings = load_kis_settings(**overrides)
    refuse_real_account(_real_money(settings))  # replays only, no real money
    real_host = is_real_money_host(settings.rest_url)
    if real_host and os.environ.get(CONFIRM_REAL, "").lower() != "yes":
        raise ConfigError(
            f"KIS_VIRTUAL=false points at the real-money server; set {CONFIRM_REAL}=yes to "
            "confirm (try a virtual account first: docs/kis.md)"
        )
    return settings


def _host(url: str) -> str:
    """The URL's host as DNS compares it: lower case, without a trailing dot."""
    return (urlsplit(url.strip()).hostname or "").rstrip(".").lower()


def is_real_money_host(url: str) -> bool:
    """Whether ``url`` points at KIS's real-money server, however it is spelled (case, a
    trailing dot, another port or scheme): the parsed host decides, not the text."""
    return _host(url) == _host(REST_BASE_URL[KisEnvironment.REAL])


def _real_money(settings: KisSettings) -> bool:
    """A real (non-virtual) account on KIS's own real-money server (a sandbox is never real)."""
    return not settings.is_virtual and is_real_money_host(settings.rest_url)


def run_broker(
    *,
    broker: str,
    kis_url: str | None,
    markets: str,
    days: int,
    end: str | None,
    policy: str,
    param: list[str],
    symbols: int,
    sizing: str,
    db: str | None,
    report_dir: Path,
    json_output: bool,
) -> None:
    """The ``run`` command with ``--broker`` other than paper."""
    began = command_started()
    try:
        if broker not in BROKERS:
            raise ConfigError(f"unknown --broker {broker!r} (known: {', '.join(BROKERS)})")
        codes = [m.strip().upper() for m in markets.split(",") if m.strip()]
        if "KR" not in codes:
            raise ConfigError("--broker kis trades the KR market (KRX); include KR in --markets")
        skipped = [c for c in codes if c != "KR"]
        chosen = make_policy(policy, parse_params(param))  # bad input fails before any I/O
        settings = kis_settings(kis_url)
        validate.sizing(sizing)
        validate.risk_env_conflicts()
        size = Sizing.parse(sizing)
        risk = RiskSettings.from_env()
        url = db or os.environ.get("OUROBOROS_DB_URL") or DEFAULT_URL
        note_input("--db", mask_url(url))
        warn_if_in_memory(url)
        store = make_engine(url)
        upgrade(store)
        clock = LiveClock().now
        if skipped and not json_output:
            err_console.print(f"note: --broker kis trades KR only; skipping {', '.join(skipped)}")
        connection = connect_kis(settings, now=clock, database=store)
        try:
            universe = kis_universe(connection, symbols)
            last = date.fromisoformat(end) if end else None
            feeds = kis_feeds(connection, universe, days, WARMUP_SESSIONS, now=clock(), end=last)
            key = broker_key(settings)
            spec = BrokerSessionSpec(
                run_id="k" + new_id()[:12],
                broker_key=key,
                mode=RunMode.PAPER if settings.is_virtual else RunMode.LIVE,
                config_hash=config_hash(key, days, end, policy, sorted(param), sizing, symbols),
                sizing=size,
                venue=BrokerVenueConfig(stamp_with_engine_time=True),
                risk=risk,
            )
            if not json_output:
                env = "virtual" if settings.is_virtual else "REAL"
                console.print(
                    f"KIS {env} account {settings.account} at {settings.rest_url}: "
                    f"{REPLAY_THROUGH_BROKER} of {days} past sessions, {len(universe)} symbols, "
                    f"policy {policy}"
                )
            outcome = run_broker_session(
                store,
                connection.broker,
                connection.runner,
                feeds,
                chosen,
                spec,
                clock=clock,
                error_probe=connection.errors_absorbed,
                on_step=None if json_output else _print_step,
            )
        finally:
            connection.close()
    except (OuroborosError, ValueError):
        raise  # printed in one line with its exit code by the error boundary (cli/errors.py)
    store.dispose()  # the run is on record: release the pool (PostgreSQL connections)
    summary, report_error = _summary(outcome, policy, url, report_dir)
    summary["elapsed_s"] = round(time.perf_counter() - began, 3)
    conclude(
        summary,
        json_output=json_output,
        human=lambda: _print_summary(summary),
        audit_problems=len(summary["audit_problems"]),
        report_error=report_error,
    )
    if not outcome.ok:
        raise CliFailure(
            "the session did not end cleanly (see the reconciliation above)", ExitCode.FAILED
        )


def _print_step(step: StepSummary) -> None:
    console.print(
        f"{step.ts.date()} {step.market:<4} equity {step.equity:>16,.0f}  fills {step.fills}"
    )


def _summary(
    outcome: BrokerSessionOutcome, policy: str, url: str, report_dir: Path
) -> tuple[dict[str, Any], str | None]:
    run = outcome.outcome
    if run is None or outcome.end is None or outcome.audit is None:
        raise InvariantError(f"broker session {outcome.run_id} returned without its results")
    result = run.result
    report = report_error = None
    if result.equity_times:
        first, last = result.equity_times[0].date(), result.equity_times[-1].date()
        report, report_error = save_report(
            report_dir / f"run-kis-{policy}-{first}-{last}-{outcome.run_id}.html",
            lambda: render_report(
                f"KIS session {policy} {first} to {last}",
                run.stats,
                result.equity_times,
                result.equity,
                result.trades.all_trades(),
            ),
            "--report-dir",
        )
    summary = {
        "command": "run",
        "run_id": outcome.run_id,
        "resumed": False,
        "policy": policy,
        "markets": ["KR"],
        "broker": "kis",
        "session": REPLAY_THROUGH_BROKER,
        "orders_sent": outcome.orders_sent,
        "orders_rejected": outcome.orders_rejected,
        "fills": outcome.fills,
        "open_at_end": outcome.open_at_end,
        "venue_errors": outcome.venue_errors,
        "escalations": outcome.escalations,
        "currency": run.final_equity.currency.value,
        "final_equity": str(run.final_equity.amount),
        **statistics_fields(run.stats),
        "start_differences": [d.as_payload() for d in outcome.start.differences],
        "end_differences": [d.as_payload() for d in outcome.end.differences],
        "reconciled": not outcome.end.irreconcilable,
        "audit_ok": outcome.audit.ok,
        "audit_problems": [p.as_dict() for p in outcome.audit.problems],
        "db": mask_url(url),
        "report": report,
        "report_error": report_error,
        "session_s": round(outcome.elapsed_s, 3),
        "elapsed_s": None,
    }
    return summary, report_error


def _print_summary(summary: dict[str, Any]) -> None:
    console.print(
        f"[bold]done[/bold]: {summary['orders_sent']} orders at KIS, {summary['fills']} fills, "
        f"final equity {summary['final_equity']} {summary['currency']} "
        f"({summary['return_pct'] or 0:+.2f}%)"
    )
    ends = summary["end_differences"]
    verdict = "[green]agrees[/green]" if not ends else f"{len(ends)} difference(s)"
    if not summary["reconciled"]:
        verdict = "[red]does not agree[/red]"
    console.print(f"reconciliation with the broker: {verdict}")
    for diff in ends:
        console.print(f"  - {diff['message']}")
    audit = "[green]clean[/green]" if summary["audit_ok"] else "[red]problems[/red]"
    console.print(f"state: {summary['db']} (run {summary['run_id']}); audit {audit}")
    if summary["report"]:
        console.print(f"report: {summary['report']}")
