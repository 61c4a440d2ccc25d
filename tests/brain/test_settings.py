"""LLM settings: provider inference, the seeds' key names, clear errors."""

from __future__ import annotations

import pytest

from ouroboros.brain.settings import LLMSettings, ProviderName, infer_provider
from ouroboros.errors import ConfigError


@pytest.mark.parametrize(
    ("model", "provider"),
    [
        ("gemini-2.5-flash", ProviderName.GOOGLE),
        ("claude-sonnet-4-5", ProviderName.ANTHROPIC),
        ("gpt-4o-mini", ProviderName.OPENAI),
        ("o3-mini", ProviderName.OPENAI),
        ("o4-mini", ProviderName.OPENAI),
    ],
)
def test_provider_is_inferred_from_the_model_name(model: str, provider: ProviderName) -> None:
    assert infer_provider(model) is provider


def test_unknown_model_names_need_a_provider_or_base_url() -> None:
    with pytest.raises(ConfigError, match="cannot infer the provider of model 'llama3'"):
        infer_provider("llama3")
    with pytest.raises(ConfigError):
        infer_provider("orca-mini")
    local = LLMSettings.from_env({"LLM_BASE_URL": "http://127.0.0.1:11434/v1"})
    assert local.provider_for("llama3") is ProviderName.OPENAI_COMPATIBLE
    forced = LLMSettings.from_env({"LLM_PROVIDER": "anthropic"})
    assert forced.provider_for("my-proxy-model") is ProviderName.ANTHROPIC


def test_keys_come_from_the_seed_names_and_stay_secret() -> None:
    settings = LLMSettings.from_env(
        {
            "GEMINI_API_KEY": "g-secret",
            "LLM_ANTHROPIC_API_KEY": "a-secret",
            "LLM_OPENAI_API_KEY": "o",
        }
    )
    assert settings.require_usable("gemini-2.5-flash") is ProviderName.GOOGLE
    assert settings.require_usable("claude-haiku-4-5") is ProviderName.ANTHROPIC
    assert "g-secret" not in repr(settings)


def test_a_missing_key_is_a_one_line_error_naming_it() -> None:
    with pytest.raises(ConfigError, match="needs LLM_OPENAI_API_KEY"):
        LLMSettings.from_env({}).require_usable("gpt-4o")
    with pytest.raises(ConfigError, match="needs LLM_BASE_URL"):
        LLMSettings.from_env({"LLM_PROVIDER": "openai-compatible"}).require_usable("x")


def test_invalid_values_name_the_key() -> None:
    with pytest.raises(ConfigError, match=r"PLANNER_TIMEOUT_SECONDS.*was .-1."):
        LLMSettings.from_env({"PLANNER_TIMEOUT_SECONDS": "-1"})
    with pytest.raises(ConfigError, match="LLM_PROVIDER"):
        LLMSettings.from_env({"LLM_PROVIDER": "mistral"})
    defaults = LLMSettings.from_env({})
    assert (defaults.timeout_seconds, defaults.planner_model) == (60.0, "gemini-2.5-flash")
