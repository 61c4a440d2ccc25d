"""``ouroboros plan`` and ``ouroboros llm``: offline quant plans, an LLM plan against a local
server speaking OpenAI's protocol, recorded calls listed, clear errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import Result
from tests.brain.fake_providers import FakeProviders, Reply, serving
from tests.brain.test_backtest_llm import responder
from typer.testing import CliRunner

from ouroboros.interfaces.cli.app import app


@pytest.fixture
def fake() -> Iterator[FakeProviders]:
    with serving() as server:
        yield server


def _invoke(args: list[str], env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(app, args, env=env)


def test_plan_quant_offline_writes_and_records_a_playbook(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'o.db'}"
    result = _invoke(["plan", "--market", "KR", "--db", db, "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["playbook"]["planner"] == "quant"
    assert payload["playbook"]["market"] == "KR"
    assert payload["playbook_id"] == 1
    assert payload["llm"] is None


def test_plan_llm_against_a_local_server_and_list_its_calls(
    fake: FakeProviders, tmp_path: Path
) -> None:
    fake.responder = responder()
    db = f"sqlite:///{tmp_path / 'o.db'}"
    env = {"LLM_BASE_URL": fake.url + "/v1", "LLM_OPENAI_API_KEY": "test"}
    result = _invoke(
        [
            "plan",
            "--market",
            "KR",
            "--planner",
            "llm",
            "--model",
            "gpt-4o-mini",
            "--db",
            db,
            "--json",
        ],
        env,
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["playbook"]["planner"] == "llm:gpt-4o-mini"
    assert payload["llm"]["calls"] == 1
    assert fake.calls == 1
    listed = _invoke(["llm", "calls", "--db", db, "--json"])
    calls = json.loads(listed.stdout)
    assert calls["total"]["calls"] == 1
    [call] = calls["calls"]
    assert (call["model"], call["outcome"], call["input_tokens"]) == (
        "gpt-4o-mini",
        "accepted",
        1200,
    )
    assert call["session_date"] == payload["playbook"]["session_date"]
    assert (
        _invoke(["llm", "calls", "--db", db, "--date", "2001-01-01", "--json"]).stdout.count(
            "call_id"
        )
        == 0
    )


def test_plan_llm_fallback_is_recorded_as_an_event(fake: FakeProviders, tmp_path: Path) -> None:
    fake.answer(Reply(status=503))
    db = f"sqlite:///{tmp_path / 'o.db'}"
    env = {"LLM_BASE_URL": fake.url + "/v1", "LLM_OPENAI_API_KEY": "t", "LLM_MAX_RETRIES": "0"}
    result = _invoke(
        ["plan", "--planner", "llm", "--model", "gpt-4o-mini", "--db", db, "--json"], env
    )
    payload = json.loads(result.stdout)
    assert payload["playbook"]["planner"] == "quant (llm fallback: unavailable)"
    assert [f["fallback"] for f in payload["fallbacks"]] == ["quant"]
    import sqlalchemy as sa

    engine = sa.create_engine(db)
    with engine.connect() as conn:
        kinds = conn.execute(sa.text("SELECT type FROM events")).scalars().all()
    engine.dispose()
    assert kinds == ["planner.fallback"]


def test_planner_llm_without_key_or_url_is_a_one_line_error(tmp_path: Path) -> None:
    result = _invoke(
        ["plan", "--planner", "llm", "--db", f"sqlite:///{tmp_path / 'o.db'}"],
        {"GEMINI_API_KEY": "", "LLM_BASE_URL": ""},
    )
    assert result.exit_code == 1
    assert "needs GEMINI_API_KEY" in result.output
    bad = _invoke(["plan", "--planner", "gpt"])
    assert bad.exit_code == 1
    assert "--planner must be quant or llm, was 'gpt'" in bad.output


def test_cassette_export_and_import(tmp_path: Path) -> None:
    from ouroboros.brain import Cassette

    Cassette(tmp_path / "a").put("k1", {"response": {"text": "{}"}})
    out = tmp_path / "c.jsonl"
    assert (
        _invoke(["llm", "export", "--cassette", str(tmp_path / "a"), "--out", str(out)]).exit_code
        == 0
    )
    assert _invoke(["llm", "import", str(out), "--cassette", str(tmp_path / "b")]).exit_code == 0
    assert Cassette(tmp_path / "b").get("k1") == {"response": {"text": "{}"}}


def test_backtest_with_the_llm_planner_records_then_replays_identically(
    fake: FakeProviders, tmp_path: Path
) -> None:
    fake.responder = responder()
    cassette = str(tmp_path / "cassette")
    common = [
        "backtest", "--data", "synthetic:markets=US_NYSE,symbols=6,days=80,seed=3,start=2020-01-02",
        "--strategy", "playbook", "--planner", "llm", "--model", "gpt-4o-mini",
        "--llm-cassette", cassette, "--json",
    ]  # fmt: skip
    env = {"LLM_BASE_URL": fake.url + "/v1", "LLM_OPENAI_API_KEY": "test"}
    first = _invoke([*common, "--llm-cache", "record"], env)
    assert first.exit_code == 0, first.output
    sent = fake.calls
    offline = {"LLM_BASE_URL": "", "LLM_OPENAI_API_KEY": ""}
    second = _invoke([*common, "--llm-cache", "replay"], offline)
    assert second.exit_code == 0, second.output
    a, b = json.loads(first.stdout), json.loads(second.stdout)
    assert fake.calls == sent  # the replay sent nothing
    assert a["llm"]["calls"] == b["llm"]["calls"] == sent
    assert b["llm"]["billed_usd"] == "0"
    for key in ("trades", "final_equity", "return_pct", "fees"):
        assert a[key] == b[key]
    flag = a["llm"]["knowledge_cutoff"]
    assert flag["knowledge_cutoff"] == "2023-10-01"
    assert flag["period_before_cutoff"] is True
    assert "may have seen this period" in flag["warning"]
    text = _invoke([*common[:-1], "--llm-cache", "replay"], offline)
    assert "llm gpt-4o-mini:" in text.output
    assert "may have seen this period" in " ".join(text.output.split())
    missing = _invoke(
        [*common, "--llm-cache", "replay", "--llm-cassette", str(tmp_path / "none")], offline
    )
    assert missing.exit_code == 2  # a configuration fault: the cassette lacks the answer
    assert "no recorded answer" in missing.output


def test_backtest_planner_llm_needs_the_playbook_strategy() -> None:
    result = _invoke(["backtest", "--planner", "llm", "--local-model"])
    assert result.exit_code == 2  # bad input
    assert "--planner llm needs the playbook strategy" in result.output


def test_run_with_the_llm_planner_records_one_call_per_market_day(
    fake: FakeProviders, tmp_path: Path
) -> None:
    fake.responder = responder()
    db = f"sqlite:///{tmp_path / 'o.db'}"
    env = {"LLM_BASE_URL": fake.url + "/v1", "LLM_OPENAI_API_KEY": "test"}
    result = _invoke(
        [
            "run", "--markets", "US_NASDAQ,KR", "--days", "3", "--planner", "llm",
            "--model", "gpt-4o-mini", "--db", db, "--report-dir", str(tmp_path), "--json",
        ],
        env,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["audit_ok"] is True
    assert summary["llm"]["calls"] == fake.calls
    import sqlalchemy as sa

    engine = sa.create_engine(db)
    with engine.connect() as conn:
        runs = conn.execute(sa.text("SELECT DISTINCT run_id FROM llm_calls")).scalars().all()
        bodies = (
            conn.execute(sa.text("SELECT payload FROM events WHERE type = 'playbook.created'"))
            .scalars()
            .all()
        )
    engine.dispose()
    assert runs == [summary["run_id"]]
    planners = [(json.loads(b) if isinstance(b, str) else b)["planner"] for b in bodies]
    # one call per market per session: every session's playbook is the LLM's
    assert planners.count("llm:gpt-4o-mini") == fake.calls
    assert fake.calls >= 5  # 3 US sessions and the KR sessions in that window


def test_plan_reuses_yesterdays_stored_llm_playbook_after_an_error(
    fake: FakeProviders, tmp_path: Path
) -> None:
    fake.responder = responder()
    db = f"sqlite:///{tmp_path / 'o.db'}"
    env = {"LLM_BASE_URL": fake.url + "/v1", "LLM_OPENAI_API_KEY": "t", "LLM_MAX_RETRIES": "0"}
    llm = ["plan", "--planner", "llm", "--model", "gpt-4o-mini", "--db", db, "--json"]
    first = json.loads(_invoke([*llm, "--date", "2013-02-27"], env).stdout)
    assert first["playbook"]["planner"] == "llm:gpt-4o-mini"
    fake.responder = lambda body: Reply(status=500)
    second = json.loads(_invoke([*llm, "--date", "2013-02-28"], env).stdout)
    assert second["playbook"]["planner"] == "llm:gpt-4o-mini (yesterday)"
    assert second["playbook"]["stocks"] == first["playbook"]["stocks"]
    # two sessions later it is too old: defensive
    third = json.loads(_invoke([*llm, "--date", "2013-03-05"], env).stdout)
    assert third["playbook"]["planner"] == "defensive"
