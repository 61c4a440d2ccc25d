"""Risk-specific errors, placed in the project hierarchy by what the operator must do."""

from __future__ import annotations

from ouroboros.errors import ConfigError, StopError


class LooseningRefused(ConfigError):
    """A breaker threshold change would loosen it; thresholds only ever get stricter at run time."""


class BreakerStateError(StopError):
    """A persisted breaker state could not be read; the message names the key and the value."""
