"""One function that turns the command line's planner options into a planner.

``--planner quant`` (the offline default) is the deterministic quant planner; ``--planner llm``
builds the :class:`LLMPlanner` from :class:`LLMSettings` with its provider, price table, budget,
cassette and the quant planner as its fallback. ``--local-model`` starts the bundled SmolLM2
under xllamacpp and points the OpenAI-compatible provider at it. ``--llm-cache replay`` needs no
key and no server: every answer comes from the cassette.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from ouroboros.analysis import FeatureConfig
from ouroboros.brain.cache import CacheMode, Cassette
from ouroboros.brain.cost import Budget, PriceTable, load_overrides
from ouroboros.brain.local import LOCAL_MODEL_NAME, LocalModelServer
from ouroboros.brain.planner import CallRecorder, FallbackEvent, LLMPlanner
from ouroboros.brain.providers import OpenAIProvider, Provider, make_provider
from ouroboros.brain.settings import LLMSettings, ProviderName
from ouroboros.errors import ConfigError
from ouroboros.risk import RiskSettings
from ouroboros.strategy.playbook.policy import Planner, PlaybookPolicy
from ouroboros.strategy.playbook.quant_planner import QuantPlanner

PLANNERS = ("quant", "llm")
DEFAULT_CASSETTE = Path(".ouroboros/llm-cassette")
LOCAL_MAX_OUTPUT_TOKENS = 400
LOCAL_MAX_PROMPT_TOKENS = 1400
LOCAL_MAX_CANDIDATES = 4
LOCAL_MIN_TIMEOUT = 180.0
"""The bundled 135M model reads ~60-100 prompt tokens/s on one thread (less on a busy machine):
a short prompt and at least 180 s keep a playbook within the planner's timeout."""
LLM_POLICY_NAME = "llm-playbook"
"""The policy name of an LLM-planned playbook: its intents get the PLAYBOOK source, so
``CONFIDENCE_THRESHOLD`` applies (the quant playbook is a technical rule: the TA threshold)."""


@dataclass(frozen=True, slots=True)
class PlannerChoice:
    planner: str = "quant"
    model: str | None = None
    local_model: bool = False
    cache: CacheMode = CacheMode.OFF
    cassette: Path | None = None

    def __post_init__(self) -> None:
        if self.planner not in PLANNERS:
            raise ConfigError(f"--planner must be quant or llm, was {self.planner!r}")
        if self.planner == "quant" and (self.model or self.local_model):
            raise ConfigError("--model and --local-model need --planner llm")


def feature_names(config: FeatureConfig | None = None) -> tuple[str, ...]:
    """Every name a condition may use: the computed features and ``close``."""
    return ("close", *(config or FeatureConfig()).names().all)


def make_planner(
    choice: PlannerChoice,
    settings: LLMSettings | None = None,
    *,
    recorder: CallRecorder | None = None,
    on_fallback: Callable[[FallbackEvent], None] | None = None,
    min_confidence: float | None = None,
    quant: Planner | None = None,
) -> Planner:
    """The planner ``choice`` names; an unusable LLM setup is a one-line ConfigError."""
    fallback = quant or QuantPlanner()
    if choice.planner == "quant":
        return fallback
    settings = settings or LLMSettings.from_env()
    threshold = (
        min_confidence
        if min_confidence is not None
        else float(RiskSettings.from_env().confidence_threshold)
    )
    provider: Provider | None = None
    server: LocalModelServer | None = None
    if choice.local_model:
        model = LOCAL_MODEL_NAME
        name = ProviderName.OPENAI_COMPATIBLE
        settings = settings.model_copy(
            update={
                "max_output_tokens": min(settings.max_output_tokens, LOCAL_MAX_OUTPUT_TOKENS),
                "max_prompt_tokens": min(settings.max_prompt_tokens, LOCAL_MAX_PROMPT_TOKENS),
                "max_candidates": min(settings.max_candidates, LOCAL_MAX_CANDIDATES),
                "timeout_seconds": max(settings.timeout_seconds, LOCAL_MIN_TIMEOUT),
                "provider": name,
            }
        )
        if choice.cache is not CacheMode.REPLAY:
            server = LocalModelServer()
            provider = OpenAIProvider(
                name, None, server.base_url, settings.timeout_seconds, compact_grammar=True
            )
    else:
        model = choice.model or settings.planner_model
        if choice.cache is CacheMode.REPLAY:
            name = settings.provider_for(model)
        else:
            name = settings.require_usable(model)
            provider = make_provider(settings, model)
    prices = PriceTable(load_overrides(settings.prices_file))
    prices.cost(name, model, 0, 0)  # a hosted model without a price fails now, not mid-run
    budget = Budget(
        Decimal(str(settings.daily_budget_usd)) if settings.daily_budget_usd is not None else None,
        settings.max_calls_per_day,
    )
    cassette = None
    if choice.cache is not CacheMode.OFF:
        cassette = Cassette(choice.cassette or DEFAULT_CASSETTE)
    planner = LLMPlanner(
        provider,
        name,
        model,
        settings,
        fallback,
        feature_names(),
        threshold,
        prices,
        budget,
        choice.cache,
        cassette,
        recorder,
        on_fallback,
    )
    planner.server = server  # keeps the local server alive as long as the planner
    return planner


def planner_policy(planner: Planner, features: FeatureConfig | None = None) -> PlaybookPolicy:
    """The playbook policy over ``planner``; an LLM planner's policy is ``llm-playbook``."""
    policy = PlaybookPolicy(planner, features=features)
    if isinstance(planner, LLMPlanner):
        policy.name = LLM_POLICY_NAME
    return policy
