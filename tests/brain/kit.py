"""Test kit: a market view with every feature, scripted answers, planners for each provider."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np

from ouroboros.brain import (
    CacheMode,
    LLMPlanner,
    LLMSettings,
    PlannerChoice,
    feature_names,
    make_planner,
)
from ouroboros.domain.llm_call import LLMCall
from ouroboros.strategy.base import StepView

SYMBOLS = ("AAA", "BBB", "CCC", "DDD")
DAY = date(2026, 3, 5)
NOW = datetime(2026, 3, 5, 0, 0, tzinfo=UTC)
FEATURES = feature_names()

#: provider -> (model name, settings key for its API key, base-URL suffix)
PROVIDERS = {
    "google": ("gemini-2.5-flash", "GEMINI_API_KEY", ""),
    "anthropic": ("claude-haiku-4-5", "LLM_ANTHROPIC_API_KEY", ""),
    "openai": ("gpt-4o-mini", "LLM_OPENAI_API_KEY", "/v1"),
}


def matrices(rows: int = 40, n: int = len(SYMBOLS), seed: int = 3) -> tuple[dict[str, Any], Any]:
    rng = np.random.default_rng(seed)
    close = 100 + rng.standard_normal((rows, n)).cumsum(axis=0)
    features = {name: rng.uniform(0, 100, (rows, n)) for name in FEATURES if name != "close"}
    features["breakout_20"] = (rng.uniform(0, 1, (rows, n)) > 0.7).astype(float)
    features["atr_14"] = rng.uniform(1, 3, (rows, n))
    return features, close


def view(t: int = 30, held: tuple[str, ...] = ()) -> StepView:
    features, close = matrices()
    qty = np.array([10.0 if s in held else 0.0 for s in SYMBOLS])
    return StepView(t - 1, features, close, qty)


def scenario(**over: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "name": "pullback",
        "action": "BUY",
        "conditions": [{"feature": "rsi_14", "op": "<", "value": 40}],
        "confidence": 0.85,
        "stop_atr": 2.0,
        "take_profit_atr": 3.0,
        "rationale": "pull-back in an up-trend",
    }
    base.update(over)
    return base


def answer(stocks: list[dict[str, Any]] | None = None, notes: str = "ok") -> str:
    if stocks is None:
        stocks = [
            {"symbol": "AAA", "scenarios": [scenario()]},
            {"symbol": "BBB", "scenarios": [scenario(name="exit", action="SELL", confidence=0.9)]},
        ]
    return json.dumps({"stocks": stocks, "notes": notes})


class Calls:
    """A CallRecorder that keeps the calls in a list."""

    def __init__(self) -> None:
        self.calls: list[LLMCall] = []

    def record(self, call: LLMCall) -> None:
        self.calls.append(call)


@dataclass
class Built:
    planner: LLMPlanner
    calls: Calls


def settings_for(provider: str, base: str, **env: str) -> LLMSettings:
    model, key, suffix = PROVIDERS[provider]
    values = {
        "LLM_PLANNER_MODEL": model,
        key: "test-key",
        "LLM_BASE_URL": base + suffix,
        "PLANNER_TIMEOUT_SECONDS": "20",
        "LLM_RETRY_BACKOFF_SECONDS": "0",
        **env,
    }
    return LLMSettings.from_env(values)


def build(
    provider: str,
    base: str,
    cache: CacheMode = CacheMode.OFF,
    cassette: Path | None = None,
    **env: str,
) -> Built:
    calls = Calls()
    planner = make_planner(
        PlannerChoice("llm", cache=cache, cassette=cassette),
        settings_for(provider, base, **env),
        recorder=calls,
        min_confidence=0.8,
    )
    assert isinstance(planner, LLMPlanner)
    return Built(planner, calls)


def plan(
    built: Built | LLMPlanner, held: tuple[str, ...] = (), day: date = DAY, t: int = 30
) -> Any:
    planner = built.planner if isinstance(built, Built) else built
    now = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return planner.plan("KR", day, now, SYMBOLS, view(t, held), held)
