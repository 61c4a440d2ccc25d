"""A breaker that outlives its session: restored tightened-only, carried onto new books with
every percentage trigger where it stood; the kill switch denies every order, exits included."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from ouroboros.domain import OrderSide
from ouroboros.errors import ConfigError
from ouroboros.risk import (
    BreakerConfig,
    BreakerStatus,
    CircuitBreaker,
    LossBasis,
    RiskCode,
    RiskManager,
    Verdict,
)
from ouroboros.risk.breaker import carry_over, restore
from ouroboros.risk.breaker.triggers import daily_loss_pct, drawdown_pct
from tests.risk.kit import NOW, SAMSUNG, account, intent, market, position


def tripped(config: BreakerConfig) -> CircuitBreaker:
    breaker = CircuitBreaker(config)
    breaker.update(account(equity=100_000_000), NOW)
    for _ in range(config.max_consecutive_losses or 3):
        breaker.record_trade(Decimal(-1), NOW)
    assert breaker.is_tripped
    return breaker


def test_restore_keeps_a_stored_trip_and_only_tightens() -> None:
    stored = tripped(BreakerConfig(max_consecutive_losses=2, auto_resume=frozenset())).to_dict()
    looser = BreakerConfig(max_consecutive_losses=5, max_drawdown_pct=Decimal(12))
    breaker, events = restore(stored, looser, by="session start", now=NOW)
    assert breaker is not None
    assert breaker.status is BreakerStatus.TRIPPED
    assert breaker.config.max_consecutive_losses == 2  # the looser 5 is not adopted
    assert breaker.config.max_drawdown_pct == Decimal(12)  # the stricter 12 (was 15) is
    assert breaker.config.auto_resume == frozenset()
    assert [e.field for e in events] == ["max_drawdown_pct"]


def test_settings_without_a_breaker_do_not_drop_a_stored_one() -> None:
    stored = tripped(BreakerConfig()).to_dict()
    breaker, _ = restore(stored, None, by="session start", now=NOW)
    assert breaker is not None
    assert breaker.is_tripped
    fresh, _ = restore(None, None, by="session start", now=NOW)
    assert fresh is None


def test_a_different_loss_basis_is_refused_naming_the_field() -> None:
    stored = CircuitBreaker(BreakerConfig()).to_dict()
    with pytest.raises(ConfigError, match="invalid loss_basis, was realized"):
        restore(stored, BreakerConfig(loss_basis=LossBasis.REALIZED), by="start", now=NOW)


def test_carry_over_keeps_drawdown_and_todays_loss_where_they_stood() -> None:
    """The last session ended 8 % below its peak and 2 % down today; the next session's books
    hold half as much (the rest are holdings it did not trade): both percentages hold."""
    breaker = CircuitBreaker(BreakerConfig())
    breaker.update(account(equity=100_000_000, peak=125_000_000, unrealized=0), NOW)
    breaker.update(account(equity=115_000_000 - 17_000_000, unrealized=-2_000_000), NOW)
    before = breaker.state
    state, day = carry_over(before, Decimal(49_000_000), NOW + timedelta(hours=1))
    assert state.status is before.status
    assert drawdown_pct(state) == drawdown_pct(before)
    assert daily_loss_pct(state) == daily_loss_pct(before)
    assert state.last_equity == Decimal(49_000_000)
    assert day is not None
    assert day.day == before.trading_day
    assert day.day_start_equity == Decimal(50_000_000)
    # The next trading day: no baseline to carry, the peak still does.
    later, none = carry_over(before, Decimal(49_000_000), NOW + timedelta(days=1))
    assert none is None
    assert drawdown_pct(later) == drawdown_pct(before)


def test_the_kill_switch_denies_every_order_exits_included() -> None:
    held = account(positions=[position(SAMSUNG, 100)])
    manager = RiskManager()
    for enabled, word in ((False, "disabled"), (None, "unknown")):
        for side in (OrderSide.BUY, OrderSide.SELL):
            decision = manager.evaluate(
                intent(side=side, quantity=10), held, market(), NOW, trading_enabled=enabled
            )
            assert decision.verdict is Verdict.DENY
            assert RiskCode.TRADING_ENABLED in decision.codes
            assert word in decision.summary()
    approved = manager.evaluate(intent(quantity=10), held, market(), NOW, trading_enabled=True)
    assert approved.verdict is not Verdict.DENY
