"""The llm_calls table on SQLite and PostgreSQL: a recorded call reads back exactly."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import sqlalchemy as sa

from ouroboros.domain.llm_call import CacheUse, LLMCall
from ouroboros.store import LlmCallRepository, downgrade, head_revision, make_engine, upgrade


def _call(day: date, attempt: int = 1, cache: CacheUse = CacheUse.LIVE) -> LLMCall:
    return LLMCall(
        call_id=f"llm-KR-{day.isoformat()}-{attempt}-abc",
        provider="google",
        model="gemini-2.5-flash",
        role="planner",
        market="KR",
        session_date=day,
        created_at=datetime(day.year, day.month, day.day, tzinfo=UTC),
        prompt_text="[system]\nplan\n[user]\n한국 005930",
        prompt_hash="f" * 64,
        response_text='{"stocks": []}',
        error=None,
        input_tokens=1234,
        output_tokens=321,
        cost_usd=Decimal("0.0011727"),
        billed_usd=Decimal(0) if cache is CacheUse.REPLAYED else Decimal("0.0011727"),
        latency_ms=840,
        retries=1,
        attempt=attempt,
        cache=cache,
        outcome="accepted",
        cycle_id=f"plan-KR-{day.isoformat()}",
        trace_id="t" * 32,
        parsed={
            "stocks": 0,
            "scenarios": 0,
            "issues": [{"kind": "dropped", "where": "x", "reason": "y"}],
        },
        playbook={"market": "KR", "stocks": []},
    )


def test_calls_round_trip_and_filter_by_day(db_url: str) -> None:
    upgrade(db_url)
    engine = make_engine(db_url)
    try:
        repo = LlmCallRepository(engine, run_id="run-1")
        first, second = _call(date(2026, 3, 4)), _call(date(2026, 3, 5), 2, CacheUse.REPLAYED)
        repo.record(first)
        repo.record(second)
        assert repo.list() == [first, second]
        assert repo.list(session_date=date(2026, 3, 5)) == [second]
        assert repo.list(market="US_NYSE") == []
        with engine.connect() as conn:
            runs = conn.execute(sa.text("SELECT DISTINCT run_id FROM llm_calls")).scalars().all()
        assert runs == ["run-1"]
    finally:
        engine.dispose()


def test_migration_0003_downgrades_to_0002(db_url: str) -> None:
    upgrade(db_url)
    downgrade(db_url, "0002")
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            tables = set(sa.inspect(conn).get_table_names())
        assert "llm_calls" not in tables
        assert "playbooks" in tables
    finally:
        engine.dispose()
    assert upgrade(db_url).after == head_revision()
