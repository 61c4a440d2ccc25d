"""RiskSettings: seed environment names, normalisation, and ConfigErrors naming key and value."""

from __future__ import annotations

from datetime import time, timedelta
from decimal import Decimal

import pytest

from ouroboros.errors import ConfigError
from ouroboros.risk import (
    DEFAULT_LIMITS,
    BreakerConfig,
    LossBasis,
    RiskSettings,
    TickPolicy,
    TriggerKind,
)


def test_defaults_match_the_default_profile_and_breaker() -> None:
    settings = RiskSettings.from_mapping({})
    assert settings.to_limits() == DEFAULT_LIMITS
    assert settings.to_breaker_config() == BreakerConfig()


def test_seed_names_and_scales_are_read() -> None:
    settings = RiskSettings.from_mapping(
        {
            "CONFIDENCE_THRESHOLD": "80",
            "MAX_LOSS_PCT": "2.5",
            "MAX_ORDER_PCT": "25",
            "POSITION_BASE_ALLOCATION_PCT": "4",
            "POSITION_MIN_ALLOCATION_PCT": "0.5",
            "POSITION_MAX_ALLOCATION_PCT": "8",
            "POSITION_VOLATILITY_TARGET_SCORE": "40",
            "TRADING_DRAWDOWN_HALT_PCT": "20",
            "TRADING_DRAWDOWN_RESUME_PCT": "15",
            "TRADING_CONSECUTIVE_LOSS_HALT": "10",
            "TRADING_WIN_STREAK_RESUME": "3",
            "MAX_DAILY_LOSS_KRW": "500000",
            "LOSS_TYPE": "realized",
            "COOLDOWN_MINUTES": "30",
            "API_ERROR_THRESHOLD": "5",
            "TICK_POLICY": "reject",
            "MAX_SECTOR_PCT": "off",
            "BREAKER_AUTO_RESUME": "drawdown, api_errors",
            "TRADING_DAY_ROLLOVER": "06:30",
        }
    )
    limits = settings.to_limits()
    assert limits.min_confidence == Decimal("0.8")
    assert limits.max_order_pct_of_cash == Decimal(25)
    assert (limits.min_allocation_pct, limits.base_allocation_pct, limits.max_allocation_pct) == (
        Decimal("0.5"),
        Decimal(4),
        Decimal(8),
    )
    assert limits.volatility_target_score == Decimal(40)
    assert limits.tick_policy is TickPolicy.REJECT
    assert limits.max_sector_pct is None
    breaker = settings.to_breaker_config()
    assert breaker.max_daily_loss_pct == Decimal("2.5")
    assert breaker.max_daily_loss_amount == Decimal(500_000)
    assert breaker.loss_basis is LossBasis.REALIZED
    assert (breaker.max_drawdown_pct, breaker.drawdown_resume_pct) == (Decimal(20), Decimal(15))
    assert breaker.max_consecutive_losses == 10
    assert breaker.cooldown == timedelta(minutes=30)
    assert breaker.auto_resume == {TriggerKind.DRAWDOWN, TriggerKind.API_ERRORS}
    assert breaker.day_rollover == time(6, 30)


@pytest.mark.parametrize(("raw", "expected"), [("0.65", "0.65"), ("65", "0.65"), ("1", "1")])
def test_confidence_accepts_both_scales(raw: str, expected: str) -> None:
    settings = RiskSettings.from_mapping({"CONFIDENCE_THRESHOLD": raw})
    assert settings.to_limits().min_confidence == Decimal(expected)


def test_the_environment_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAX_LOSS_PCT", "1.5")
    monkeypatch.setenv("max_position_pct", "15")
    settings = RiskSettings.from_env()
    assert settings.to_breaker_config().max_daily_loss_pct == Decimal("1.5")
    assert settings.to_limits().max_position_pct == Decimal(15)


def test_from_mapping_ignores_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAX_LOSS_PCT", "1.5")
    assert RiskSettings.from_mapping({}).to_breaker_config().max_daily_loss_pct == Decimal(3)


def test_the_permissive_profile_keeps_explicit_keys_only() -> None:
    settings = RiskSettings.from_mapping({"RISK_PROFILE": "permissive", "MAX_POSITIONS": "3"})
    limits = settings.to_limits()
    assert limits.is_permissive
    assert limits.max_open_positions == 3
    assert limits.max_position_pct is None


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {"MAX_LOSS_PCT": "abc"},
            "invalid MAX_LOSS_PCT, was 'abc': Input should be a valid decimal",
        ),
        (
            {"CONFIDENCE_THRESHOLD": "170"},
            "invalid CONFIDENCE_THRESHOLD, was '170': must be a fraction in [0, 1] or a percentage "
            "in (1, 100]",
        ),
        (
            {"MAX_POSITION_PCT": "170"},
            "invalid MAX_POSITION_PCT, was 170: must be a Decimal in (0, 100]",
        ),
        (
            {"POSITION_MIN_ALLOCATION_PCT": "7"},
            "invalid POSITION_MIN_ALLOCATION_PCT / POSITION_BASE_ALLOCATION_PCT / "
            "POSITION_MAX_ALLOCATION_PCT, were 7 / 5 / 10: need min <= base <= max",
        ),
        (
            {"TRADING_DRAWDOWN_RESUME_PCT": "20"},
            "invalid TRADING_DRAWDOWN_RESUME_PCT, was 20: must be below "
            "TRADING_DRAWDOWN_HALT_PCT 15",
        ),
        ({"BREAKER_AUTO_RESUME": "meteor"}, "invalid BREAKER_AUTO_RESUME, was 'meteor'"),
        ({"LOSS_TYPE": "gross"}, "invalid LOSS_TYPE, was 'gross'"),
        ({"RISK_PROFILE": "yolo"}, "invalid RISK_PROFILE, was 'yolo'"),
        (
            {"TRADING_DAY_TIMEZONE": "Mars/Olympus"},
            "invalid TRADING_DAY_TIMEZONE, was 'Mars/Olympus'",
        ),
        ({"NOT_A_SETTING": "1"}, "invalid NOT_A_SETTING, was '1': Extra inputs are not permitted"),
    ],
)
def test_invalid_values_name_the_key_and_value(values: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        RiskSettings.from_mapping(values)
    assert message in str(caught.value)


def test_from_env_wraps_validation_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("API_ERROR_THRESHOLD", "many")
    with pytest.raises(ConfigError, match="invalid API_ERROR_THRESHOLD, was 'many'"):
        RiskSettings.from_env()
