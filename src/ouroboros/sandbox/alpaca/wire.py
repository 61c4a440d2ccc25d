"""How the sandbox writes Alpaca's wire values: decimal strings, RFC 3339 times, error bodies."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any


class ApiError(Exception):
    """An Alpaca error reply: HTTP status plus the JSON body ``{"code", "message", ...}``."""

    def __init__(self, status: int, code: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, message, extra

    def body(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, **self.extra}


def dec(value: Decimal | None) -> str | None:
    """A decimal as Alpaca writes it: a plain string without exponent or trailing zeros."""
    if value is None:
        return None
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def ts(value: dt.datetime | None) -> str | None:
    """RFC 3339 in UTC with microseconds and ``Z`` (alpaca-py needs the offset)."""
    if value is None:
        return None
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def to_decimal(value: Any, name: str) -> Decimal | None:
    """A number or numeric string from a request body (alpaca-py sends JSON numbers)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ApiError(422, 40010001, f"invalid {name}")
    try:
        out = Decimal(str(value))
    except InvalidOperation:
        raise ApiError(422, 40010001, f"invalid {name}") from None
    if not out.is_finite():
        raise ApiError(422, 40010001, f"invalid {name}")
    return out


def to_bool(value: str | None, default: bool = False) -> bool:
    """A query boolean: alpaca-py sends ``str(bool)`` (``True``), so compare case-insensitively."""
    if value is None or value == "":
        return default
    return value.strip().lower() in ("true", "1", "yes")


def parse_time(value: str | None, name: str) -> dt.datetime | None:
    """An RFC 3339 query time or a date; naive means UTC (as the data API reads it)."""
    if not value:
        return None
    text = value.strip().replace("Z", "+00:00").replace(" ", "+")
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ApiError(422, 42210000, f"invalid {name}: {value}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
