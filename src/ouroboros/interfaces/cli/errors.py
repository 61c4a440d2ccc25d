"""The command line's one error boundary: every expected failure becomes one line and an exit code.

Exit codes (documented in the README):

* 0   success
* 1   failed: the command ran and could not finish (disk full, locked database, a run whose
      report could not be written, an unexpected internal error)
* 2   bad input or configuration: an option, a file, a database URL or a database that is not
      what the command needs (the message names it)
* 3   an external service is unreachable (PostgreSQL, KIS, a broker's rate limit or 5xx)
* 4   the audit found problems in the stored books
* 130 interrupted (Ctrl-C)
* 141 the reader of stdout went away (``ouroboros ... | head``); nothing is printed

``--debug`` anywhere on the command line, or ``OUROBOROS_DEBUG=1``, re-raises instead so the
traceback shows. With ``--json`` the failure is also one JSON object on stdout:
``{"ok": false, "error": {"code": "bad_input", "exit_code": 2, "message": "..."}}``.

Commands name what they work on with :func:`note_input` (``--db``, ``--data``, ``--report``),
so a database or file error says which option it came from; URLs are always shown masked.
This module imports nothing heavy: it is on the path of ``ouroboros --help``.
"""

from __future__ import annotations

import errno
import json
import os
import sys
import time
from dataclasses import dataclass
from decimal import DecimalException
from enum import IntEnum
from pathlib import Path
from typing import Any

from ouroboros.errors import (
    ConfigError,
    DataError,
    OuroborosError,
    RetryError,
)


class ExitCode(IntEnum):
    OK = 0
    FAILED = 1
    BAD_INPUT = 2
    UNAVAILABLE = 3
    AUDIT_PROBLEMS = 4
    INTERRUPTED = 130
    BROKEN_PIPE = 141


CODE_NAMES = {
    ExitCode.FAILED: "failed",
    ExitCode.BAD_INPUT: "bad_input",
    ExitCode.UNAVAILABLE: "unavailable",
    ExitCode.AUDIT_PROBLEMS: "audit_problems",
    ExitCode.INTERRUPTED: "interrupted",
}

DEBUG_ENV = "OUROBOROS_DEBUG"

_STARTED = [time.perf_counter()]
"""When the command started (this module is among the first the CLI imports)."""
_COMMANDS = [0]


def command_started() -> float:
    """``perf_counter`` at the command's start: ``elapsed_s`` counts from here, imports included."""
    return _STARTED[0]


class CliFailure(OuroborosError):
    """A failure a command reports itself, with the exit code it means."""

    def __init__(self, message: str, code: ExitCode = ExitCode.FAILED) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class Verdict:
    code: ExitCode
    message: str

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": False,
            "error": {
                "code": CODE_NAMES.get(self.code, "failed"),
                "exit_code": int(self.code),
                "message": self.message,
            },
        }


_JSON_EMITTED: list[bool] = [False]
"""Whether this command already printed its one JSON object (then a failure adds none)."""

_INPUTS: dict[str, str] = {}
"""Option -> what the command is working on (a masked URL or a path), for error messages."""


def note_input(option: str, value: str | Path) -> None:
    """Remember that ``option`` named ``value``; errors about it will say so."""
    _INPUTS[option] = str(value)


def reset_inputs() -> None:
    """A new command starts (the boundary calls this; in-process tests run several)."""
    _INPUTS.clear()
    _JSON_EMITTED[0] = False
    if _COMMANDS[0]:  # a second command in one process (tests): it starts now
        _STARTED[0] = time.perf_counter()
    _COMMANDS[0] += 1


def mark_json_emitted() -> None:
    _JSON_EMITTED[0] = True


def debug_requested(argv: list[str]) -> bool:
    return "--debug" in argv or os.environ.get(DEBUG_ENV, "").strip().lower() in (
        "1",
        "true",
        "yes",
    )


def _first_line(text: str) -> str:
    for line in text.strip().splitlines():
        if line.strip():
            return line.strip()
    return text.strip()


def _mask(text: str) -> str:
    from ouroboros.store.url import mask_url

    return mask_url(text)


def _db_prefix() -> str:
    url = _INPUTS.get("--db")
    return f"--db {url}: " if url else "database: "


def _path_prefix(filename: object) -> str:
    if filename is None:
        return ""
    name = str(filename)
    for option, value in _INPUTS.items():
        if option == "--db":
            continue
        if value and (name == value or name.startswith(value.rstrip("/") + "/")):
            return f"{option} {name}: "
    return f"{name}: "


_OS_REASONS: dict[int, tuple[ExitCode, str]] = {
    errno.ENOSPC: (ExitCode.FAILED, "no space left on the device"),
    errno.EDQUOT: (ExitCode.FAILED, "disk quota exceeded"),
    errno.EFBIG: (ExitCode.FAILED, "file too large"),
    errno.EACCES: (ExitCode.BAD_INPUT, "permission denied"),
    errno.EPERM: (ExitCode.BAD_INPUT, "operation not permitted"),
    errno.EROFS: (ExitCode.BAD_INPUT, "read-only file system"),
    errno.ENOENT: (ExitCode.BAD_INPUT, "no such file or directory"),
    errno.EISDIR: (ExitCode.BAD_INPUT, "is a directory, expected a file"),
    errno.ENOTDIR: (ExitCode.BAD_INPUT, "not a directory"),
    errno.EEXIST: (ExitCode.BAD_INPUT, "already exists"),
    errno.EADDRINUSE: (ExitCode.BAD_INPUT, "address already in use"),
    errno.EADDRNOTAVAIL: (ExitCode.BAD_INPUT, "address not available"),
    errno.ECONNREFUSED: (ExitCode.UNAVAILABLE, "connection refused"),
    errno.EHOSTUNREACH: (ExitCode.UNAVAILABLE, "host unreachable"),
    errno.ENETUNREACH: (ExitCode.UNAVAILABLE, "network unreachable"),
    errno.ETIMEDOUT: (ExitCode.UNAVAILABLE, "timed out"),
}


def _os_verdict(exc: OSError) -> Verdict:
    code, reason = _OS_REASONS.get(exc.errno or -1, (ExitCode.FAILED, ""))
    if isinstance(exc, ConnectionError) and not reason:
        code, reason = ExitCode.UNAVAILABLE, "connection failed"
    reason = reason or exc.strerror or _first_line(str(exc)) or type(exc).__name__
    return Verdict(code, f"{_path_prefix(exc.filename)}{reason}")


# Substrings of driver messages (SQLite, psycopg) -> exit code and a plain reason.
_DB_REASONS: tuple[tuple[str, ExitCode, str], ...] = (
    ("file is not a database", ExitCode.BAD_INPUT, "not a database (file is not SQLite)"),
    ("database disk image is malformed", ExitCode.BAD_INPUT, "the database file is damaged"),
    ("unable to open database file", ExitCode.BAD_INPUT, "cannot open the database file"),
    ("readonly database", ExitCode.BAD_INPUT, "the database is read-only"),
    ("read-only", ExitCode.BAD_INPUT, "the database is read-only"),
    ("database is locked", ExitCode.FAILED, "the database is locked by another process"),
    ("database table is locked", ExitCode.FAILED, "the database is locked by another process"),
    ("disk is full", ExitCode.FAILED, "no space left on the device"),
    ("disk i/o error", ExitCode.FAILED, "disk I/O error (is the disk full or failing?)"),
    ("password authentication failed", ExitCode.BAD_INPUT, "password authentication failed"),
    ("does not exist", ExitCode.BAD_INPUT, ""),
    ("connection refused", ExitCode.UNAVAILABLE, "server unreachable (connection refused)"),
    ("could not connect", ExitCode.UNAVAILABLE, "server unreachable"),
    ("could not translate host name", ExitCode.UNAVAILABLE, "unknown host"),
    ("timeout expired", ExitCode.UNAVAILABLE, "server unreachable (timeout)"),
    ("server closed the connection", ExitCode.UNAVAILABLE, "the server closed the connection"),
    ("no route to host", ExitCode.UNAVAILABLE, "server unreachable (no route to host)"),
)


def _db_verdict(exc: BaseException) -> Verdict:
    orig = getattr(exc, "orig", None)
    raw = _first_line(str(orig) if orig is not None else str(exc))
    text = _mask(raw)
    lower = text.lower()
    if "no such table" in lower or ("relation" in lower and "does not exist" in lower):
        table = text.split(":", 1)[-1].strip() if "no such table" in lower else text
        return Verdict(
            ExitCode.BAD_INPUT,
            f"{_db_prefix()}the database is missing a table ({table}); it was not made by "
            "`ouroboros db upgrade` or is damaged",
        )
    for needle, code, reason in _DB_REASONS:
        if needle in lower:
            return Verdict(code, f"{_db_prefix()}{reason or text}")
    return Verdict(ExitCode.FAILED, f"{_db_prefix()}{text}")


def _is_db_error(exc: BaseException) -> bool:
    module = type(exc).__module__
    return module.startswith("sqlalchemy") or module.startswith(("sqlite3", "psycopg"))


def _is_http_transport(exc: BaseException) -> bool:
    module = type(exc).__module__
    return module.startswith(("httpx", "httpcore", "websockets")) and (
        "Connect" in type(exc).__name__
        or "Timeout" in type(exc).__name__
        or "Network" in type(exc).__name__
    )


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen and len(seen) < 10:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


_REGISTERED: dict[type[BaseException], ExitCode] = {}


def register_exit_code(cls: type[BaseException], code: ExitCode) -> None:
    """Map an exception class of a heavier module (the store, a broker) to an exit code; the
    command module that imports it registers it, so this module stays light."""
    _REGISTERED[cls] = code


def _registered(exc: BaseException) -> ExitCode | None:
    for cls in type(exc).__mro__:
        if cls in _REGISTERED:
            return _REGISTERED[cls]
    return None


def _class_code(exc: BaseException) -> ExitCode:
    registered = _registered(exc)
    if registered is not None:
        return registered
    if isinstance(exc, ConfigError | DataError):
        return ExitCode.BAD_INPUT
    if isinstance(exc, RetryError):
        return ExitCode.UNAVAILABLE
    if isinstance(exc, OuroborosError):
        return ExitCode.FAILED
    if isinstance(exc, OverflowError | DecimalException | ValueError | LookupError):
        return ExitCode.BAD_INPUT
    return ExitCode.FAILED


def classify(exc: BaseException) -> Verdict:
    """The exit code and one-line message for ``exc``.

    A database, file-system or network error anywhere in the cause chain decides the class (a
    locked database wrapped in a retry error is still a locked database); the message is ours
    when we raised a named error around it, the driver's (masked, first line) otherwise.
    """
    if isinstance(exc, CliFailure):
        return Verdict(exc.code, _first_line(str(exc)))
    if isinstance(exc, KeyboardInterrupt):
        return Verdict(ExitCode.INTERRUPTED, "interrupted")
    ours = isinstance(exc, OuroborosError)
    message = _mask(_first_line(str(exc))) or type(exc).__name__
    for item in _chain(exc):
        if _is_db_error(item) and not isinstance(item, OSError):
            return _db_verdict(item)
        if isinstance(item, OSError):
            verdict = _os_verdict(item)
            return Verdict(verdict.code, message) if ours and item is not exc else verdict
        if _is_http_transport(item):
            return Verdict(
                ExitCode.UNAVAILABLE, f"service unreachable: {_mask(_first_line(str(item)))}"
            )
    code = _class_code(exc)
    if isinstance(exc, OverflowError | DecimalException) and not ours:
        detail = message if not message.startswith("[<class") else type(exc).__name__
        return Verdict(code, f"a number is out of range ({detail})")
    if isinstance(exc, MemoryError):
        return Verdict(ExitCode.FAILED, "out of memory (is an option absurdly large?)")
    if code is ExitCode.FAILED and not ours and _registered(exc) is None:
        return Verdict(
            code,
            f"internal error: {type(exc).__name__}: {message} "
            "(rerun with --debug for the traceback)",
        )
    return Verdict(code, message)


def report(verdict: Verdict, *, json_output: bool) -> None:
    """Print the failure: one line on stderr, and with ``--json`` one object on stdout."""
    line = verdict.message.replace("\n", " ")
    label = "interrupted" if verdict.code is ExitCode.INTERRUPTED else "error"
    sys.stderr.write(f"{label}: {line}\n" if line != label else f"{label}\n")
    sys.stderr.flush()
    if json_output and not _JSON_EMITTED[0]:
        _JSON_EMITTED[0] = True
        sys.stdout.write(json.dumps(verdict.as_json(), ensure_ascii=False) + "\n")
        sys.stdout.flush()
