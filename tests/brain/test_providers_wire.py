"""Each provider's real SDK against a local server speaking its wire protocol, with scripted
answers; every case ends in a valid playbook or the documented fallback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ouroboros.brain.validate import extract_json
from tests.brain.fake_providers import FakeProviders, Reply, serving
from tests.brain.kit import PROVIDERS, answer, build, plan, scenario

PROVIDER_NAMES = sorted(PROVIDERS)


@pytest.fixture
def fake() -> Iterator[FakeProviders]:
    with serving() as server:
        yield server


def _path(provider: str) -> str:
    return {
        "google": "/v1beta/models/gemini-2.5-flash:generateContent",
        "anthropic": "/v1/messages",
        "openai": "/v1/chat/completions",
    }[provider]


@pytest.mark.parametrize("provider", PROVIDER_NAMES)
def test_valid_answer_becomes_the_playbook(fake: FakeProviders, provider: str) -> None:
    fake.answer(Reply(answer()))
    built = build(provider, fake.url)
    playbook = plan(built)
    assert playbook.planner.startswith("llm:")
    assert [s.symbol for s in playbook.stocks] == ["AAA", "BBB"]
    assert playbook.stocks[0].scenarios[0].confidence == 0.85
    assert [s.path for s in fake.seen] == [_path(provider)]
    body = fake.seen[0].body
    # the schema went in the provider's structured-output field
    if provider == "openai":
        assert body["response_format"]["type"] == "json_schema"
    elif provider == "anthropic":
        assert body["output_config"]["format"]["type"] == "json_schema"
    else:
        assert body["generationConfig"]["responseMimeType"] == "application/json"
    [call] = built.calls.calls
    assert (call.outcome, call.input_tokens, call.output_tokens) == ("accepted", 1200, 300)
    assert call.cost_usd > 0
    assert call.playbook is not None


@pytest.mark.parametrize("provider", PROVIDER_NAMES)
def test_fenced_and_truncated_answers_are_repaired(fake: FakeProviders, provider: str) -> None:
    full = answer()
    cut = full[: full.index('"BBB"') + 30]  # cut inside the second stock
    fake.answer(Reply(f"Here is the playbook:\n```json\n{full}\n```"), Reply(cut))
    built = build(provider, fake.url)
    assert [s.symbol for s in plan(built).stocks] == ["AAA", "BBB"]
    assert [s.symbol for s in plan(built).stocks] == ["AAA"]
    assert extract_json(cut)["stocks"][0]["symbol"] == "AAA"


HOSTILE = {
    "confidence-50": [{"symbol": "AAA", "scenarios": [scenario(confidence=50)]}],
    "unknown-symbol": [{"symbol": "ZZZ", "scenarios": [scenario()]}],
    "40-scenarios": [{"symbol": "AAA", "scenarios": [scenario(name=f"s{i}") for i in range(40)]}],
    "unknown-feature": [
        {
            "symbol": "AAA",
            "scenarios": [scenario(conditions=[{"feature": "moon_phase", "op": ">", "value": 1}])],
        }
    ],
}


@pytest.mark.parametrize("provider", PROVIDER_NAMES)
@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_answers_never_reach_the_playbook(
    fake: FakeProviders, provider: str, case: str
) -> None:
    fake.answer(Reply(answer(HOSTILE[case])))  # the same answer to the retry
    built = build(provider, fake.url)
    playbook = plan(built)
    assert playbook.planner.startswith("llm:")
    scenarios = [sc for s in playbook.stocks for sc in s.scenarios]
    assert all(0 <= sc.confidence <= 1 for sc in scenarios)
    assert {s.symbol for s in playbook.stocks} <= {"AAA", "BBB", "CCC", "DDD"}
    assert all(len(s.scenarios) <= 5 for s in playbook.stocks)
    assert all(c.feature != "moon_phase" for sc in scenarios for c in sc.conditions)
    if case == "40-scenarios":
        assert len(scenarios) == 5
    else:
        assert scenarios == []
    rejected = case in ("unknown-symbol", "unknown-feature")
    assert fake.calls == (2 if rejected else 1)  # one retry with the validation error
    if rejected:
        retry_prompt = str(fake.seen[1].body)
        assert "previous answer was rejected" in retry_prompt


@pytest.mark.parametrize("provider", PROVIDER_NAMES)
def test_prose_twice_falls_back_to_defensive(fake: FakeProviders, provider: str) -> None:
    fake.answer(Reply("I think the market looks great today, buy everything!"))
    built = build(provider, fake.url)
    playbook = plan(built, held=("CCC",))
    assert playbook.defensive
    assert playbook.planner == "defensive"
    assert [s.symbol for s in playbook.stocks] == ["CCC"]
    assert all(sc.action.value == "SELL" for s in playbook.stocks for sc in s.scenarios)
    assert fake.calls == 2
    assert [e.kind for e in built.planner.fallbacks] == ["defensive"]
    assert [c.outcome for c in built.calls.calls] == ["retry", "failed"]


@pytest.mark.parametrize("provider", PROVIDER_NAMES)
def test_429_then_ok_is_retried(fake: FakeProviders, provider: str) -> None:
    fake.answer(Reply(status=429, retry_after="0"), Reply(answer()))
    built = build(provider, fake.url)
    playbook = plan(built)
    assert playbook.planner.startswith("llm:")
    assert fake.calls == 2
    assert built.calls.calls[0].retries == 1


@pytest.mark.parametrize("provider", PROVIDER_NAMES)
def test_500s_after_the_retries_fall_back_to_defensive(fake: FakeProviders, provider: str) -> None:
    fake.answer(Reply(status=500))
    built = build(provider, fake.url, LLM_MAX_RETRIES="2")
    playbook = plan(built)
    assert playbook.defensive
    assert fake.calls == 3  # the first try and two retries, then no more
    assert [(e.cause, e.kind) for e in built.planner.fallbacks] == [("error", "defensive")]


@pytest.mark.parametrize("provider", PROVIDER_NAMES)
def test_500s_after_a_good_day_reuse_yesterdays_playbook(
    fake: FakeProviders, provider: str
) -> None:
    from datetime import date

    built = build(provider, fake.url, LLM_MAX_RETRIES="0")
    fake.answer(Reply(answer()))
    good = plan(built, day=date(2026, 3, 4), t=29)
    fake.answer(Reply(status=500))
    today = plan(built, day=date(2026, 3, 5), t=30)
    assert today.stocks == good.stocks
    assert today.planner.endswith("(yesterday)")
    assert today.session_date == date(2026, 3, 5)
    stale = plan(built, day=date(2026, 3, 6), t=31)  # yesterday was itself a fallback
    assert stale.defensive


@pytest.mark.parametrize("provider", PROVIDER_NAMES)
def test_provider_down_falls_back_to_the_quant_planner(fake: FakeProviders, provider: str) -> None:
    down = 529 if provider == "anthropic" else 503
    fake.answer(Reply(status=down))
    built = build(provider, fake.url, LLM_MAX_RETRIES="1")
    playbook = plan(built)
    assert playbook.planner == "quant (llm fallback: unavailable)"
    assert any("llm fallback (unavailable" in n for n in playbook.notes)


@pytest.mark.parametrize("provider", PROVIDER_NAMES)
def test_a_hang_past_the_timeout_plays_defensive(fake: FakeProviders, provider: str) -> None:
    fake.answer(Reply(hang=True))
    built = build(provider, fake.url, PLANNER_TIMEOUT_SECONDS="0.5")
    playbook = plan(built)
    assert playbook.defensive
    assert fake.calls == 1  # a timeout is never retried
    assert [(e.cause, e.kind) for e in built.planner.fallbacks] == [("timeout", "defensive")]
    assert built.calls.calls[0].error is not None


def test_unreachable_provider_falls_back_to_quant() -> None:
    with serving() as fake:
        url = fake.url
    built = build("openai", url, LLM_MAX_RETRIES="0")  # the server is gone
    assert plan(built).planner == "quant (llm fallback: unavailable)"
