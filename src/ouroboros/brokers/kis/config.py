"""KIS settings, read from the environment (``KIS_*``), validated once at start.

Virtual (모의투자) is the default: pointing Ouroboros at real money takes an explicit
``KIS_VIRTUAL=false`` (or ``KIS_ENVIRONMENT=real``). Secrets are ``SecretStr`` and never appear in
a repr, a log line or an error message: :func:`load_kis_settings` rewrites pydantic's validation
errors into :class:`~ouroboros.errors.ConfigError` messages that name the env key and show the
offending value only for non-secret keys.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ouroboros.domain.ids import Venue
from ouroboros.errors import ConfigError


class KisEnvironment(Enum):
    REAL = "real"
    VIRTUAL = "virtual"


REST_BASE_URL = {
    KisEnvironment.REAL: "https://openapi.koreainvestment.com:9443",
    KisEnvironment.VIRTUAL: "https://openapivts.koreainvestment.com:29443",
}
WS_BASE_URL = {
    KisEnvironment.REAL: "ws://ops.koreainvestment.com:21000",
    KisEnvironment.VIRTUAL: "ws://ops.koreainvestment.com:31000",
}
# PK uses 19/s real (20 - 1); the reference's documented ceiling is 20/s real, 2/s virtual.
DEFAULT_RATE = {KisEnvironment.REAL: 20.0, KisEnvironment.VIRTUAL: 2.0}

_ACCOUNT = re.compile(r"^(\d{8})-(\d{2})$")
_ENV_ALIASES = {
    "real": KisEnvironment.REAL,
    "prod": KisEnvironment.REAL,
    "live": KisEnvironment.REAL,
    "virtual": KisEnvironment.VIRTUAL,
    "vps": KisEnvironment.VIRTUAL,
    "vts": KisEnvironment.VIRTUAL,
    "paper": KisEnvironment.VIRTUAL,
    "mock": KisEnvironment.VIRTUAL,
}
_SECRET_FIELDS = frozenset({"app_key", "app_secret"})


@dataclass(frozen=True, slots=True)
class KisAccount:
    """A KIS account: 8-digit ``CANO`` + 2-digit ``ACNT_PRDT_CD`` (``"01"`` = 종합)."""

    cano: str
    product_code: str

    def __post_init__(self) -> None:
        if not (len(self.cano) == 8 and self.cano.isdigit()):
            raise ValueError(f"CANO must be 8 digits, was {self.cano!r}")
        if not (len(self.product_code) == 2 and self.product_code.isdigit()):
            raise ValueError(f"ACNT_PRDT_CD must be 2 digits, was {self.product_code!r}")

    @classmethod
    def parse(cls, text: str) -> KisAccount:
        match = _ACCOUNT.match(text.strip())
        if not match:
            raise ValueError(f"account number must look like XXXXXXXX-XX, was {text!r}")
        return cls(match.group(1), match.group(2))

    def __str__(self) -> str:
        return f"{self.cano}-{self.product_code}"


class KisSettings(BaseSettings):
    """Everything the KIS adapter needs; each field's env key is ``KIS_`` + its upper-case name."""

    model_config = SettingsConfigDict(env_prefix="KIS_", extra="forbid", frozen=True)

    app_key: SecretStr
    app_secret: SecretStr
    account_no: str = Field(description="XXXXXXXX-XX")
    virtual: bool | None = None
    environment: str | None = None
    base_url: str | None = None
    ws_url: str | None = None
    hts_id: str | None = None
    rate_limit: float | None = Field(default=None, ge=0)
    order_rate_limit: float | None = Field(default=None, ge=0)
    token_dir: Path = Path("data/kis/tokens")
    use_hashkey: bool = False
    timeout: float = Field(default=10.0, gt=0)
    connect_timeout: float = Field(default=5.0, gt=0)
    custtype: str = "P"
    venues: str = "KRX,NASDAQ,NYSE,AMEX"
    market_slippage: Decimal = Field(default=Decimal("0.05"), gt=0, lt=1)
    token_min_interval: float = Field(default=60.0, ge=0)
    token_max_wait: float = Field(default=65.0, ge=0)

    @field_validator("account_no")
    @classmethod
    def _account(cls, value: str) -> str:
        if not _ACCOUNT.match(value.strip()):
            raise ValueError("must look like XXXXXXXX-XX (8 digits, dash, 2 digits)")
        return value.strip()

    @field_validator("environment")
    @classmethod
    def _environment(cls, value: str | None) -> str | None:
        if value is not None and value.strip().lower() not in _ENV_ALIASES:
            raise ValueError(f"must be one of {sorted(_ENV_ALIASES)}")
        return None if value is None else value.strip().lower()

    @field_validator("custtype")
    @classmethod
    def _custtype(cls, value: str) -> str:
        if value not in ("P", "B"):
            raise ValueError("must be P (individual) or B (corporate)")
        return value

    @field_validator("venues")
    @classmethod
    def _venues(cls, value: str) -> str:
        for part in value.split(","):
            if part.strip():
                Venue.parse(part)
        return value

    @model_validator(mode="after")
    def _consistent_environment(self) -> KisSettings:
        if self.environment is not None and self.virtual is not None:
            from_env = _ENV_ALIASES[self.environment] is KisEnvironment.VIRTUAL
            if from_env != self.virtual:
                raise ValueError(
                    f"KIS_VIRTUAL={self.virtual} contradicts KIS_ENVIRONMENT={self.environment}"
                )
        return self

    @property
    def env(self) -> KisEnvironment:
        if self.environment is not None:
            return _ENV_ALIASES[self.environment]
        if self.virtual is False:
            return KisEnvironment.REAL
        return KisEnvironment.VIRTUAL

    @property
    def is_virtual(self) -> bool:
        return self.env is KisEnvironment.VIRTUAL

    @property
    def account(self) -> KisAccount:
        return KisAccount.parse(self.account_no)

    @property
    def rest_url(self) -> str:
        return (self.base_url or REST_BASE_URL[self.env]).rstrip("/")

    @property
    def websocket_url(self) -> str:
        return (self.ws_url or WS_BASE_URL[self.env]).rstrip("/")

    @property
    def requests_per_second(self) -> float | None:
        """The app-key-wide request budget; ``None`` (``KIS_RATE_LIMIT=0``) disables limiting."""
        rate = DEFAULT_RATE[self.env] if self.rate_limit is None else self.rate_limit
        return rate or None

    @property
    def venue_set(self) -> frozenset[Venue]:
        return frozenset(Venue.parse(p) for p in self.venues.split(",") if p.strip())


def _describe(error: dict[str, Any]) -> str:
    loc = error.get("loc") or ()
    field = str(loc[0]) if loc else ""
    key = f"KIS_{field.upper()}" if field else "KIS settings"
    message = str(error.get("msg", "invalid"))
    if error.get("type") == "missing":
        return f"{key} is required but was not set"
    if field in _SECRET_FIELDS:
        return f"{key}: {message} (value hidden)"
    return f"{key}: {message}, was {error.get('input')!r}"


def load_kis_settings(**overrides: Any) -> KisSettings:
    """Read and validate the KIS settings; invalid values raise :class:`ConfigError`.

    Keyword overrides win over the environment (tests and the sandbox use them).
    """
    try:
        return KisSettings(**overrides)
    except ValidationError as exc:
        problems = "; ".join(_describe(dict(e)) for e in exc.errors(include_url=False))
        raise ConfigError(f"invalid KIS configuration: {problems}") from None
