"""LLM providers over the vendors' own SDKs, each reachable at a base URL.

One small port, :class:`Provider`: a system and a user message plus a JSON schema in, the answer
text and token usage out. Google goes through ``google-genai`` (``generateContent`` with
``response_json_schema``), Anthropic through ``anthropic`` (``/v1/messages`` with
``output_config.format``), OpenAI and every OpenAI-compatible server (llama.cpp, Ollama, vLLM,
LM Studio, the bundled xllamacpp model) through ``openai`` (``/v1/chat/completions`` with
``response_format: json_schema``; never ``json_object``, which llama.cpp does not enforce).

The SDKs' own retries are off (``max_retries=0``; google-genai ``retry_options=None``):
retries happen here, on 429 and 5xx only, bounded, with backoff inside the planner's
deadline, so each one is counted and recorded. A timeout is never retried.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from ouroboros.brain.errors import (
    RETRYABLE,
    LLMError,
    LLMRateLimited,
    LLMRequestError,
    LLMServerError,
    LLMTimeout,
    LLMUnavailable,
)
from ouroboros.brain.settings import LLMSettings, ProviderName

_UNAVAILABLE_STATUS = frozenset({502, 503, 504, 529})


@dataclass(frozen=True, slots=True)
class LLMRequest:
    system: str
    user: str
    schema: dict[str, Any]
    model: str
    max_output_tokens: int
    temperature: float
    seed: int


@dataclass(frozen=True, slots=True)
class LLMResponse:
    text: str
    input_tokens: int
    output_tokens: int


class Provider(Protocol):
    name: ProviderName

    def complete(self, request: LLMRequest, timeout: float) -> LLMResponse:
        """One request; raises a classified :class:`~ouroboros.brain.errors.LLMError`."""
        ...


def _status_error(status: int, message: str, retry_after: str | None = None) -> LLMError:
    if status == 429:
        return LLMRateLimited(f"rate limited (429): {message}", _seconds(retry_after))
    if status in _UNAVAILABLE_STATUS:
        return LLMServerError(f"provider unavailable ({status}): {message}", status)
    if status >= 500:
        return LLMServerError(f"server error ({status}): {message}", status)
    return LLMRequestError(f"request refused ({status}): {message}")


def _seconds(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


def _transport_error(exc: Exception) -> LLMError | None:
    """httpx-style transport failures, as raised under the Google SDK."""
    names = {c.__name__ for c in type(exc).__mro__}
    if "TimeoutException" in names:
        return LLMTimeout(f"no answer within the timeout: {exc}")
    if "TransportError" in names or isinstance(exc, ConnectionError):
        return LLMUnavailable(f"provider unreachable: {exc}")
    return None


class OpenAIProvider:
    """OpenAI itself, or any OpenAI-compatible server at ``base_url`` (include ``/v1``)."""

    def __init__(
        self,
        name: ProviderName,
        api_key: str | None,
        base_url: str | None,
        timeout: float,
        compact_grammar: bool = False,
    ) -> None:
        import openai  # the SDKs load on first use: every CLI command imports the brain

        self.name = name
        self.compact_grammar = compact_grammar
        """llama.cpp servers: send the schema as an LLGuidance grammar with compact whitespace
        (small models otherwise spend their tokens on indentation)."""
        self._client = openai.OpenAI(
            api_key=api_key or "not-needed",
            base_url=base_url,
            max_retries=0,
            timeout=timeout,
        )

    def complete(self, request: LLMRequest, timeout: float) -> LLMResponse:
        import openai

        hosted = self.name is ProviderName.OPENAI
        reasoning = hosted and request.model.lower().startswith(("o", "gpt-5"))
        options: dict[str, Any] = {}
        if hosted:
            options["max_completion_tokens"] = request.max_output_tokens
        else:
            options["max_tokens"] = request.max_output_tokens
            extra: dict[str, Any] = {"cache_prompt": False}  # llama.cpp: identical reruns
            if self.compact_grammar:
                guided = {"x-guidance": {"whitespace_pattern": " ?"}, **request.schema}
                extra["grammar"] = "%llguidance {}\nstart: %json " + json.dumps(guided)
            options["extra_body"] = extra
        if not reasoning:
            options["temperature"] = request.temperature
        if not self.compact_grammar:
            options["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "playbook", "schema": request.schema, "strict": False},
            }
        try:
            answer = self._client.chat.completions.create(
                model=request.model,
                messages=[
                    {"role": "system", "content": request.system},
                    {"role": "user", "content": request.user},
                ],
                seed=request.seed,
                timeout=timeout,
                **options,
            )
        except openai.APITimeoutError as exc:
            raise LLMTimeout(f"no answer within {timeout:g} s") from exc
        except openai.APIConnectionError as exc:
            raise LLMUnavailable(f"provider unreachable: {exc}") from exc
        except openai.APIStatusError as exc:
            after = exc.response.headers.get("retry-after")
            raise _status_error(exc.status_code, exc.message, after) from exc
        if not answer.choices or answer.choices[0].message.content is None:
            raise LLMRequestError("answer without text")
        usage = answer.usage
        return LLMResponse(
            answer.choices[0].message.content,
            usage.prompt_tokens if usage else 0,
            usage.completion_tokens if usage else 0,
        )


_ANTHROPIC_UNSUPPORTED = frozenset(
    {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "maxItems", "maxLength"}
)


def strip_keywords(schema: Any, keys: frozenset[str]) -> Any:
    """``schema`` without the given keywords (Anthropic's structured output rejects some;
    the validator enforces them after the answer anyway)."""
    if isinstance(schema, dict):
        return {k: strip_keywords(v, keys) for k, v in schema.items() if k not in keys}
    if isinstance(schema, list):
        return [strip_keywords(v, keys) for v in schema]
    return schema


class AnthropicProvider:
    name = ProviderName.ANTHROPIC

    def __init__(self, api_key: str | None, base_url: str | None, timeout: float) -> None:
        import anthropic

        self._client = anthropic.Anthropic(
            api_key=api_key or "not-set", base_url=base_url, max_retries=0, timeout=timeout
        )

    def complete(self, request: LLMRequest, timeout: float) -> LLMResponse:
        import anthropic

        schema = strip_keywords(request.schema, _ANTHROPIC_UNSUPPORTED)
        try:
            answer = self._client.messages.create(
                model=request.model,
                max_tokens=request.max_output_tokens,
                system=request.system,
                messages=[{"role": "user", "content": request.user}],
                output_config={"format": {"type": "json_schema", "schema": schema}},
                timeout=timeout,
            )
        except anthropic.APITimeoutError as exc:
            raise LLMTimeout(f"no answer within {timeout:g} s") from exc
        except anthropic.APIConnectionError as exc:
            raise LLMUnavailable(f"provider unreachable: {exc}") from exc
        except anthropic.APIStatusError as exc:
            after = exc.response.headers.get("retry-after")
            raise _status_error(exc.status_code, exc.message, after) from exc
        text = "".join(block.text for block in answer.content if block.type == "text")
        if not text:
            raise LLMRequestError("answer without text")
        return LLMResponse(text, answer.usage.input_tokens, answer.usage.output_tokens)


class GoogleProvider:
    name = ProviderName.GOOGLE

    def __init__(self, api_key: str | None, base_url: str | None, timeout: float) -> None:
        from google import genai
        from google.genai import types as genai_types

        self._client = genai.Client(
            api_key=api_key or "not-set",
            http_options=genai_types.HttpOptions(
                base_url=base_url,
                api_version="v1beta",  # the Gemini API's version with response_json_schema
                timeout=int(timeout * 1000),
                retry_options=None,  # google-genai: None means a single attempt
            ),
        )

    def complete(self, request: LLMRequest, timeout: float) -> LLMResponse:
        from google.genai import errors as genai_errors
        from google.genai import types as genai_types

        config = genai_types.GenerateContentConfig(
            system_instruction=request.system,
            temperature=request.temperature,
            max_output_tokens=request.max_output_tokens,
            seed=request.seed,
            response_mime_type="application/json",
            response_json_schema=request.schema,
            http_options=genai_types.HttpOptions(timeout=max(1, int(timeout * 1000))),
        )
        try:
            answer = self._client.models.generate_content(
                model=request.model, contents=request.user, config=config
            )
        except genai_errors.APIError as exc:
            raise _status_error(exc.code, str(exc.message or exc.status)) from exc
        except Exception as exc:
            classified = _transport_error(exc)
            if classified is None:
                raise
            raise classified from exc
        text = answer.text
        if not text:
            raise LLMRequestError("answer without text")
        usage = answer.usage_metadata
        return LLMResponse(
            text,
            (usage.prompt_token_count or 0) if usage else 0,
            (usage.candidates_token_count or 0) if usage else 0,
        )


def make_provider(settings: LLMSettings, model: str) -> Provider:
    """The provider for ``model`` under ``settings`` (keys and base URL from the settings)."""
    name = settings.provider_for(model)
    secret = settings.api_key(name)
    key = secret.get_secret_value() if secret is not None else None
    timeout = settings.timeout_seconds
    if name is ProviderName.GOOGLE:
        return GoogleProvider(key, settings.base_url, timeout)
    if name is ProviderName.ANTHROPIC:
        return AnthropicProvider(key, settings.base_url, timeout)
    return OpenAIProvider(name, key, settings.base_url, timeout)


@dataclass
class Attempts:
    """What the retry loop did: the number of retries and the errors that caused them."""

    retries: int = 0
    errors: list[str] = field(default_factory=list)


def complete_with_retries(
    provider: Provider,
    request: LLMRequest,
    settings: LLMSettings,
    attempts: Attempts,
    monotonic: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> LLMResponse:
    """One answer within ``settings.timeout_seconds`` in total: 429/5xx/unreachable are retried
    up to ``max_retries`` times with exponential backoff (a 429's Retry-After honoured); a
    timeout, a refusal or the last failure is raised."""
    deadline = monotonic() + settings.timeout_seconds
    while True:
        remaining = deadline - monotonic()
        if remaining <= 0:
            raise LLMTimeout(f"no answer within {settings.timeout_seconds:g} s")
        try:
            return provider.complete(request, remaining)
        except RETRYABLE as exc:
            if attempts.retries >= settings.max_retries:
                raise
            wait = settings.retry_backoff_seconds * (2**attempts.retries)
            if isinstance(exc, LLMRateLimited) and exc.retry_after is not None:
                wait = max(wait, exc.retry_after)
            if monotonic() + wait >= deadline:
                raise
            attempts.retries += 1
            attempts.errors.append(str(exc))
            sleep(wait)
