"""Shared output helpers: machine-readable JSON on stdout, human text through Rich."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import Enum
from pathlib import Path
from typing import Any

import typer
from rich.console import Console

console = Console()
err_console = Console(stderr=True)


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def emit_json(payload: Any) -> None:
    """Write one JSON document to stdout (and nothing else), for scripts and pipes."""
    sys.stdout.write(json.dumps(payload, default=_default, ensure_ascii=False, indent=2))
    sys.stdout.write("\n")
    sys.stdout.flush()


def decimal_option(text: str, option: str) -> Decimal:
    """Parse a numeric CLI option exactly; a bad value names the option and what it was."""
    try:
        return Decimal(text)
    except InvalidOperation:
        raise typer.BadParameter(f"{option} must be a number, was {text!r}") from None
