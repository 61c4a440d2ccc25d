"""The brain: LLM providers, the point-in-time planner prompt, answer validation, the failure
policy, record/replay, cost and budget (docs/brain.md)."""

from ouroboros.brain.cache import CacheMode, Cassette
from ouroboros.brain.cost import Budget, PriceTable, cutoff_flag, knowledge_cutoff
from ouroboros.brain.factory import (
    LLM_POLICY_NAME,
    PlannerChoice,
    feature_names,
    make_planner,
    planner_policy,
)
from ouroboros.brain.planner import CallRecorder, FallbackEvent, LLMPlanner
from ouroboros.brain.settings import LLMSettings, ProviderName, infer_provider

__all__ = [
    "LLM_POLICY_NAME",
    "Budget",
    "CacheMode",
    "CallRecorder",
    "Cassette",
    "FallbackEvent",
    "LLMPlanner",
    "LLMSettings",
    "PlannerChoice",
    "PriceTable",
    "ProviderName",
    "cutoff_flag",
    "feature_names",
    "infer_provider",
    "knowledge_cutoff",
    "make_planner",
    "planner_policy",
]
