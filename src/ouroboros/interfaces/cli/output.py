"""Shared output helpers: machine-readable JSON on stdout, human text through Rich.

Every ``--json`` command prints exactly one object: ``{"ok": true, ...}`` on success, and on
failure ``{"ok": false, "error": {"code", "exit_code", "message"}, ...}`` (with whatever the
command could still report, e.g. the audit's problems). Money is a string, ratios are floats
rounded to :data:`RATIO_PLACES` places, durations are ``elapsed_s`` in seconds.
"""

from __future__ import annotations

import json
import math
import sys
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

from rich.console import Console

from ouroboros.interfaces.cli.errors import Verdict, mark_json_emitted

console = Console()
err_console = Console(stderr=True)

RATIO_PLACES = 4
"""Decimal places of every ratio and percentage in JSON output (stated in the schemas)."""


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


def ratio(value: float | None, places: int = RATIO_PLACES) -> float | None:
    """A ratio for JSON: rounded to ``places``; NaN and infinities (undefined) become null."""
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), places)


def emit_json(payload: dict[str, Any], failure: Verdict | None = None) -> None:
    """Write the command's one JSON object to stdout (and nothing else), for scripts and pipes.

    ``ok`` is true exactly when the command exits 0; a ``failure`` adds the error object."""
    body: dict[str, Any] = {"ok": failure is None}
    if failure is not None:
        body["error"] = failure.as_json()["error"]
    body.update({k: v for k, v in payload.items() if k not in ("ok", "error")})
    sys.stdout.write(json.dumps(body, default=_default, ensure_ascii=False, indent=2))
    sys.stdout.write("\n")
    sys.stdout.flush()
    mark_json_emitted()
