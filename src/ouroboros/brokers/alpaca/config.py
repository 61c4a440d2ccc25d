"""Alpaca settings from ``ALPACA_*`` (reference §1).

``ALPACA_PAPER`` (default true) picks the paper hosts; live trading also needs
``OUROBOROS_CONFIRM_REAL_MONEY=yes``, as KIS real accounts do, or the settings do not load.
URL overrides point the adapter at the sandbox (``ouroboros alpaca-sandbox`` prints them).
"""

from __future__ import annotations

from typing import Any

from pydantic import (
    AliasChoices,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from ouroboros.errors import ConfigError

CONFIRM_REAL = "OUROBOROS_CONFIRM_REAL_MONEY"
TRADING_URL = {True: "https://paper-api.alpaca.markets", False: "https://api.alpaca.markets"}
STREAM_URL = {
    True: "wss://paper-api.alpaca.markets/stream",
    False: "wss://api.alpaca.markets/stream",
}
DATA_URL = "https://data.alpaca.markets"
DATA_STREAM_URL = "wss://stream.data.alpaca.markets/v2"
FEEDS = frozenset({"iex", "sip"})
_SECRET_FIELDS = frozenset({"api_key", "secret_key"})


class AlpacaSettings(BaseSettings):
    """Everything the Alpaca adapter needs; env keys are ``ALPACA_`` + the upper-case name."""

    model_config = SettingsConfigDict(env_prefix="ALPACA_", extra="ignore", frozen=True)

    api_key: SecretStr
    secret_key: SecretStr
    paper: bool = True
    base_url: str | None = None
    data_url: str | None = None
    stream_url: str | None = None
    data_stream_url: str | None = None
    feed: str = "iex"
    requests_per_minute: float = Field(default=190, gt=0, le=200)
    """Client-side pacing, kept under Alpaca's 200/min so a 429 is the exception."""
    timeout: float = Field(default=10.0, gt=0)
    confirm_real_money: str = Field(
        default="", validation_alias=AliasChoices(CONFIRM_REAL, "confirm_real_money")
    )

    @field_validator("feed")
    @classmethod
    def _feed(cls, value: str) -> str:
        if value.lower() not in FEEDS:
            raise ValueError(f"must be one of {sorted(FEEDS)}")
        return value.lower()

    @model_validator(mode="after")
    def _live_is_confirmed(self) -> AlpacaSettings:
        if not self.paper and self.confirm_real_money.strip().lower() != "yes":
            raise ValueError(
                f"ALPACA_PAPER=false trades real money; set {CONFIRM_REAL}=yes to confirm"
            )
        return self

    @property
    def trading_url(self) -> str:
        return (self.base_url or TRADING_URL[self.paper]).rstrip("/")

    @property
    def market_data_url(self) -> str:
        return (self.data_url or DATA_URL).rstrip("/")

    @property
    def trade_stream_url(self) -> str:
        return self.stream_url or STREAM_URL[self.paper]

    @property
    def market_stream_url(self) -> str:
        return self.data_stream_url or f"{DATA_STREAM_URL}/{self.feed}"


def _describe(error: dict[str, Any]) -> str:
    loc = error.get("loc") or ()
    field = str(loc[0]) if loc else ""
    key = f"ALPACA_{field.upper()}" if field else "Alpaca settings"
    message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
    if error.get("type") == "missing":
        return f"{key} is required but was not set"
    if field in _SECRET_FIELDS:
        return f"{key}: {message} (value hidden)"
    if not field:
        return message
    return f"{key}: {message}, was {error.get('input')!r}"


def load_alpaca_settings(**overrides: Any) -> AlpacaSettings:
    """Read and validate the settings; invalid values raise :class:`ConfigError`."""
    try:
        return AlpacaSettings(**overrides)
    except ValidationError as exc:
        problems = "; ".join(_describe(dict(e)) for e in exc.errors(include_url=False))
        raise ConfigError(f"invalid Alpaca configuration: {problems}") from None
