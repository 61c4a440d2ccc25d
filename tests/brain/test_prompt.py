"""The planner prompt: point in time (the canary), deterministic, within its token budget."""

from __future__ import annotations

import numpy as np
import pytest

from ouroboros.brain.prompt import (
    AccountView,
    MemoryLayer,
    PlanningInput,
    RecentPlaybook,
    build_prompt,
    estimate_tokens,
)
from ouroboros.strategy.base import StepView
from tests.brain.kit import DAY, FEATURES, NOW, SYMBOLS, matrices


def _input(
    view: StepView, symbols: tuple[str, ...] = SYMBOLS, held: tuple[str, ...] = ()
) -> PlanningInput:
    return PlanningInput(
        "KR",
        DAY,
        NOW,
        symbols,
        view,
        held,
        FEATURES,
        0.8,
        AccountView("10000000", "KRW", 35.0, "armed"),
        (
            RecentPlaybook(
                DAY.replace(day=4), "llm:gemini-2.5-flash", 3, ("AAA",), "2 matched, +0.4%"
            ),
        ),
        (MemoryLayer("weekly trend", "KR large caps up 2 weeks"),),
    )


def test_canary_poisoning_every_value_after_the_decision_time_changes_no_byte() -> None:
    t = 30  # the session being planned; the planner sees row t - 1 (the last close)
    features, close = matrices()
    clean = build_prompt(_input(StepView(t - 1, features, close, np.zeros(4))), 6000, 20)
    poisoned_features = {k: v.copy() for k, v in features.items()}
    poisoned_close = close.copy()
    for matrix in (*poisoned_features.values(), poisoned_close):
        matrix[t:] = 1e9  # the session itself and everything after it
    poisoned = build_prompt(
        _input(StepView(t - 1, poisoned_features, poisoned_close, np.zeros(4))), 6000, 20
    )
    assert poisoned.text.encode() == clean.text.encode()
    assert poisoned.hash == clean.hash
    # and the canary can fail: poisoning the last close does change the prompt
    poisoned_close[t - 1] = 1e9
    leaked = build_prompt(
        _input(StepView(t - 1, poisoned_features, poisoned_close, np.zeros(4))), 6000, 20
    )
    assert leaked.text != clean.text


def test_prompt_holds_account_holdings_recent_playbooks_and_memory() -> None:
    features, close = matrices()
    prompt = build_prompt(
        _input(StepView(29, features, close, np.zeros(4)), held=("CCC",)), 6000, 20
    )
    assert "Account: cash 10000000 KRW, exposure 35.0%, breaker armed." in prompt.user
    assert "Holdings: CCC." in prompt.user
    assert (
        "Playbook 2026-03-04 (llm:gemini-2.5-flash): 3 scenarios on AAA; 2 matched" in prompt.user
    )
    assert "weekly trend: KR large caps up 2 weeks" in prompt.user
    lines = prompt.user.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("symbol,"))
    assert lines[header + 1].startswith("CCC,")  # holdings come first


@pytest.mark.parametrize("candidates", [10, 50, 200])
def test_budget_drops_features_then_candidates_and_holdings_stay(candidates: int) -> None:
    symbols = tuple(f"S{i:03d}" for i in range(candidates))
    features, close = matrices(n=candidates)
    view = StepView(29, features, close, np.zeros(candidates))
    held = (symbols[-1],)
    budget = 2500
    prompt = build_prompt(_input(view, symbols, held), budget, candidates)
    assert prompt.tokens <= budget
    assert estimate_tokens(prompt.system) + estimate_tokens(prompt.user) == prompt.tokens
    assert symbols[-1] in prompt.symbols
    header = next(line for line in prompt.user.splitlines() if line.startswith("symbol,"))
    shown = header.split(",")[1:]
    assert shown[:3] == ["close", "rsi_14", "atr_pct_14"]  # the most valuable stay
    if prompt.omitted:
        assert len(shown) == 6  # features went first
        assert f"{prompt.omitted} more symbols omitted" in prompt.user


def test_an_ample_budget_keeps_every_feature_and_the_cap_on_candidates() -> None:
    symbols = tuple(f"S{i:03d}" for i in range(30))
    features, close = matrices(n=30)
    prompt = build_prompt(_input(StepView(29, features, close, np.zeros(30)), symbols), 100_000, 20)
    header = next(line for line in prompt.user.splitlines() if line.startswith("symbol,"))
    assert len(header.split(",")) - 1 == len(FEATURES)
    assert len(prompt.symbols) == 20
    assert prompt.omitted == 10
