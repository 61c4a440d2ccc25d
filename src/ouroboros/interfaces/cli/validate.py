"""Options checked at the door: every error names the option and what it was given.

These run before any file, database or network is touched, so a bad option costs nothing and
leaves nothing behind. Each raises ``typer.BadParameter`` (exit 2 through the error boundary).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation

import typer

MAX_CASH = Decimal("1e15")
"""Larger starting balances are refused: beyond it every money column overflows its scale."""

MAX_RATE = Decimal("0.5")
"""Commission, spread and slippage above 50 % are typos, not cost models."""


def bad(option: str, message: str) -> typer.BadParameter:
    return typer.BadParameter(message, param_hint=option)


def parse_date(text: str | None, option: str) -> date | None:
    """``YYYY-MM-DD`` or None; an invalid date names the option (``--end 2013-13-45``)."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise bad(option, f"must be a date YYYY-MM-DD, was {text!r} ({exc})") from None


def date_window(start: date | None, end: date | None) -> None:
    if start is not None and end is not None and start > end:
        raise bad("--start", f"{start} is after --end {end}")


def number(text: str, option: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise bad(option, f"must be a number, was {text!r}") from None
    if not value.is_finite():
        raise bad(option, f"must be a finite number, was {text!r}")
    return value


def cash_amount(text: str, option: str = "--cash") -> Decimal:
    value = number(text, option)
    if not 0 < value <= MAX_CASH:
        raise bad(option, f"must be positive and at most {MAX_CASH:,.0f}, was {text!r}")
    return value


def rate(text: str, option: str) -> Decimal:
    """A cost rate (commission, spread, slippage): 0 <= rate <= 0.5."""
    value = number(text, option)
    if not 0 <= value <= MAX_RATE:
        raise bad(option, f"must be a fraction between 0 and {MAX_RATE}, was {text!r}")
    return value


def sizing(text: str, option: str = "--sizing") -> str:
    """Refuse what ``Sizing.parse`` would silently floor: ``fixed:1.99`` is not a share count."""
    kind, sep, value = text.strip().lower().partition(":")
    if kind == "fixed" and sep:
        try:
            shares = Decimal(value)
        except InvalidOperation:
            raise bad(option, f"fixed:N needs a whole share count, was {text!r}") from None
        if not shares.is_finite() or shares != shares.to_integral_value() or shares <= 0:
            raise bad(option, f"fixed:N needs a whole share count of at least 1, was {text!r}")
    return text


def markets(text: str, option: str = "--markets") -> tuple[str, ...]:
    """Market codes in the order given, each once; unknown codes list the valid ones."""
    from ouroboros.markets.codes import MarketCode

    valid = [m.value for m in MarketCode]
    codes: list[str] = []
    for raw in text.split(","):
        code = raw.strip().upper()
        if not code:
            continue
        if code not in valid:
            raise bad(option, f"unknown market {raw.strip()!r} (valid: {', '.join(valid)})")
        if code not in codes:
            codes.append(code)
    if not codes:
        raise bad(option, f"needs at least one market code (valid: {', '.join(valid)})")
    return tuple(codes)


def currency(text: str, option: str = "--base-currency") -> str:
    from ouroboros.domain.currency import Currency

    code = text.strip().upper()
    valid = [c.value for c in Currency]
    if code not in valid:
        raise bad(option, f"unknown currency {text!r} (valid: {', '.join(valid)})")
    return code


def risk_env_conflicts(environ: Mapping[str, str] | None = None) -> None:
    """Refuse two spellings of one risk setting with different values (e.g. the canonical
    ``TA_MAX_POSITION_PCT`` and the seed's ``MAX_POSITION_SIZE_PERCENT``): which one wins must
    not be a silent rule. Equal values are accepted."""
    from pydantic import AliasChoices

    from ouroboros.errors import ConfigError
    from ouroboros.risk import RiskSettings

    env = {k.upper(): v for k, v in (os.environ if environ is None else environ).items()}
    for name, info in RiskSettings.model_fields.items():
        alias = info.validation_alias
        if not isinstance(alias, AliasChoices):
            continue
        spellings = [str(choice).upper() for choice in alias.choices]
        given = {s: env[s].strip() for s in spellings if s in env}
        if len(set(given.values())) > 1:
            listed = ", ".join(f"{k}={v!r}" for k, v in given.items())
            raise ConfigError(
                f"risk setting {name} is given twice with different values ({listed}); "
                f"keep one (the canonical name is {spellings[0]})"
            )
