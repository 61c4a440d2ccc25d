"""The brain's figures: prompt tokens per market-day, local-model latency, a month's list cost.

1. Prompt tokens (estimated, 3 characters a token) of one market-day's planner prompt for 10,
   50 and 200 candidates: uncapped, and within the default budget (PLANNER_MAX_PROMPT_TOKENS
   6,000; the budget drops features, then candidates).
2. Planner latency against the bundled local model (SmolLM2-135M under xllamacpp, one thread,
   through the OpenAI-compatible provider): --local-runs plans, wall time and the provider's
   own token counts. --no-local skips it.
3. A month of playbook mode (one call per market per day, 21 sessions, 2 markets) at each
   hosted model's list price (genai-prices), with the default prompt (20 candidates) and the
   output size measured from a full 20-stock playbook answer.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from ouroboros.brain import LLMPlanner, LLMSettings, PlannerChoice, feature_names, make_planner
from ouroboros.brain.cost import PriceTable
from ouroboros.brain.prompt import PlanningInput, build_prompt, estimate_tokens
from ouroboros.brain.settings import ProviderName
from ouroboros.strategy.base import StepView

FEATURES = feature_names()
DAY = date(2026, 3, 5)
NOW = datetime(2026, 3, 5, tzinfo=UTC)
MODELS = [
    (ProviderName.GOOGLE, "gemini-2.5-flash-lite"),
    (ProviderName.GOOGLE, "gemini-2.5-flash"),
    (ProviderName.GOOGLE, "gemini-2.5-pro"),
    (ProviderName.ANTHROPIC, "claude-haiku-4-5"),
    (ProviderName.ANTHROPIC, "claude-sonnet-4-5"),
    (ProviderName.OPENAI, "gpt-4o-mini"),
    (ProviderName.OPENAI, "gpt-5-mini"),
    (ProviderName.OPENAI, "gpt-5"),
]


def market_view(n: int, seed: int = 1) -> tuple[list[str], StepView]:
    rng = np.random.default_rng(seed)
    symbols = [f"{990000 + i:06d}.KRX" for i in range(n)]
    close = 1000 + rng.uniform(0, 90000, (40, n))
    features = {f: rng.normal(50, 30, (40, n)) for f in FEATURES if f != "close"}
    return symbols, StepView(39, features, close, np.zeros(n))


def prompt_for(n: int, budget: int, cap: int) -> tuple[int, int, int]:
    symbols, view = market_view(n)
    prompt = build_prompt(
        PlanningInput("KR", DAY, NOW, symbols, view, (), FEATURES, 0.8), budget, cap
    )
    header = next(line for line in prompt.user.splitlines() if line.startswith("symbol,"))
    return prompt.tokens, len(prompt.symbols), len(header.split(",")) - 1


def full_answer(n: int) -> str:
    scenario = {
        "name": "trend-pullback",
        "action": "BUY",
        "conditions": [
            {"feature": "close", "op": ">", "value": "sma_30"},
            {"feature": "rsi_14", "op": "<", "value": 45},
        ],
        "confidence": 0.82,
        "stop_atr": 2,
        "take_profit_atr": 3,
        "rationale": "pull-back inside an up-trend with room to the upper band",
    }
    stocks = [{"symbol": f"{990000 + i:06d}.KRX", "scenarios": [scenario] * 3} for i in range(n)]
    return json.dumps({"stocks": stocks, "notes": "breadth firm, semis leading"})


def local_latency(runs: int) -> None:
    planner = make_planner(
        PlannerChoice("llm", local_model=True), LLMSettings.from_env({}), min_confidence=0.8
    )
    assert isinstance(planner, LLMPlanner)
    symbols, _ = market_view(20)
    times = []
    for k in range(runs):
        _, view = market_view(20, seed=k)
        started = time.perf_counter()
        playbook = planner.plan("KR", DAY, NOW, symbols, view, ())
        times.append(time.perf_counter() - started)
        print(f"  run {k + 1}: {times[-1]:6.1f} s  planner {playbook.planner}")
    usage = planner.usage()
    calls = max(1, usage["calls"])
    print(
        f"  median {statistics.median(times):.1f} s; per call {usage['input_tokens'] / calls:.0f}"
        f" prompt + {usage['output_tokens'] / calls:.0f} output tokens (the model's count); "
        f"fallbacks {usage['fallbacks'] or 'none'}"
    )


def month_cost(sessions: int, markets: int) -> None:
    input_tokens, _, _ = prompt_for(200, 6000, 20)
    output_tokens = estimate_tokens(full_answer(20))
    calls = sessions * markets
    print(
        f"  per call: {input_tokens} prompt tokens (default settings, 20 candidates), "
        f"{output_tokens} output tokens (20 stocks x 3 scenarios); {calls} calls"
    )
    table = PriceTable()
    for provider, model in MODELS:
        per_call = table.cost(provider, model, input_tokens, output_tokens)
        total = per_call * calls
        print(f"  {model:<24} {per_call:>10.5f} USD/call  {total:>8.3f} USD/month")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--local-runs", type=int, default=3)
    parser.add_argument("--no-local", action="store_true")
    parser.add_argument("--sessions", type=int, default=21)
    parser.add_argument("--markets", type=int, default=2)
    args = parser.parse_args()
    print("1. prompt tokens per market-day (estimated)")
    print("  candidates  uncapped tokens  | within 6,000: tokens  symbols  features")
    for n in (10, 50, 200):
        raw, _, _ = prompt_for(n, 10**7, n)
        fit, shown, features = prompt_for(n, 6000, n)
        print(f"  {n:>10}  {raw:>15,}  | {fit:>20,}  {shown:>7}  {features:>8}")
    print("3. a month of playbook mode at list prices")
    month_cost(args.sessions, args.markets)
    if not args.no_local:
        print("2. planner latency, local SmolLM2-135M (1 thread)")
        local_latency(args.local_runs)


if __name__ == "__main__":
    main()
