"""Provider failures, classified at the edge into what the planner does about them.

* :class:`LLMTimeout` - no answer within the planner's timeout: never retried (the session never
  waits beyond it); the failure policy plays the defensive playbook.
* :class:`LLMRateLimited`, :class:`LLMServerError` - 429 / 5xx: retried with backoff, bounded.
* :class:`LLMUnavailable` - the provider cannot be reached (connection refused, DNS, 502-504
  after the retries): the quant planner takes over.
* :class:`LLMRequestError` - any other refusal (400, 401, 404, an answer without text).
* :class:`LLMCacheMiss` - ``--llm-cache replay`` found no recorded answer: a configuration
  error that stops the run, never a live call.
"""

from __future__ import annotations

from ouroboros.errors import ConfigError, RateLimited, RetryError, SkipError


class LLMError(Exception):
    """Mixin for every provider failure: ``kind`` is recorded with the call."""

    kind = "error"


class LLMTimeout(LLMError, RetryError):
    kind = "timeout"


class LLMRateLimited(LLMError, RateLimited):
    kind = "rate_limited"

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class LLMServerError(LLMError, RetryError):
    kind = "server_error"

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class LLMUnavailable(LLMError, RetryError):
    kind = "unavailable"


class LLMRequestError(LLMError, SkipError):
    kind = "request_error"


class LLMBudgetExhausted(LLMError, SkipError):
    kind = "budget"


class LLMCacheMiss(ConfigError):
    """Replay mode and no recorded answer for this prompt: fail loudly."""


RETRYABLE: tuple[type[LLMError], ...] = (LLMRateLimited, LLMServerError, LLMUnavailable)

ERROR_KINDS: dict[str, type[LLMError]] = {
    cls.kind: cls
    for cls in (LLMTimeout, LLMRateLimited, LLMUnavailable, LLMRequestError, LLMBudgetExhausted)
}


def rebuild(kind: str, message: str, status: int | None = None) -> LLMError:
    """The error a cassette recorded, raised again on replay."""
    if kind == LLMServerError.kind:
        return LLMServerError(message, status or 500)
    return ERROR_KINDS.get(kind, LLMRequestError)(message)
