"""LLM settings from the environment, with the seeds' names, and provider inference.

Seed 003's ``LLMSettings``: API keys, a model per role, retry settings; the provider is inferred
from the model name (``gemini-*`` → Google, ``claude-*`` → Anthropic, ``gpt-*`` / ``o1``… →
OpenAI) unless ``LLM_PROVIDER`` names one. Seed 000's planner keys keep their names
(``PLANNER_TIMEOUT_SECONDS``, ``GEMINI_API_KEY``). An OpenAI-compatible local server (llama.cpp,
Ollama, vLLM, LM Studio) is reached by ``LLM_BASE_URL``; any model name is accepted there.
Invalid values raise :class:`~ouroboros.errors.ConfigError` naming the key.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, model_validator

from ouroboros.errors import ConfigError


class ProviderName(StrEnum):
    GOOGLE = "google"
    ANTHROPIC = "anthropic"
    OPENAI = "openai"
    OPENAI_COMPATIBLE = "openai-compatible"
    """Any server speaking OpenAI's ``/v1/chat/completions`` (local or self-hosted)."""


class Role(StrEnum):
    """Who calls the model; each role has its own model setting (seed 003: a model per agent)."""

    PLANNER = "planner"


_O_SERIES = re.compile(r"^o\d")


def infer_provider(model: str) -> ProviderName:
    """The provider a model name belongs to; a clear error for a name that names none."""
    name = model.strip().lower()
    if name.startswith("gemini"):
        return ProviderName.GOOGLE
    if name.startswith("claude"):
        return ProviderName.ANTHROPIC
    if name.startswith(("gpt-", "chatgpt")) or _O_SERIES.match(name):
        return ProviderName.OPENAI
    raise ConfigError(
        f"LLM_PLANNER_MODEL: cannot infer the provider of model {model!r} "
        "(gemini-*, claude-*, gpt-*, o*; set LLM_PROVIDER or LLM_BASE_URL for other models)"
    )


#: Environment name of each provider's key (seed 000: GEMINI_API_KEY; seed 003: LLM_*).
KEY_ENV = {
    ProviderName.GOOGLE: "GEMINI_API_KEY",
    ProviderName.ANTHROPIC: "LLM_ANTHROPIC_API_KEY",
    ProviderName.OPENAI: "LLM_OPENAI_API_KEY",
    ProviderName.OPENAI_COMPATIBLE: "LLM_API_KEY",
}

DEFAULT_PLANNER_MODEL = "gemini-2.5-flash"


class LLMSettings(BaseModel):
    """Every brain setting; field aliases are the environment names."""

    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="ignore")

    planner_model: str = Field(DEFAULT_PLANNER_MODEL, alias="LLM_PLANNER_MODEL", min_length=1)
    provider: ProviderName | None = Field(None, alias="LLM_PROVIDER")
    base_url: str | None = Field(None, alias="LLM_BASE_URL")
    gemini_api_key: SecretStr | None = Field(None, alias="GEMINI_API_KEY")
    anthropic_api_key: SecretStr | None = Field(None, alias="LLM_ANTHROPIC_API_KEY")
    openai_api_key: SecretStr | None = Field(None, alias="LLM_OPENAI_API_KEY")
    local_api_key: SecretStr | None = Field(None, alias="LLM_API_KEY")
    timeout_seconds: float = Field(60.0, alias="PLANNER_TIMEOUT_SECONDS", gt=0, le=600)
    max_retries: int = Field(2, alias="LLM_MAX_RETRIES", ge=0, le=5)
    """Our retries on 429/5xx (the SDKs' own retries are switched off: ``max_retries=0``)."""
    retry_backoff_seconds: float = Field(1.0, alias="LLM_RETRY_BACKOFF_SECONDS", ge=0, le=60)
    max_prompt_tokens: int = Field(6000, alias="PLANNER_MAX_PROMPT_TOKENS", ge=500, le=200_000)
    max_output_tokens: int = Field(2048, alias="LLM_MAX_OUTPUT_TOKENS", ge=64, le=32_768)
    temperature: float = Field(0.0, alias="LLM_TEMPERATURE", ge=0, le=2)
    seed: int = Field(42, alias="LLM_SEED")
    daily_budget_usd: float | None = Field(None, alias="LLM_DAILY_BUDGET_USD", ge=0)
    max_calls_per_day: int | None = Field(None, alias="LLM_MAX_CALLS_PER_DAY", ge=0)
    max_candidates: int = Field(20, alias="PLANNER_MAX_CANDIDATES", ge=1, le=500)
    prices_file: Path | None = Field(None, alias="LLM_PRICES_FILE")
    cutoffs_file: Path | None = Field(None, alias="LLM_KNOWLEDGE_CUTOFFS_FILE")

    @model_validator(mode="before")
    @classmethod
    def _blank_is_unset(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            return {k: v for k, v in data.items() if not (isinstance(v, str) and not v.strip())}
        return data

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> LLMSettings:
        """Read ``environ`` (default: the process environment); ``overrides`` use field names."""
        source = dict(os.environ if environ is None else environ)
        aliases = {f.alias for f in cls.model_fields.values() if f.alias}
        values: dict[str, Any] = {k: v for k, v in source.items() if k in aliases}
        for name, value in overrides.items():
            if value is not None:
                values[cls.model_fields[name].alias or name] = value
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            raise _config_error(exc) from None

    def provider_for(self, model: str) -> ProviderName:
        """``LLM_PROVIDER`` if set; an OpenAI-compatible server if a base URL is set without a
        recognisable hosted model name; else inferred from the model name."""
        if self.provider is not None:
            return self.provider
        if self.base_url is not None:
            try:
                return infer_provider(model)
            except ConfigError:
                return ProviderName.OPENAI_COMPATIBLE
        return infer_provider(model)

    def api_key(self, provider: ProviderName) -> SecretStr | None:
        return {
            ProviderName.GOOGLE: self.gemini_api_key,
            ProviderName.ANTHROPIC: self.anthropic_api_key,
            ProviderName.OPENAI: self.openai_api_key,
            ProviderName.OPENAI_COMPATIBLE: self.local_api_key,
        }[provider]

    def require_usable(self, model: str) -> ProviderName:
        """The provider for ``model``, or a one-line error when it cannot be reached."""
        provider = self.provider_for(model)
        if provider is ProviderName.OPENAI_COMPATIBLE:
            if self.base_url is None:
                raise ConfigError(
                    "--planner llm: an OpenAI-compatible provider needs LLM_BASE_URL "
                    "(or use --local-model)"
                )
            return provider
        if self.api_key(provider) is None and self.base_url is None:
            raise ConfigError(
                f"--planner llm with model {model!r} needs {KEY_ENV[provider]} "
                "(or LLM_BASE_URL, or --local-model)"
            )
        return provider

    def fingerprint(self) -> dict[str, Any]:
        """The settings that change an answer: part of the cache key."""
        return {
            "temperature": self.temperature,
            "max_output_tokens": self.max_output_tokens,
            "seed": self.seed,
        }


def _config_error(exc: ValidationError) -> ConfigError:
    first = exc.errors()[0]
    key = ".".join(str(p) for p in first["loc"]) or "LLM settings"
    value = first.get("input")
    shown = "<secret>" if "KEY" in key else repr(value)
    return ConfigError(f"{key}: {first['msg']}, was {shown}")
