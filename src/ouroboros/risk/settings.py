"""Risk settings from the environment (seed names kept), converted to the frozen limit values.

Percentages are given in percent, as in the seeds (``MAX_LOSS_PCT=3.0`` is 3 %).
``CONFIDENCE_THRESHOLD`` accepts both scales the seeds use: a value in ``[0, 1]`` is a
fraction, a value in ``(1, 100]`` a percentage (``80`` -> ``0.8``); so ``1`` means 100 %.
Limits that may be switched off accept ``off``. Invalid values raise
:class:`~ouroboros.errors.ConfigError` naming the environment key and the value.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import replace
from datetime import time, timedelta
from decimal import Decimal
from typing import Any, Literal

from pydantic import AliasChoices, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from ouroboros.errors import ConfigError
from ouroboros.risk.breaker.config import BreakerConfig, LossBasis, TriggerKind
from ouroboros.risk.limits import RiskLimits, TickPolicy

_OFF = frozenset({"off", "none", "disabled"})
_ISOLATED: ContextVar[bool] = ContextVar("risk_settings_isolated", default=False)


def _env(*names: str) -> Any:
    """The validation alias: the first name is canonical, the rest are seed spellings."""
    return AliasChoices(*names) if len(names) > 1 else names[0]


#: Settings field -> (RiskLimits / BreakerConfig field, canonical environment name).
LIMIT_FIELDS: dict[str, str] = {
    "max_order_pct": "max_order_pct_of_cash",
    "cash_buffer_pct": "cash_buffer_pct",
    "cross_currency_cash": "cross_currency_cash",
    "max_position_pct": "max_position_pct",
    "ta_max_position_pct": "ta_max_position_pct",
    "max_sector_pct": "max_sector_pct",
    "max_positions": "max_open_positions",
    "max_correlated_positions": "max_correlated_positions",
    "correlation_lookback_sessions": "correlation_lookback",
    "correlation_threshold": "correlation_threshold",
    "max_total_exposure_pct": "max_total_exposure_pct",
    "risk_per_trade_pct": "risk_per_trade_pct",
    "stop_loss_atr_multiplier": "stop_atr_multiple",
    "require_stop_loss": "require_stop",
    "position_sizing_enabled": "sizing_enabled",
    "position_base_allocation_pct": "base_allocation_pct",
    "position_min_allocation_pct": "min_allocation_pct",
    "position_max_allocation_pct": "max_allocation_pct",
    "position_volatility_target_score": "volatility_target_score",
    "confidence_threshold": "min_confidence",
    "ta_confidence_threshold": "ta_min_confidence",
    "require_market_open": "require_market_open",
    "tick_policy": "tick_policy",
    "max_price_deviation_pct": "max_price_deviation_pct",
    "max_price_age_seconds": "max_price_age",
    "max_clock_skew_seconds": "max_clock_skew",
}


class RiskSettings(BaseSettings):
    """Every risk and breaker setting. See docs/risk.md for meanings and defaults."""

    model_config = SettingsConfigDict(extra="forbid", frozen=True, case_sensitive=False)

    risk_profile: Literal["default", "permissive"] = Field(
        "default", validation_alias="RISK_PROFILE"
    )
    # Risk limits.
    max_order_pct: Decimal | None = Field(Decimal(30), validation_alias="MAX_ORDER_PCT")
    cash_buffer_pct: Decimal = Field(Decimal(1), validation_alias="CASH_BUFFER_PCT")
    cross_currency_cash: bool = Field(False, validation_alias="CROSS_CURRENCY_CASH")
    max_position_pct: Decimal | None = Field(Decimal(20), validation_alias="MAX_POSITION_PCT")
    ta_max_position_pct: Decimal | None = Field(
        Decimal(10), validation_alias=_env("TA_MAX_POSITION_PCT", "MAX_POSITION_SIZE_PERCENT")
    )
    max_sector_pct: Decimal | None = Field(Decimal(30), validation_alias="MAX_SECTOR_PCT")
    max_positions: int | None = Field(10, validation_alias="MAX_POSITIONS")
    max_correlated_positions: int | None = Field(3, validation_alias="MAX_CORRELATED_POSITIONS")
    correlation_lookback_sessions: int = Field(60, validation_alias="CORRELATION_LOOKBACK_SESSIONS")
    correlation_threshold: Decimal = Field(Decimal("0.7"), validation_alias="CORRELATION_THRESHOLD")
    max_total_exposure_pct: Decimal | None = Field(
        Decimal(80), validation_alias=_env("MAX_TOTAL_EXPOSURE_PCT", "MAX_TOTAL_EXPOSURE_PERCENT")
    )
    risk_per_trade_pct: Decimal | None = Field(
        Decimal(1), validation_alias=_env("RISK_PER_TRADE_PCT", "RISK_PER_TRADE_PERCENT")
    )
    stop_loss_atr_multiplier: Decimal = Field(
        Decimal(2), validation_alias="STOP_LOSS_ATR_MULTIPLIER"
    )
    require_stop_loss: bool = Field(True, validation_alias="REQUIRE_STOP_LOSS")
    position_sizing_enabled: bool = Field(True, validation_alias="POSITION_SIZING_ENABLED")
    position_base_allocation_pct: Decimal = Field(
        Decimal(5), validation_alias="POSITION_BASE_ALLOCATION_PCT"
    )
    position_min_allocation_pct: Decimal = Field(
        Decimal(1), validation_alias="POSITION_MIN_ALLOCATION_PCT"
    )
    position_max_allocation_pct: Decimal = Field(
        Decimal(10), validation_alias="POSITION_MAX_ALLOCATION_PCT"
    )
    position_volatility_target_score: Decimal = Field(
        Decimal(50), validation_alias="POSITION_VOLATILITY_TARGET_SCORE"
    )
    confidence_threshold: Decimal = Field(Decimal("0.8"), validation_alias="CONFIDENCE_THRESHOLD")
    ta_confidence_threshold: Decimal = Field(
        Decimal("0.6"), validation_alias="TA_CONFIDENCE_THRESHOLD"
    )
    require_market_open: bool = Field(True, validation_alias="REQUIRE_MARKET_OPEN")
    tick_policy: TickPolicy = Field(TickPolicy.SNAP, validation_alias="TICK_POLICY")
    max_price_deviation_pct: Decimal | None = Field(
        Decimal(10), validation_alias="MAX_PRICE_DEVIATION_PCT"
    )
    max_price_age_seconds: Decimal = Field(Decimal(120), validation_alias="MAX_PRICE_AGE_SECONDS")
    max_clock_skew_seconds: Decimal = Field(Decimal(5), validation_alias="MAX_CLOCK_SKEW_SECONDS")
    # Circuit breaker.
    max_loss_pct: Decimal | None = Field(
        Decimal(3), validation_alias=_env("MAX_LOSS_PCT", "MAX_DAILY_LOSS_PERCENT")
    )
    max_daily_loss_amount: Decimal | None = Field(
        None, validation_alias=_env("MAX_DAILY_LOSS_AMOUNT", "MAX_DAILY_LOSS_KRW")
    )
    loss_type: LossBasis = Field(LossBasis.BOTH, validation_alias="LOSS_TYPE")
    consecutive_loss_halt: int | None = Field(
        3, validation_alias=_env("TRADING_CONSECUTIVE_LOSS_HALT", "MAX_CONSECUTIVE_LOSSES")
    )
    drawdown_halt_pct: Decimal | None = Field(
        Decimal(15), validation_alias=_env("TRADING_DRAWDOWN_HALT_PCT", "MAX_DRAWDOWN_PERCENT")
    )
    drawdown_resume_pct: Decimal | None = Field(
        Decimal(10), validation_alias="TRADING_DRAWDOWN_RESUME_PCT"
    )
    win_streak_resume: int | None = Field(3, validation_alias="TRADING_WIN_STREAK_RESUME")
    api_error_threshold: int | None = Field(5, validation_alias="API_ERROR_THRESHOLD")
    api_error_window_seconds: Decimal = Field(
        Decimal(300), validation_alias="API_ERROR_WINDOW_SECONDS"
    )
    cooldown_minutes: Decimal = Field(
        Decimal(30), validation_alias=_env("COOLDOWN_MINUTES", "CIRCUIT_BREAKER_COOLDOWN_MINUTES")
    )
    breaker_auto_resume: str = Field(
        "CONSECUTIVE_LOSSES,DRAWDOWN,API_ERRORS", validation_alias="BREAKER_AUTO_RESUME"
    )
    trading_day_timezone: str = Field("Asia/Seoul", validation_alias="TRADING_DAY_TIMEZONE")
    trading_day_rollover: time = Field(time(7, 0), validation_alias="TRADING_DAY_ROLLOVER")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        if _ISOLATED.get():
            return (init_settings,)
        return (init_settings, env_settings, dotenv_settings)

    @field_validator(
        "max_order_pct",
        "max_position_pct",
        "ta_max_position_pct",
        "max_sector_pct",
        "max_positions",
        "max_correlated_positions",
        "max_total_exposure_pct",
        "risk_per_trade_pct",
        "max_price_deviation_pct",
        "max_loss_pct",
        "max_daily_loss_amount",
        "consecutive_loss_halt",
        "drawdown_halt_pct",
        "drawdown_resume_pct",
        "win_streak_resume",
        "api_error_threshold",
        mode="before",
    )
    @classmethod
    def _off_means_none(cls, value: Any) -> Any:
        if isinstance(value, str) and value.strip().lower() in _OFF:
            return None
        return value

    @field_validator("confidence_threshold", "ta_confidence_threshold")
    @classmethod
    def _normalise_confidence(cls, value: Decimal) -> Decimal:
        """One scale inside (0-1); the seeds wrote 80 for 80 %."""
        if Decimal(0) <= value <= 1:
            return value
        if 1 < value <= 100:
            return value / 100
        raise ValueError("must be a fraction in [0, 1] or a percentage in (1, 100]")

    @field_validator("breaker_auto_resume")
    @classmethod
    def _known_kinds(cls, value: str) -> str:
        _parse_kinds(value)
        return value

    @model_validator(mode="after")
    def _consistent(self) -> RiskSettings:
        """Cross-field rules (min <= base <= max allocation, resume below halt, ...)."""
        try:
            self.to_limits()
            self.to_breaker_config()
        except ConfigError as exc:
            raise ValueError(_env_names(str(exc))) from None
        return self

    # -- loading -------------------------------------------------------------------------

    @classmethod
    def from_env(cls) -> RiskSettings:
        """Read the process environment (and a ``.env`` if configured by the caller)."""
        try:
            return cls()
        except ValidationError as exc:
            raise _config_error(exc) from None

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> RiskSettings:
        """Read only ``values`` (keys are the environment names), ignoring the environment."""
        with _isolated():
            try:
                return cls(**dict(values))
            except ValidationError as exc:
                raise _config_error(exc) from None

    # -- conversion ----------------------------------------------------------------------

    def to_limits(self) -> RiskLimits:
        """The frozen limits: the profile's values, overridden by every key given explicitly.

        With the default profile every field applies; with ``permissive`` only the keys that were
        set, so ``RISK_PROFILE=permissive`` alone opens the limits wide.
        """
        base = RiskLimits.named(self.risk_profile)
        given = (
            set(LIMIT_FIELDS)
            if self.risk_profile == "default"
            else set(LIMIT_FIELDS) & self.model_fields_set
        )
        values: dict[str, Any] = {}
        for name in given:
            value: Any = getattr(self, name)
            if name in ("max_price_age_seconds", "max_clock_skew_seconds"):
                value = _duration(value)
            values[LIMIT_FIELDS[name]] = value
        return replace(base, **values)

    def to_breaker_config(self) -> BreakerConfig:
        return BreakerConfig(
            max_daily_loss_pct=self.max_loss_pct,
            max_daily_loss_amount=self.max_daily_loss_amount,
            loss_basis=self.loss_type,
            max_consecutive_losses=self.consecutive_loss_halt,
            max_drawdown_pct=self.drawdown_halt_pct,
            drawdown_resume_pct=self.drawdown_resume_pct,
            win_streak_resume=self.win_streak_resume,
            max_api_errors=self.api_error_threshold,
            api_error_window=_duration(self.api_error_window_seconds),
            cooldown=_duration(self.cooldown_minutes * 60),
            auto_resume=_parse_kinds(self.breaker_auto_resume),
            day_timezone=self.trading_day_timezone,
            day_rollover=self.trading_day_rollover,
        )


#: Python field names (RiskLimits, BreakerConfig) -> the environment key an operator sets.
ENV_NAMES: dict[str, str] = {
    "max_order_pct_of_cash": "MAX_ORDER_PCT",
    "cash_buffer_pct": "CASH_BUFFER_PCT",
    "max_position_pct": "MAX_POSITION_PCT",
    "ta_max_position_pct": "TA_MAX_POSITION_PCT",
    "max_sector_pct": "MAX_SECTOR_PCT",
    "max_open_positions": "MAX_POSITIONS",
    "max_correlated_positions": "MAX_CORRELATED_POSITIONS",
    "correlation_lookback": "CORRELATION_LOOKBACK_SESSIONS",
    "correlation_threshold": "CORRELATION_THRESHOLD",
    "max_total_exposure_pct": "MAX_TOTAL_EXPOSURE_PCT",
    "risk_per_trade_pct": "RISK_PER_TRADE_PCT",
    "stop_atr_multiple": "STOP_LOSS_ATR_MULTIPLIER",
    "base_allocation_pct": "POSITION_BASE_ALLOCATION_PCT",
    "min_allocation_pct": "POSITION_MIN_ALLOCATION_PCT",
    "max_allocation_pct": "POSITION_MAX_ALLOCATION_PCT",
    "volatility_target_score": "POSITION_VOLATILITY_TARGET_SCORE",
    "min_confidence": "CONFIDENCE_THRESHOLD",
    "ta_min_confidence": "TA_CONFIDENCE_THRESHOLD",
    "max_price_deviation_pct": "MAX_PRICE_DEVIATION_PCT",
    "max_price_age": "MAX_PRICE_AGE_SECONDS",
    "max_clock_skew": "MAX_CLOCK_SKEW_SECONDS",
    "max_daily_loss_pct": "MAX_LOSS_PCT",
    "max_daily_loss_amount": "MAX_DAILY_LOSS_AMOUNT",
    "max_consecutive_losses": "TRADING_CONSECUTIVE_LOSS_HALT",
    "max_drawdown_pct": "TRADING_DRAWDOWN_HALT_PCT",
    "drawdown_resume_pct": "TRADING_DRAWDOWN_RESUME_PCT",
    "win_streak_resume": "TRADING_WIN_STREAK_RESUME",
    "max_api_errors": "API_ERROR_THRESHOLD",
    "api_error_window": "API_ERROR_WINDOW_SECONDS",
    "cooldown": "COOLDOWN_MINUTES",
    "day_timezone": "TRADING_DAY_TIMEZONE",
    "day_rollover": "TRADING_DAY_ROLLOVER",
}


def _env_names(message: str) -> str:
    """Say ``invalid MAX_LOSS_PCT`` rather than ``invalid max_daily_loss_pct``."""
    for field, env in ENV_NAMES.items():
        message = re.sub(rf"\b{field}\b", env, message)
    return message


def _duration(seconds: Decimal) -> timedelta:
    """Exact Decimal seconds to a timedelta (microsecond resolution), no float detour."""
    return timedelta(microseconds=int(seconds * 1_000_000))


def _parse_kinds(value: str) -> frozenset[TriggerKind]:
    kinds: set[TriggerKind] = set()
    if value.strip().lower() in _OFF:  # "none": no trip resumes by itself
        return frozenset()
    for part in value.split(","):
        name = part.strip().upper()
        if not name:
            continue
        try:
            kinds.add(TriggerKind(name))
        except ValueError:
            known = ", ".join(k.value for k in TriggerKind)
            raise ValueError(f"unknown trigger {part.strip()!r} (known: {known})") from None
    return frozenset(kinds)


def _config_error(exc: ValidationError) -> ConfigError:
    parts = []
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"]) or "risk settings"
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "value_error" and not err["loc"]:
            parts.append(message)
        else:
            parts.append(f"invalid {key.upper()}, was {err.get('input')!r}: {message}")
    return ConfigError("; ".join(parts))


@contextmanager
def _isolated() -> Iterator[None]:
    token = _ISOLATED.set(True)
    try:
        yield
    finally:
        _ISOLATED.reset(token)
