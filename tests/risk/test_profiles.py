"""Named profiles, the live-mode guard and RiskLimits validation."""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal

import pytest

from ouroboros.errors import ConfigError
from ouroboros.risk import (
    DEFAULT_LIMITS,
    PERMISSIVE_LIMITS,
    CircuitBreaker,
    RiskLimits,
    RiskManager,
    Verdict,
)
from tests.risk.kit import KRW, NOW, account, intent, market


def test_permissive_in_live_mode_raises() -> None:
    with pytest.raises(ConfigError, match="permissive profile is for reference backtests only"):
        RiskManager(PERMISSIVE_LIMITS, breaker=CircuitBreaker(), live=True)


def test_live_mode_needs_a_breaker() -> None:
    with pytest.raises(ConfigError, match="live trading needs a circuit breaker"):
        RiskManager(DEFAULT_LIMITS, live=True)


def test_live_mode_refuses_disabled_core_limits() -> None:
    limits = replace(DEFAULT_LIMITS, max_order_pct_of_cash=None)
    with pytest.raises(ConfigError, match="max_order_pct_of_cash is disabled"):
        RiskManager(limits, breaker=CircuitBreaker(), live=True)


def test_default_limits_with_a_breaker_may_trade_live() -> None:
    assert RiskManager(DEFAULT_LIMITS, breaker=CircuitBreaker(), live=True).limits.profile == (
        "default"
    )


def test_permissive_goes_all_in_for_reference_backtests() -> None:
    manager = RiskManager(PERMISSIVE_LIMITS)
    everything = account(cash={KRW: 100_000_000})
    decision = manager.evaluate(intent(atr=None, confidence="0"), everything, market(), NOW)
    assert decision.verdict is Verdict.APPROVE
    assert decision.quantity.value == 1428  # 100,000,000 / 70,000, whole shares


def test_permissive_still_fails_closed() -> None:
    decision = RiskManager(PERMISSIVE_LIMITS).evaluate(
        intent(quantity=1), account(equity=None), market(), NOW
    )
    assert decision.verdict is Verdict.DENY


def test_named_profiles() -> None:
    assert RiskLimits.named("default") is DEFAULT_LIMITS
    assert RiskLimits.named("permissive") is PERMISSIVE_LIMITS
    with pytest.raises(ConfigError, match="invalid risk profile, was 'yolo'"):
        RiskLimits.named("yolo")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"max_position_pct": Decimal(0)},
            "invalid max_position_pct, was 0: must be a Decimal in (0, 100]",
        ),
        ({"max_sector_pct": Decimal(101)}, "invalid max_sector_pct, was 101"),
        ({"min_confidence": Decimal(2)}, "invalid min_confidence, was 2: must be in [0, 1]"),
        ({"max_open_positions": 0}, "invalid max_open_positions, was 0"),
        ({"min_allocation_pct": Decimal(6)}, "need min <= base <= max"),
        ({"stop_atr_multiple": Decimal(0)}, "invalid stop_atr_multiple, was 0"),
        ({"max_position_pct": 0.2}, "use Decimal, not float"),
    ],
)
def test_invalid_limits_raise_config_error(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        replace(DEFAULT_LIMITS, **changes)  # type: ignore[arg-type]
