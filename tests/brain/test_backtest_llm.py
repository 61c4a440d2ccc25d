"""LLM-planned backtests end to end: one call per market per day and none during the session,
record → replay byte-identical and free, a replay miss stops the run, low confidence never
trades."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ouroboros.brain import (
    CacheMode,
    LLMPlanner,
    LLMSettings,
    PlannerChoice,
    make_planner,
    planner_policy,
)
from ouroboros.brain.errors import LLMCacheMiss
from ouroboros.domain import Instrument, Money
from ouroboros.engine.backtest import RunConfig, RunOutcome, daily_feed, run
from ouroboros.engine.sizing import Sizing
from ouroboros.execution.order_manager import MemorySink
from tests.brain.fake_providers import FakeProviders, Reply, serving
from tests.brain.kit import Calls
from tests.engine.test_engine import random_panel

SESSIONS = 40


def responder(confidence: float = 0.9) -> Any:
    """A model that plans the first three candidates it is offered."""

    def reply(body: dict[str, Any]) -> Reply:
        schema = body["response_format"]["json_schema"]["schema"]
        symbols = schema["properties"]["stocks"]["items"]["properties"]["symbol"]["enum"]
        entry = {
            "name": "dip",
            "action": "BUY",
            "conditions": [{"feature": "rsi_14", "op": "<", "value": 55}],
            "confidence": confidence,
            "stop_atr": 2,
            "take_profit_atr": 4,
            "rationale": "buy the dip",
        }
        exit_ = {
            **entry,
            "name": "hot",
            "action": "SELL",
            "conditions": [{"feature": "rsi_14", "op": ">", "value": 65}],
        }
        stocks = [{"symbol": s, "scenarios": [entry, exit_]} for s in symbols[:3]]
        return Reply(json.dumps({"stocks": stocks, "notes": "test plan"}))

    return reply


@pytest.fixture
def fake() -> Iterator[FakeProviders]:
    with serving() as server:
        yield server


def _settings(url: str, **env: str) -> LLMSettings:
    return LLMSettings.from_env(
        {
            "LLM_PLANNER_MODEL": "gpt-4o-mini",
            "LLM_OPENAI_API_KEY": "test",
            "LLM_BASE_URL": url + "/v1",
            "LLM_RETRY_BACKOFF_SECONDS": "0",
            **env,
        }
    )


def _backtest(planner: Any) -> tuple[RunOutcome, MemorySink, Any]:
    panel = random_panel(8, SESSIONS + 1, seed=11)
    policy = planner_policy(planner)
    sink = MemorySink()
    outcome = run(
        [daily_feed("US_NYSE", panel, [Instrument.for_venue(s) for s in panel.symbols])],
        policy,
        RunConfig(cash=Money.of(1_000_000, "USD"), sizing=Sizing.parse("fraction:0.1")),
        sink=sink,
    )
    return outcome, sink, policy


def _llm(choice: PlannerChoice, settings: LLMSettings, calls: Calls | None = None) -> LLMPlanner:
    planner = make_planner(choice, settings, recorder=calls, min_confidence=0.8)
    assert isinstance(planner, LLMPlanner)
    return planner


def test_one_call_per_market_per_day_and_none_during_the_session(fake: FakeProviders) -> None:
    fake.responder = responder()
    calls = Calls()
    planner = _llm(PlannerChoice("llm"), _settings(fake.url), calls)
    outcome, sink, policy = _backtest(planner)
    planned = [p for p in policy.playbooks if p.planner.startswith("llm:")]
    assert len(planned) == SESSIONS  # the first session has no history: defensive
    assert fake.calls == SESSIONS  # one request per session, not one per bar
    assert len(calls.calls) == SESSIONS
    assert outcome.stats.trades > 0
    assert policy.name == "llm-playbook"
    usage = planner.usage()
    assert usage["calls"] == SESSIONS
    assert usage["input_tokens"] == SESSIONS * 1200
    assert all(d.confidence >= 0.8 for d in sink.decisions)


def _fingerprint(outcome: RunOutcome, sink: MemorySink, policy: Any) -> bytes:
    playbooks = [p.to_dict() for p in policy.playbooks]
    decisions = [
        (d.ts.isoformat(), str(d.instrument_id), d.side.value, d.confidence) for d in sink.decisions
    ]
    fills = [
        (str(f.instrument_id), f.side.value, str(f.quantity.value), str(f.price.value))
        for f in outcome.result.fills
    ]
    return json.dumps([playbooks, decisions, fills], sort_keys=True).encode()


def test_record_then_replay_is_byte_identical_and_free(fake: FakeProviders, tmp_path: Path) -> None:
    fake.responder = responder()
    cassette = tmp_path / "cassette"
    recorded = _llm(
        PlannerChoice("llm", cache=CacheMode.RECORD, cassette=cassette), _settings(fake.url)
    )
    first = _fingerprint(*_backtest(recorded))
    sent = fake.calls
    assert sent == SESSIONS
    assert len(list(cassette.glob("*.json"))) == SESSIONS
    # replay: no key, no server - every answer comes from the cassette
    offline = LLMSettings.from_env({"LLM_PLANNER_MODEL": "gpt-4o-mini"})
    replayed = _llm(PlannerChoice("llm", cache=CacheMode.REPLAY, cassette=cassette), offline)
    second = _fingerprint(*_backtest(replayed))
    assert second == first
    assert fake.calls == sent
    usage = replayed.usage()
    assert usage["billed_usd"] == "0"
    assert usage["calls"] == SESSIONS
    assert usage["cost_usd"] == recorded.usage()["cost_usd"]
    # a cassette travels as one file
    exported = tmp_path / "cassette.jsonl"
    assert recorded.cassette is not None
    assert recorded.cassette.export(exported) == SESSIONS
    copy = tmp_path / "copy"
    from ouroboros.brain import Cassette

    assert Cassette(copy).import_(exported) == SESSIONS
    third = _llm(PlannerChoice("llm", cache=CacheMode.REPLAY, cassette=copy), offline)
    assert _fingerprint(*_backtest(third)) == first


def test_replay_with_a_missing_entry_fails_loudly(tmp_path: Path) -> None:
    offline = LLMSettings.from_env({"LLM_PLANNER_MODEL": "gpt-4o-mini"})
    planner = _llm(
        PlannerChoice("llm", cache=CacheMode.REPLAY, cassette=tmp_path / "empty"), offline
    )
    with pytest.raises(LLMCacheMiss, match="no recorded answer for US_NYSE"):
        _backtest(planner)


def test_entries_below_the_confidence_threshold_never_trade(fake: FakeProviders) -> None:
    fake.responder = responder(confidence=0.7)
    outcome, sink, _ = _backtest(_llm(PlannerChoice("llm"), _settings(fake.url)))
    assert outcome.stats.trades == 0
    assert sink.orders == {}


def test_budget_exhausted_falls_back_to_the_quant_planner(fake: FakeProviders) -> None:
    fake.responder = responder()
    planner = _llm(PlannerChoice("llm"), _settings(fake.url, LLM_MAX_CALLS_PER_DAY="0"))
    _, _, policy = _backtest(planner)
    assert fake.calls == 0
    labels = {p.planner for p in policy.playbooks[1:]}
    assert labels == {"quant (llm fallback: budget)"}
    assert planner.usage()["fallbacks"] == {"budget->quant": SESSIONS}


def test_daily_dollar_budget_stops_calls(fake: FakeProviders) -> None:
    fake.responder = responder()
    # gpt-4o-mini: 1200 in + 300 out = 0.00036 USD a call; a budget below one call's cost
    planner = _llm(PlannerChoice("llm"), _settings(fake.url, LLM_DAILY_BUDGET_USD="0.0001"))
    _backtest(planner)
    assert fake.calls == SESSIONS  # one call a day, then that day's budget is spent
    assert planner.budget.days
    assert all(d.calls == 1 for d in planner.budget.days.values())
