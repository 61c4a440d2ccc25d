"""Rows to JSON-ready values: decimals as exact strings, times as ISO-8601 with offset."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from ouroboros.errors import InvariantError

SECRET_KEY = re.compile(
    r"(^|_)(token|secret|password|passwd|appkey|app_key|appsecret|api_key)$", re.IGNORECASE
)
"""Keys that name a credential (``api_token``, ``appsecret``...), not ``token_count``."""


def jsonable(value: Any) -> Any:
    """``value`` with every decimal, time and enum turned into a JSON string, NaN/inf floats
    into ``None``, and every key that names a secret masked, so no read model can leak a
    credential by accident."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None  # JSON has no NaN/inf; a missing indicator value reads as null
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): _masked(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def _masked(key: str, value: Any) -> Any:
    if value not in (None, "") and SECRET_KEY.search(key):
        return "***"
    return jsonable(value)


def row(mapping: Mapping[Any, Any]) -> dict[str, Any]:
    out = jsonable(dict(mapping))
    if not isinstance(out, dict):
        raise InvariantError(f"a JSON object was expected, was {type(out).__name__}")
    return out
