"""One recorded LLM call: what was asked, what came back, what it cost and what it produced.

A value object shared by the brain (which makes calls) and the store (which keeps them in
``llm_calls``): every order traces back order → decision → scenario → playbook → LLM call.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any


class CacheUse(StrEnum):
    LIVE = "live"
    """Sent to the provider, not cached."""
    RECORDED = "recorded"
    """Sent to the provider and written to the cassette."""
    REPLAYED = "replayed"
    """Answered from the cassette: nothing was sent, nothing billed."""


@dataclass(frozen=True, slots=True)
class LLMCall:
    call_id: str
    provider: str
    model: str
    role: str
    market: str
    session_date: date
    created_at: datetime
    prompt_text: str
    prompt_hash: str
    response_text: str | None
    error: str | None
    input_tokens: int
    output_tokens: int
    cost_usd: Decimal
    """List-price cost of the call (also for a replayed one)."""
    billed_usd: Decimal
    """What this run paid: zero for a replayed answer."""
    latency_ms: int
    retries: int
    attempt: int
    """1 for the first question, 2 for the retry with the validation errors."""
    cache: CacheUse
    outcome: str
    """``accepted``, ``retry`` (rejected, asked again) or ``failed``."""
    cycle_id: str
    trace_id: str
    parsed: Mapping[str, Any] | None = None
    """The validation result: issues (clamped/dropped/rejected) and counts."""
    playbook: Mapping[str, Any] | None = None
    """The playbook this call produced (``Playbook.to_dict``), if it produced one."""
