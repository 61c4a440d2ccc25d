"""``ouroboros plan``: write, record and print one market's playbook for one session.

Offline with the quant planner (the default) or the bundled local model (``--planner llm
--local-model``); with a hosted model when its key is set (docs/brain.md). The playbook goes to
the ``playbooks`` table, every LLM call to ``llm_calls`` and every fallback to the event log.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import typer
from rich.table import Table

from ouroboros.brain import (
    CacheMode,
    FallbackEvent,
    LLMPlanner,
    PlannerChoice,
    make_planner,
    planner_policy,
)
from ouroboros.domain.playbook import Playbook
from ouroboros.engine.replay import ReplayPlan, replay_feeds
from ouroboros.errors import ConfigError, OuroborosError
from ouroboros.interfaces.cli.output import console, emit_json, err_console
from ouroboros.interfaces.cli.run_cmd import resolve_url
from ouroboros.store import (
    EventRecord,
    EventStore,
    LlmCallRepository,
    PlaybookRecord,
    PlaybookRepository,
    make_engine,
    mask_url,
    upgrade,
)


def plan(
    market: str = typer.Option("KR", "--market", help="market code, e.g. KR, US_NASDAQ, JP"),
    day: str | None = typer.Option(None, "--date", help="session YYYY-MM-DD (default: latest)"),
    planner: str = typer.Option("quant", "--planner", help="quant (offline default) or llm"),
    model: str | None = typer.Option(None, "--model", help="LLM model (default LLM_PLANNER_MODEL)"),
    local_model: bool = typer.Option(
        False, "--local-model", help="the bundled SmolLM2 under xllamacpp (offline)"
    ),
    llm_cache: str = typer.Option("off", "--llm-cache", help="record, replay or off"),
    cassette: Path | None = typer.Option(
        None, "--llm-cassette", help="cassette directory (default .ouroboros/llm-cassette)"
    ),
    symbols: int = typer.Option(20, "--symbols", help="synthetic symbols for non-US markets"),
    seed: int = typer.Option(7, "--seed", help="synthetic data seed"),
    db: str | None = typer.Option(
        None, "--db", help="database URL (default: OUROBOROS_DB_URL or ./data/ouroboros.db)"
    ),
    json_output: bool = typer.Option(False, "--json", help="machine-readable output"),
) -> None:
    """Write one playbook for a market's session, record it and print it."""
    code = market.strip().upper()
    try:
        session = date.fromisoformat(day) if day else None
    except ValueError:
        raise typer.BadParameter(f"--date must be YYYY-MM-DD, was {day!r}") from None
    fallbacks: list[FallbackEvent] = []
    try:
        choice = PlannerChoice(planner, model, local_model, CacheMode.parse(llm_cache), cassette)
        store = make_engine(resolve_url(db))
        upgrade(store)
        chosen = make_planner(
            choice, recorder=LlmCallRepository(store), on_fallback=fallbacks.append
        )
        playbook = _plan_one(chosen, code, session, symbols, seed, PlaybookRepository(store))
        record = PlaybookRecord(
            trade_date=playbook.session_date,
            market=code,
            status="generated",
            body=playbook.to_dict(),
            generated_at=playbook.created_at,
            scenario_count=sum(len(s.scenarios) for s in playbook.stocks),
        )
        playbook_id = PlaybookRepository(store).save(record)
        EventStore(store).append(
            [EventRecord("planner.fallback", e.payload(), e.at) for e in fallbacks]
        )
    except (OuroborosError, ValueError) as exc:
        err_console.print(f"[red]plan failed:[/red] {exc}")
        raise typer.Exit(code=1) from exc
    summary: dict[str, Any] = {
        "playbook": playbook.to_dict(),
        "playbook_id": playbook_id,
        "db": mask_url(resolve_url(db)),
        "llm": chosen.usage() if isinstance(chosen, LLMPlanner) else None,
        "fallbacks": [e.payload() for e in fallbacks],
    }
    if json_output:
        emit_json(summary)
        return
    _print(playbook, summary)


def _plan_one(
    planner: Any,
    market: str,
    session: date | None,
    symbols: int,
    seed: int,
    stored: PlaybookRepository,
) -> Playbook:
    # a few sessions of window: the US calendar sets it, and the market may be closed on its
    # last day (the planned session is this market's last session up to --date)
    feeds = replay_feeds(ReplayPlan((market,), 5, session, symbols, seed))
    feed = feeds[0]
    t = len(feed.panel.index) - 1
    found = feed.panel.index[t].date()
    if session is not None and found != session:
        raise ConfigError(f"--date {session.isoformat()} is not a session of {market}")
    if isinstance(planner, LLMPlanner):
        # yesterday's stored playbook, for the failure policy (reused if one session old)
        previous = stored.latest_before(found, market)
        if previous is not None:
            planner.remember_yesterday(
                Playbook.from_dict(dict(previous.body)), feed.panel.index[t - 1].date()
            )
    policy = planner_policy(planner)
    features = policy.prepare(market, feed.panel)
    policy.before_session(market, t, features, np.zeros(len(feed.panel.symbols)))
    return policy.playbooks[-1]


def _print(playbook: Playbook, summary: dict[str, Any]) -> None:
    table = Table(
        title=f"{playbook.market} {playbook.session_date} - {playbook.planner}"
        + (" (defensive)" if playbook.defensive else "")
    )
    for column in ("symbol", "scenario", "action", "conditions", "confidence", "stop", "take"):
        table.add_column(column)
    for stock in playbook.stocks:
        for sc in stock.scenarios:
            table.add_row(
                stock.symbol,
                sc.name,
                sc.action.value,
                " and ".join(str(c) for c in sc.conditions),
                f"{sc.confidence:.0%}",
                f"{sc.stop_atr:g} ATR" if sc.stop_atr else "",
                f"{sc.take_profit_atr:g} ATR" if sc.take_profit_atr else "",
            )
    console.print(table)
    for note in playbook.notes:
        console.print(f"note: {note}")
    llm = summary["llm"]
    if llm is not None:
        console.print(
            f"llm: {llm['calls']} calls, {llm['input_tokens']} in / {llm['output_tokens']} out "
            f"tokens, {llm['cost_usd']} USD ({llm['provider']} {llm['model']})"
        )
    console.print(f"recorded: playbook {summary['playbook_id']} in {summary['db']}")
