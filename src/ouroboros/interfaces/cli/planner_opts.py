"""The planner options ``backtest`` and ``run`` share: ``--planner quant|llm --model M
--local-model --llm-cache record|replay|off --llm-cassette DIR`` (docs/brain.md)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from ouroboros.brain import (
    CacheMode,
    FallbackEvent,
    LLMPlanner,
    PlannerChoice,
    cutoff_flag,
    make_planner,
    planner_policy,
)
from ouroboros.brain.cost import load_cutoffs
from ouroboros.domain.llm_call import LLMCall
from ouroboros.engine.policies import make_policy
from ouroboros.errors import ConfigError, InvariantError
from ouroboros.strategy.base import DecisionPolicy
from ouroboros.strategy.playbook.policy import PlaybookPolicy

PLANNER_HELP = "playbook writer: quant (offline default) or llm (docs/brain.md)"
MODEL_HELP = "LLM model for --planner llm (default LLM_PLANNER_MODEL)"
LOCAL_HELP = "--planner llm with the bundled SmolLM2 under xllamacpp (offline)"
CACHE_HELP = "LLM answers: record (to the cassette), replay (from it, never live) or off"
CASSETTE_HELP = "cassette directory (default .ouroboros/llm-cassette)"


class LateBinding:
    """Calls and fallbacks of a planner built before the store and the sink exist: kept until
    :meth:`bind` names where they go."""

    def __init__(self) -> None:
        self._calls: list[LLMCall] = []
        self._events: list[FallbackEvent] = []
        self._record: Callable[[LLMCall], None] | None = None
        self._emit: Callable[[FallbackEvent], None] | None = None

    def record(self, call: LLMCall) -> None:
        if self._record is None:
            self._calls.append(call)
        else:
            self._record(call)

    def fallback(self, event: FallbackEvent) -> None:
        if self._emit is None:
            self._events.append(event)
        else:
            self._emit(event)

    def bind(
        self, record: Callable[[LLMCall], None], emit: Callable[[FallbackEvent], None]
    ) -> None:
        self._record, self._emit = record, emit
        for call in self._calls:
            record(call)
        for event in self._events:
            emit(event)
        self._calls.clear()
        self._events.clear()


def build_policy(
    strategy: str,
    params: dict[str, str],
    planner: str,
    model: str | None,
    local_model: bool,
    llm_cache: str,
    cassette: Path | None,
    late: LateBinding | None = None,
) -> tuple[DecisionPolicy, LLMPlanner | None]:
    """The policy for ``strategy``; with ``--planner llm`` the playbook policy over the LLM
    planner (the quant planner, with ``--param``, is its fallback)."""
    choice = PlannerChoice(planner, model, local_model, CacheMode.parse(llm_cache), cassette)
    base = make_policy(strategy, params)
    if choice.planner == "quant":
        return base, None
    if not isinstance(base, PlaybookPolicy):
        raise ConfigError(f"--planner llm needs the playbook strategy, was {strategy!r}")
    llm = make_planner(
        choice,
        recorder=late,
        on_fallback=late.fallback if late is not None else None,
        quant=base.planner,
    )
    if not isinstance(llm, LLMPlanner):  # make_planner's contract for an llm choice
        raise InvariantError(f"--planner llm built {type(llm).__name__}, not an LLM planner")
    return planner_policy(llm), llm


def llm_summary(planner: LLMPlanner, first: date, last: date) -> dict[str, Any]:
    """Calls, tokens, cost, fallbacks and the knowledge-cutoff flag of an LLM-planned run."""
    table = load_cutoffs(planner.settings.cutoffs_file)
    return {**planner.usage(), "knowledge_cutoff": cutoff_flag(planner.model, first, last, table)}


def llm_lines(usage: dict[str, Any]) -> list[str]:
    """The human summary of :func:`llm_summary` (Rich markup)."""
    lines = [
        f"llm {usage['model']}: {usage['calls']} calls, {usage['input_tokens']} in / "
        f"{usage['output_tokens']} out tokens, {usage['cost_usd']} USD "
        f"(billed {usage['billed_usd']}), fallbacks {usage['fallbacks'] or 'none'}"
    ]
    warning = usage["knowledge_cutoff"]["warning"]
    if warning:
        lines.append(f"[yellow]warning:[/yellow] {warning}")
    return lines
