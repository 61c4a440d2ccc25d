"""The agent's settings: one typed tree from the environment, a ``.env`` file and a YAML file.

``load_config`` reads, in increasing precedence, an optional YAML file (a flat mapping of the
same names), an optional ``.env`` file, the process environment and explicit overrides (CLI
flags). Names are the seeds' environment names (``MODE``, ``ENABLED_MARKETS``,
``PRE_MARKET_MINUTES``, ...), case-insensitive. It validates two settings classes from the
merged values - :class:`AgentSettings` (this module) and
:class:`~ouroboros.risk.settings.RiskSettings` (every risk and breaker limit) - and keeps the
keys of adapters the caller names (``KIS_*``) for them, secrets wrapped in ``SecretStr``.

Unknown keys in the files are rejected (the process environment is only read for known keys);
any invalid value raises one :class:`~ouroboros.errors.ConfigError` whose single line names
each bad key, its value (hidden for secrets) and the file it came from.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
import os
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

import yaml
from dotenv import dotenv_values
from pydantic import (
    Field,
    SecretStr,
    ValidationError,
    field_serializer,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from ouroboros.agent.secrets import MIN_SECRET_VALUE_LENGTH, is_secret_key
from ouroboros.domain import Currency
from ouroboros.errors import ConfigError
from ouroboros.markets import MarketCode
from ouroboros.risk import RiskSettings

FxPair = tuple[Currency, Currency]

#: Shorthands accepted in ``ENABLED_MARKETS`` (seed 000 writes ``KR,US``).
MARKET_GROUPS: Mapping[str, tuple[MarketCode, ...]] = MappingProxyType(
    {
        "US": (MarketCode.US_NASDAQ, MarketCode.US_NYSE, MarketCode.US_AMEX),
        "CN": (MarketCode.CN_SHA, MarketCode.CN_SZA),
        "VN": (MarketCode.VN_HNX, MarketCode.VN_HSX),
    }
)


class AgentSettings(BaseSettings):
    """The session driver's settings; each field's environment name is its alias.

    Built only through :func:`load_config` (which merges the sources); see docs/agent.md for
    every key, its default and its seed.
    """

    model_config = SettingsConfigDict(extra="forbid", frozen=True, case_sensitive=False)

    # Trading mode.
    mode: Literal["paper", "live"] = Field("paper", validation_alias="MODE")
    trade_mode: Literal["daily", "realtime"] = Field("daily", validation_alias="TRADE_MODE")
    enabled_markets: tuple[MarketCode, ...] = Field(
        (MarketCode.KR, *MARKET_GROUPS["US"]), validation_alias="ENABLED_MARKETS"
    )
    rate_limit_rps: Decimal = Field(Decimal(2), gt=0, validation_alias="RATE_LIMIT_RPS")
    # Market lifecycle.
    pre_market_minutes: int = Field(30, ge=1, le=720, validation_alias="PRE_MARKET_MINUTES")
    rescan_interval_seconds: int = Field(
        300, ge=10, le=86_400, validation_alias="RESCAN_INTERVAL_SECONDS"
    )
    trade_premarket: bool = Field(False, validation_alias="TRADE_PREMARKET")
    trade_afterhours: bool = Field(False, validation_alias="TRADE_AFTERHOURS")
    premarket_start: dt.time = Field(dt.time(4, 0), validation_alias="PREMARKET_START")
    afterhours_end: dt.time = Field(dt.time(20, 0), validation_alias="AFTERHOURS_END")
    early_close_buffer_minutes: int = Field(
        30, ge=0, le=240, validation_alias="EARLY_CLOSE_BUFFER_MINUTES"
    )
    # Scheduler.
    reconcile_interval_minutes: int = Field(
        30, ge=1, le=1440, validation_alias="RECONCILE_INTERVAL_MINUTES"
    )
    # Health.
    heartbeat_interval_seconds: int = Field(
        60, ge=1, le=3600, validation_alias="HEARTBEAT_INTERVAL_SECONDS"
    )
    alert_after_missed_heartbeats: int = Field(
        3, ge=1, validation_alias="ALERT_AFTER_MISSED_HEARTBEATS"
    )
    network_failure_threshold: int = Field(3, ge=1, validation_alias="NETWORK_FAILURE_THRESHOLD")
    network_timeout_seconds: Decimal = Field(
        Decimal(5), gt=0, validation_alias="NETWORK_TIMEOUT_SECONDS"
    )
    max_data_age_minutes: int = Field(15, ge=1, validation_alias="MAX_DATA_AGE_MINUTES")
    max_daily_change_pct: Decimal = Field(
        Decimal(50), gt=0, validation_alias="MAX_DAILY_CHANGE_PCT"
    )
    # FX.
    fx_rates: dict[FxPair, Decimal] = Field(default_factory=dict, validation_alias="FX_RATES")
    fx_fallback_rates: dict[FxPair, Decimal] = Field(
        default_factory=lambda: {(Currency.USD, Currency.KRW): Decimal(1450)},
        validation_alias="FX_FALLBACK_RATES",
    )
    fx_update_interval_minutes: int = Field(
        60, ge=1, le=1440, validation_alias="FX_UPDATE_INTERVAL_MINUTES"
    )
    fx_max_age_minutes: int = Field(120, ge=1, validation_alias="FX_MAX_AGE_MINUTES")
    # Logs.
    log_format: Literal["auto", "json", "console"] = Field("auto", validation_alias="LOG_FORMAT")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", validation_alias="LOG_LEVEL"
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)  # load_config merges the sources, once, for every class

    @field_validator("enabled_markets", mode="before")
    @classmethod
    def _markets(cls, value: Any) -> Any:
        items = value.split(",") if isinstance(value, str) else value
        if not isinstance(items, list | tuple):
            return value
        codes: list[MarketCode] = []
        for item in items:
            text = str(item).strip()
            if not text:
                continue
            group = MARKET_GROUPS.get(text.upper())
            for code in group or (MarketCode.parse(text),):
                if code not in codes:
                    codes.append(code)
        if not codes:
            raise ValueError("name at least one market")
        return tuple(codes)

    @field_validator("fx_rates", "fx_fallback_rates", mode="before")
    @classmethod
    def _rates(cls, value: Any) -> Any:
        if isinstance(value, str):
            entries = [e.split("=", 1) for e in value.split(",") if e.strip()]
            if any(len(e) != 2 for e in entries):
                raise ValueError("write rates as BASE/QUOTE=RATE, e.g. USD/KRW=1450")
            value = dict(entries)
        if not isinstance(value, Mapping):
            return value
        rates: dict[FxPair, Decimal] = {}
        for pair, rate in value.items():
            pair = tuple(pair) if isinstance(pair, tuple | list) else str(pair).split("/")
            if len(pair) != 2:
                raise ValueError(f"FX pair must look like USD/KRW, was {pair!r}")
            base, quote = (c if isinstance(c, Currency) else Currency.parse(str(c)) for c in pair)
            amount = Decimal(str(rate).strip())
            if base is quote or not amount.is_finite() or amount <= 0:
                raise ValueError(f"rate {base.value}/{quote.value} must be positive, was {rate}")
            rates[(base, quote)] = amount
        return rates

    @model_validator(mode="after")
    def _consistent(self) -> AgentSettings:
        if self.premarket_start >= dt.time(9, 30):
            raise ValueError("PREMARKET_START must be before the 09:30 US open")
        if self.afterhours_end <= dt.time(16, 0):
            raise ValueError("AFTERHOURS_END must be after the 16:00 US close")
        return self

    @field_serializer("fx_rates", "fx_fallback_rates")
    def _show_rates(self, rates: dict[FxPair, Decimal]) -> dict[str, str]:
        return {f"{b.value}/{q.value}": str(r) for (b, q), r in sorted(rates.items(), key=str)}

    @property
    def rescan_interval(self) -> dt.timedelta:
        return dt.timedelta(seconds=self.rescan_interval_seconds)


@dataclass(frozen=True, slots=True)
class AgentConfig:
    """The loaded tree: agent and risk settings, adapter keys, and where each key came from."""

    agent: AgentSettings
    risk: RiskSettings
    adapter_values: Mapping[str, str | SecretStr] = field(default_factory=dict)
    """Keys the caller declared for adapters (``KIS_APP_KEY`` ...), secrets as ``SecretStr``."""
    origins: Mapping[str, str] = field(default_factory=dict)
    """Upper-case key -> ``env``, ``override``, or the file it was read from."""

    @property
    def config_hash(self) -> str:
        """A stable digest of the effective configuration, to store with every run.

        Equal settings give equal hashes whatever their source, order or spelling; secret
        values are left out (only whether each is set counts), so rotating a key keeps it.
        """
        adapters = {
            k: "<set>" if isinstance(v, SecretStr) else v for k, v in self.adapter_values.items()
        }
        payload = {
            "agent": self.agent.model_dump(mode="json"),
            "risk": self.risk.model_dump(mode="json"),
            "adapters": adapters,
        }
        text = json.dumps(payload, sort_keys=True, default=str, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def secret_values(self) -> frozenset[str]:
        """Every secret value long enough to search for in log text (see agent.logs)."""
        return frozenset(
            s
            for v in self.adapter_values.values()
            if isinstance(v, SecretStr)
            and len(s := v.get_secret_value()) >= MIN_SECRET_VALUE_LENGTH
        )


def _aliases(cls: type[BaseSettings]) -> set[str]:
    names: set[str] = set()
    for info in cls.model_fields.values():
        alias = info.validation_alias
        if isinstance(alias, str):
            names.add(alias.upper())
        elif alias is not None:
            names.update(str(c).upper() for c in getattr(alias, "choices", ()))
    return names


AGENT_KEYS = frozenset(_aliases(AgentSettings))
RISK_KEYS = frozenset(_aliases(RiskSettings))


def load_config(
    *,
    yaml_file: Path | None = None,
    env_file: Path | None = None,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
    adapter_keys: Collection[str] = (),
) -> AgentConfig:
    """Merge the sources (YAML < ``.env`` < environment < overrides) and validate them.

    ``environ`` defaults to ``os.environ``; ``adapter_keys`` names the keys other settings
    classes own (e.g. every ``KIS_*`` key of the broker settings), which are passed through.
    """
    adapters = frozenset(k.upper() for k in adapter_keys)
    known = AGENT_KEYS | RISK_KEYS | adapters
    values: dict[str, Any] = {}
    origins: dict[str, str] = {}
    layers: list[tuple[str, Mapping[str, Any]]] = []
    if yaml_file is not None:
        layers.append((str(yaml_file), _read_yaml(yaml_file)))
    if env_file is not None:
        layers.append((str(env_file), _read_dotenv(env_file)))
    for origin, layer in layers:
        _reject_unknown(layer, known, origin)
    env = os.environ if environ is None else environ
    layers.append(("env", {k: v for k, v in env.items() if k.upper() in known}))
    if overrides:
        _reject_unknown(overrides, known, "overrides")
        layers.append(("override", overrides))
    for origin, layer in layers:
        for key, value in layer.items():
            values[key.upper()] = value
            origins[key.upper()] = origin
    agent = _validate_agent({k: v for k, v in values.items() if k in AGENT_KEYS}, origins)
    risk = _validate_risk({k: v for k, v in values.items() if k in RISK_KEYS}, origins)
    passed_on: dict[str, str | SecretStr] = {}
    for key in sorted(adapters & values.keys()):
        text = str(values[key])
        passed_on[key] = SecretStr(text) if is_secret_key(key) else text
    return AgentConfig(agent, risk, MappingProxyType(passed_on), MappingProxyType(origins))


class _YamlLoader(yaml.SafeLoader):
    """PyYAML's safe loader, except that ``20:00`` is the text of a time, not 1200.

    YAML 1.1 reads unquoted ``20:00`` as a base-60 integer (and ``04:00`` as text), which would
    silently turn ``AFTERHOURS_END: 20:00`` into 00:20:00.
    """


_YamlLoader.yaml_implicit_resolvers = {
    k: list(v) for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
for _digit in "0123456789":
    _YamlLoader.yaml_implicit_resolvers.setdefault(_digit, []).insert(
        0, ("tag:yaml.org,2002:str", re.compile(r"^\d{1,2}:\d{2}(?::\d{2})?$"))
    )


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_YamlLoader)  # a SafeLoader
    except OSError as exc:
        raise ConfigError(f"cannot read settings file {path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        text = str(exc).replace("\n", " ")
        raise ConfigError(f"invalid YAML in settings file {path}: {text}") from None
    if data is None:
        return {}
    if not isinstance(data, dict) or not all(isinstance(k, str) for k in data):
        raise ConfigError(f"settings file {path} must be a flat mapping of NAME: value")
    nested = sorted(
        k
        for k, v in data.items()
        if isinstance(v, dict)
        and k.upper()
        not in (
            "FX_RATES",
            "FX_FALLBACK_RATES",
        )
    )
    if nested:
        raise ConfigError(
            f"settings file {path}: sections are not supported, was {nested[0]!r}; "
            "write flat NAME: value pairs (the environment names)"
        )
    return data


def _read_dotenv(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise ConfigError(f"cannot read .env file {path}: no such file")
    return {k: v for k, v in dotenv_values(path).items() if v is not None}


def _reject_unknown(layer: Mapping[str, Any], known: frozenset[str], origin: str) -> None:
    for key in layer:
        if key.upper() not in known:
            close = difflib.get_close_matches(key.upper(), sorted(known), n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            raise ConfigError(f"unknown setting {key} in {origin}{hint}")


def _validate_agent(values: dict[str, Any], origins: Mapping[str, str]) -> AgentSettings:
    try:
        return AgentSettings(**values)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, origins)) from None


def _validate_risk(values: dict[str, Any], origins: Mapping[str, str]) -> RiskSettings:
    try:
        return RiskSettings.from_mapping(values)
    except ConfigError as exc:
        where = sorted({origins[k] for k in values if k.upper() in str(exc)})
        suffix = f" (from {', '.join(where)})" if where else ""
        raise ConfigError(f"{exc}{suffix}") from None


def _describe(exc: ValidationError, origins: Mapping[str, str]) -> str:
    parts: list[str] = []
    for err in exc.errors(include_url=False):
        loc = err.get("loc") or ()
        key = str(loc[0]).upper() if loc else ""
        message = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        if not key:
            parts.append(message)
            continue
        shown = "(hidden)" if is_secret_key(key) else repr(err.get("input"))
        where = f" (from {origins[key]})" if key in origins else ""
        parts.append(f"invalid {key}, was {shown}{where}: {message}")
    return "; ".join(parts)
