"""Property: random malformed or hostile planner outputs never crash a run and never produce
an order outside the risk limits. 30 backtests x 40 sessions = at least 1,200 answers (more
with retries), each through the validator, the scenario engine and the risk manager."""

from __future__ import annotations

import json
import random
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ouroboros.brain import LLMPlanner, LLMSettings, feature_names, planner_policy
from ouroboros.brain.providers import LLMRequest, LLMResponse
from ouroboros.brain.settings import ProviderName
from ouroboros.domain import Currency, Instrument, Money
from ouroboros.engine.backtest import RunConfig, daily_feed, run
from ouroboros.engine.sizing import Sizing
from ouroboros.execution.order_manager import MemorySink
from ouroboros.strategy.playbook.quant_planner import QuantPlanner
from tests.engine.test_engine import random_panel

SESSIONS = 40
PANEL = random_panel(8, SESSIONS + 1, seed=21)
FEATURES = feature_names()

_NUMBERS: list[Any] = [
    0,
    0.79,
    0.8,
    0.95,
    1,
    1.5,
    50,
    80,
    100,
    -1,
    1e308,
    float("nan"),
    float("inf"),
    True,
    None,
    "0.9",
    2.0,
    0.5,
]
_FEATURES = [*FEATURES, "moon", "", "RSI", "close;drop"]
_OPS: list[Any] = ["<", "<=", ">", ">=", "==", "!=", "~", 1, None]
_SYMBOLS = [*PANEL.symbols, "ZZZ", "", "005930"]


def _number(rng: random.Random) -> Any:
    return rng.choice(_NUMBERS) if rng.random() < 0.6 else rng.uniform(-5, 25)


def _scenario(rng: random.Random) -> Any:
    if rng.random() < 0.05:
        return rng.choice(["scenario", 3, None, []])
    item: dict[str, Any] = {
        "action": rng.choice(["BUY", "BUY", "SELL", "HOLD", "buy", None]),
        "confidence": _number(rng),
        "conditions": [
            {
                "feature": rng.choice(_FEATURES),
                "op": rng.choice(_OPS),
                "value": _number(rng) if rng.random() < 0.7 else rng.choice(_FEATURES),
            }
            for _ in range(rng.randint(0, 6))
        ],
    }
    for key in ("stop_atr", "take_profit_atr"):
        if rng.random() < 0.8:
            item[key] = _number(rng)
    if rng.random() < 0.5:
        item["name"] = "x" * rng.randint(0, 90)
    return item


def hostile_answer(rng: random.Random) -> str:
    """One random answer: prose, garbage JSON, or a hostile playbook - fenced, truncated or not."""
    kind = rng.choice(["json", "json", "fenced", "truncated", "prose", "garbage"])
    if kind == "prose":
        return rng.choice(["Buy everything!", "", "I cannot help with that.", "{", "```json\n```"])
    if kind == "garbage":
        return json.dumps(rng.choice([[], {}, {"stocks": 3}, {"stocks": [1, 2]}, "stocks", None]))
    stocks = [
        {
            "symbol": rng.choice(_SYMBOLS),
            "scenarios": [
                _scenario(rng) for _ in range(rng.randint(0, 40 if rng.random() < 0.1 else 6))
            ],
        }
        for _ in range(rng.randint(0, 10))
    ]
    text = json.dumps({"stocks": stocks, "notes": "n" * rng.randint(0, 400)})
    if kind == "fenced":
        return f"Here you go:\n```json\n{text}\n```\nGood luck!"
    if kind == "truncated":
        return text[: rng.randint(0, len(text))]
    return text


class Scripted:
    """An in-process provider that answers from a list, in order."""

    name = ProviderName.OPENAI_COMPATIBLE

    def __init__(self, replies: list[str]) -> None:
        self.replies = replies
        self.served = 0

    def complete(self, request: LLMRequest, timeout: float) -> LLMResponse:
        text = self.replies[self.served % len(self.replies)]
        self.served += 1
        return LLMResponse(text, 1000, 200)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_hostile_outputs_never_crash_and_never_breach_the_limits(seed: int) -> None:
    rng = random.Random(seed)
    provider = Scripted([hostile_answer(rng) for _ in range(2 * SESSIONS)])
    planner = LLMPlanner(
        provider,
        ProviderName.OPENAI_COMPATIBLE,
        "hostile-model",
        LLMSettings.from_env({"LLM_RETRY_BACKOFF_SECONDS": "0"}),
        QuantPlanner(),
        FEATURES,
        0.8,
    )
    sink = MemorySink()
    policy = planner_policy(planner)
    outcome = run(
        [daily_feed("US_NYSE", PANEL, [Instrument.for_venue(s) for s in PANEL.symbols])],
        policy,
        RunConfig(cash=Money.of(1_000_000, "USD"), sizing=Sizing.parse("fraction:0.5")),
        sink=sink,
    )
    assert provider.served >= SESSIONS  # every session asked (retries ask again)
    assert outcome.result.portfolio.ledger_imbalance(Currency.USD) == 0
    held: dict[Any, Decimal] = {}
    for fill in outcome.result.fills:
        held[fill.instrument_id] = held.get(fill.instrument_id, Decimal(0)) + (
            fill.quantity.value * fill.side.sign
        )
        assert held[fill.instrument_id] >= 0
        assert sum(1 for q in held.values() if q) <= 10
    approved = {
        (p["decision_id"], p["side"]): Decimal(p["quantity"])
        for k, _, p in sink.events
        if k in ("risk.approve", "risk.resize")
    }
    for kind, _, p in sink.events:
        if kind == "order.created" and p["type"] == "MARKET":
            assert Decimal(p["quantity"]) <= approved[(p["decision_id"], p["side"])]
    entries = [d for d in sink.decisions if d.side.value == "BUY"]
    assert all(d.confidence >= 0.8 for d in entries)  # CONFIDENCE_THRESHOLD
    for p in policy.playbooks:
        assert all(len(s.scenarios) <= 5 for s in p.stocks)
        assert {s.symbol for s in p.stocks} <= set(PANEL.symbols)
