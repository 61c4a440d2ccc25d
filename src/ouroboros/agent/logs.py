"""Structured logs for the agent: JSON lines or console, with context, secrets redacted.

``configure_logging`` routes structlog *and* the standard library's loggers (APScheduler,
httpx, ...) through one chain, so every line - ours or a library's - is rendered the same way:

* ``json``: one JSON object per line (``--log-format json``); ``console``: coloured key=value
  lines for people; ``auto`` (the default) picks console on a TTY and JSON otherwise.
* every line carries ``market``, ``run_id``, ``session_id``, ``cycle_id`` and ``trace_id``
  (``null`` when unbound), taken from context variables: ``bind_run`` at start, and
  ``cycle(market)`` around each unit of work (a new cycle and trace id each time unless given).
  Context variables follow asyncio tasks, so concurrent markets keep their own ids.
* a redaction step replaces the value of every field whose name is secret (see
  ``agent.secrets``: ``key``/``secret``/``token``/``password``) and every occurrence of a
  known secret value (``AgentConfig.secret_values()``, plus any added later, e.g. an access
  token issued at run time) inside any string, exception text included, with ``***``.
"""

from __future__ import annotations

import logging
import sys
import uuid
from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from typing import Any, Literal, TextIO

import structlog
from structlog.contextvars import bind_contextvars, bound_contextvars, merge_contextvars
from structlog.stdlib import ProcessorFormatter
from structlog.typing import EventDict, Processor, WrappedLogger

from ouroboros.agent.secrets import MIN_SECRET_VALUE_LENGTH, is_secret_key

LogFormat = Literal["auto", "json", "console"]
CONTEXT_KEYS = ("market", "run_id", "session_id", "cycle_id", "trace_id")
REDACTED = "***"


def new_id() -> str:
    """A fresh random id for runs, sessions, cycles and traces (32 hex digits)."""
    return uuid.uuid4().hex


class SecretRedactor:
    """A structlog processor hiding secret fields and known secret values."""

    def __init__(self, values: Iterable[str] = ()) -> None:
        self._values: set[str] = set()
        self.add(*values)

    def add(self, *values: str) -> None:
        """Also hide these values (too-short values would hide ordinary text: refused)."""
        for value in values:
            if len(value) < MIN_SECRET_VALUE_LENGTH:
                raise ValueError(
                    f"a secret value to redact needs {MIN_SECRET_VALUE_LENGTH}+ characters"
                )
            self._values.add(value)

    def __call__(self, logger: WrappedLogger, method: str, event_dict: EventDict) -> EventDict:
        return {k: self._clean(k, v) for k, v in event_dict.items()}

    def _clean(self, key: str, value: Any) -> Any:
        if is_secret_key(key) and value is not None:
            return REDACTED
        return self._scrub(value)

    def _scrub(self, value: Any) -> Any:
        if isinstance(value, str):
            for secret in sorted(self._values, key=len, reverse=True):
                if secret in value:
                    value = value.replace(secret, REDACTED)
            return value
        if isinstance(value, Mapping):
            return {k: self._clean(str(k), v) for k, v in value.items()}
        if isinstance(value, list | tuple | set | frozenset):
            return [self._scrub(v) for v in value]
        if isinstance(value, int | float | bool) or value is None:
            return value
        text = str(value)  # anything else is rendered as text: scrub that text
        scrubbed = self._scrub(text)
        return value if scrubbed == text else scrubbed


def _with_context_keys(logger: WrappedLogger, method: str, event_dict: EventDict) -> EventDict:
    for key in CONTEXT_KEYS:
        event_dict.setdefault(key, None)
    return event_dict


class LoggingHandle:
    """What ``configure_logging`` installed; ``close`` removes it (tests, re-configuration)."""

    def __init__(self, handler: logging.Handler, redactor: SecretRedactor, fmt: str) -> None:
        self.handler = handler
        self.redactor = redactor
        self.format = fmt

    def close(self) -> None:
        logging.getLogger().removeHandler(self.handler)
        structlog.reset_defaults()


def configure_logging(
    fmt: LogFormat = "auto",
    *,
    level: str = "INFO",
    stream: TextIO | None = None,
    secrets: Iterable[str] = (),
) -> LoggingHandle:
    """Install the chain on the root logger and structlog; returns a handle to undo it."""
    out = stream or sys.stderr
    chosen = fmt
    if chosen == "auto":
        chosen = "console" if out.isatty() else "json"
    if chosen not in ("json", "console"):
        raise ValueError(f"invalid log format, was {fmt!r} (known: auto, json, console)")
    numeric = logging.getLevelName(level.upper())
    if not isinstance(numeric, int):
        raise ValueError(f"invalid log level, was {level!r}")
    redactor = SecretRedactor(secrets)
    shared: list[Processor] = [
        merge_contextvars,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.StackInfoRenderer(),
        structlog.processors.format_exc_info,
        _with_context_keys,
        redactor,
    ]
    renderer: Processor = (
        structlog.processors.JSONRenderer(default=str)
        if chosen == "json"
        else structlog.dev.ConsoleRenderer(colors=out.isatty())
    )
    handler = logging.StreamHandler(out)
    handler.setFormatter(
        ProcessorFormatter(
            processors=[ProcessorFormatter.remove_processors_meta, renderer],
            foreign_pre_chain=shared,
        )
    )
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(numeric)
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    return LoggingHandle(handler, redactor, chosen)


def bind_run(run_id: str, session_id: str | None = None) -> None:
    """Bind the run (and session) id for everything logged from here on in this context."""
    bind_contextvars(run_id=run_id, session_id=session_id or new_id())


@contextmanager
def cycle(
    market: str | None, *, cycle_id: str | None = None, trace_id: str | None = None
) -> Iterator[dict[str, str | None]]:
    """Log inside one unit of work (a market's rescan, a job): binds market, cycle and trace."""
    ids: MutableMapping[str, str | None] = {
        "market": market,
        "cycle_id": cycle_id or new_id(),
        "trace_id": trace_id or new_id(),
    }
    with bound_contextvars(**ids):
        yield dict(ids)


def get_logger(name: str | None = None) -> Any:
    return structlog.get_logger(name)
