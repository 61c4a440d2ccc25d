"""Recorded LLM calls: the brain's ``CallRecorder`` port, implemented on ``llm_calls``."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from ouroboros.domain.llm_call import CacheUse, LLMCall
from ouroboros.store.session import Bind, transaction
from ouroboros.store.tables import LLM_CALLS

_FIELDS = (
    "call_id",
    "provider",
    "model",
    "role",
    "market",
    "session_date",
    "created_at",
    "prompt_text",
    "prompt_hash",
    "response_text",
    "error",
    "input_tokens",
    "output_tokens",
    "cost_usd",
    "billed_usd",
    "latency_ms",
    "retries",
    "attempt",
    "outcome",
    "cycle_id",
    "trace_id",
)


class LlmCallRepository:
    def __init__(self, bind: Bind, run_id: str | None = None) -> None:
        self._bind = bind
        self.run_id = run_id

    def record(self, call: LLMCall) -> None:
        row = {name: getattr(call, name) for name in _FIELDS}
        row.update(
            run_id=self.run_id,
            cache=call.cache.value,
            parsed=dict(call.parsed) if call.parsed is not None else None,
            playbook=dict(call.playbook) if call.playbook is not None else None,
        )
        with transaction(self._bind) as conn:
            conn.execute(LLM_CALLS.insert(), row)

    def list(self, session_date: date | None = None, market: str | None = None) -> list[LLMCall]:
        query = LLM_CALLS.select().order_by(LLM_CALLS.c.id)
        if session_date is not None:
            query = query.where(LLM_CALLS.c.session_date == session_date)
        if market is not None:
            query = query.where(LLM_CALLS.c.market == market)
        with transaction(self._bind) as conn:
            rows = conn.execute(query).mappings().all()
        return [
            LLMCall(
                **{name: row[name] for name in _FIELDS},
                cache=CacheUse(row["cache"]),
                parsed=row["parsed"],
                playbook=row["playbook"],
            )
            for row in rows
        ]

    def count(self) -> int:
        with transaction(self._bind) as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(LLM_CALLS)).scalar_one())
