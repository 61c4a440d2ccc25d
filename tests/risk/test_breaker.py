"""The circuit breaker's triggers, states and resume rules (docs/risk.md, "Circuit breaker")."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from ouroboros.domain import Currency
from ouroboros.errors import InvariantError
from ouroboros.risk import (
    AccountView,
    BreakerConfig,
    BreakerCoolingDown,
    BreakerResumed,
    BreakerStatus,
    BreakerTripped,
    CircuitBreaker,
    LossBasis,
    TradingDayStarted,
    TriggerKind,
)
from tests.risk.kit import NOW, account

MIN = timedelta(minutes=1)


def snapshot(
    equity: int = 100_000_000, realized: int = 0, unrealized: int = 0, **kwargs: object
) -> AccountView:
    return account(equity=equity, realized=realized, unrealized=unrealized, **kwargs)  # type: ignore[arg-type]


def started(config: BreakerConfig | None = None, equity: int = 100_000_000) -> CircuitBreaker:
    breaker = CircuitBreaker(config)
    events = breaker.update(snapshot(equity), NOW)
    assert [type(e) for e in events] == [TradingDayStarted]
    return breaker


def kinds(events: object) -> list[type]:
    return [type(e) for e in events]  # type: ignore[attr-defined]


# -- daily loss ------------------------------------------------------------------------------


def test_daily_loss_pct_trips_on_realized_plus_unrealized() -> None:
    breaker = started()
    events = breaker.update(
        snapshot(96_500_000, realized=-2_000_000, unrealized=-1_500_000), NOW + MIN
    )
    assert kinds(events) == [BreakerTripped]
    tripped = events[0]
    assert isinstance(tripped, BreakerTripped)
    assert tripped.reason == "daily loss 3.5 % (both) reached the limit 3 %"
    assert tripped.causes == (TriggerKind.DAILY_LOSS_PCT,)
    assert tripped.previous is BreakerStatus.ARMED
    assert tripped.at == NOW + MIN
    assert breaker.status is BreakerStatus.TRIPPED
    assert breaker.state.tripped_at == NOW + MIN


def test_a_loss_just_below_the_limit_does_not_trip() -> None:
    breaker = started()
    assert breaker.update(snapshot(realized=-2_999_999), NOW + MIN) == ()
    assert breaker.status is BreakerStatus.ARMED


def test_realized_basis_ignores_paper_losses() -> None:
    breaker = started(BreakerConfig(loss_basis=LossBasis.REALIZED))
    assert breaker.update(snapshot(unrealized=-9_000_000), NOW + MIN) == ()
    events = breaker.update(snapshot(realized=-3_000_000), NOW + 2 * MIN)
    assert kinds(events) == [BreakerTripped]


def test_daily_loss_amount_trips_in_the_base_currency() -> None:
    breaker = started(BreakerConfig(max_daily_loss_amount=Decimal(500_000)))
    events = breaker.update(snapshot(realized=-600_000), NOW + MIN)
    assert events[0].reason == ("daily loss 600000 KRW (both) reached the limit 500000 KRW")


def test_a_daily_loss_trip_survives_cooldown_and_a_new_day() -> None:
    breaker = started()
    breaker.update(snapshot(realized=-4_000_000), NOW + MIN)
    assert breaker.tick(NOW + timedelta(hours=2)) == ()
    next_day = NOW + timedelta(days=1)
    events = breaker.update(snapshot(96_000_000), next_day)
    assert kinds(events) == [TradingDayStarted]
    assert breaker.status is BreakerStatus.TRIPPED
    assert breaker.state.loss_today == 0
    assert breaker.state.day_start_equity == Decimal(96_000_000)


def test_manual_resume_acknowledges_todays_loss() -> None:
    breaker = started()
    breaker.update(snapshot(realized=-4_000_000), NOW + MIN)
    events = breaker.resume(by="alice", now=NOW + 5 * MIN)
    assert kinds(events) == [BreakerResumed]
    resumed = events[0]
    assert isinstance(resumed, BreakerResumed)
    assert resumed.manual
    assert resumed.by == "alice"
    assert resumed.reason == (
        "manual resume by alice (was TRIPPED: daily loss 4.0 % (both) reached the limit 3 %)"
    )
    assert breaker.status is BreakerStatus.ARMED
    # The acknowledged 4 % does not re-trip; 3 % more does.
    assert breaker.update(snapshot(realized=-4_000_000), NOW + 6 * MIN) == ()
    assert kinds(breaker.update(snapshot(realized=-7_000_000), NOW + 7 * MIN)) == [BreakerTripped]


def test_resume_when_armed_is_a_no_op_and_needs_a_name() -> None:
    breaker = started()
    assert breaker.resume(by="alice", now=NOW) == ()
    with pytest.raises(ValueError, match="needs the name"):
        breaker.resume(by=" ", now=NOW)


# -- consecutive losses ----------------------------------------------------------------------


def test_consecutive_losses_trip_and_resume_after_the_cooldown() -> None:
    breaker = started()
    assert breaker.record_trade(Decimal(-1), NOW) == ()
    assert breaker.record_trade(Decimal(0), NOW) == ()  # a scratch trade counts as neither
    assert breaker.record_trade(Decimal(-1), NOW) == ()
    events = breaker.record_trade(Decimal(-5), NOW)
    assert events[0].reason == "3 losing trades in a row reached the limit 3"
    assert breaker.tick(NOW + 29 * MIN) == ()
    events = breaker.tick(NOW + 30 * MIN)
    assert kinds(events) == [BreakerCoolingDown, BreakerResumed]
    assert events[1].reason == "CONSECUTIVE_LOSSES: cooldown of 30 min served"
    assert breaker.status is BreakerStatus.ARMED
    assert breaker.state.consecutive_losses == 0


def test_a_win_resets_the_losing_streak() -> None:
    breaker = started()
    for pnl in (-1, -1, 1, -1, -1):
        assert breaker.record_trade(Decimal(pnl), NOW) == ()
    assert breaker.state.consecutive_losses == 2


# -- drawdown --------------------------------------------------------------------------------


def _drawdown_trip() -> CircuitBreaker:
    breaker = started()
    events = breaker.update(snapshot(84_000_000), NOW + MIN)
    assert events[0].reason == "drawdown 16.0 % from peak equity reached the limit 15 %"
    return breaker


def test_drawdown_resumes_automatically_below_the_resume_level() -> None:
    breaker = _drawdown_trip()
    events = breaker.update(snapshot(84_000_000), NOW + 31 * MIN)
    assert kinds(events) == [BreakerCoolingDown]
    assert breaker.status is BreakerStatus.COOLING_DOWN
    assert breaker.update(snapshot(89_900_000), NOW + 40 * MIN) == ()
    events = breaker.update(snapshot(91_000_000), NOW + 50 * MIN)
    assert kinds(events) == [BreakerResumed]
    assert events[0].reason == "DRAWDOWN: drawdown recovered to 9.0 % (< 10 %)"
    assert breaker.state.peak_equity == Decimal(100_000_000)


def test_a_win_streak_clears_a_drawdown_after_the_cooldown_and_rebases_the_peak() -> None:
    breaker = _drawdown_trip()
    for _ in range(3):
        assert breaker.record_trade(Decimal(10_000), NOW + 2 * MIN) == ()  # still in cooldown
    events = breaker.tick(NOW + 31 * MIN)
    assert kinds(events) == [BreakerCoolingDown, BreakerResumed]
    assert events[1].reason == "DRAWDOWN: 3 winning trades in a row since the trip"
    assert breaker.state.peak_equity == Decimal(84_000_000)
    assert breaker.update(snapshot(84_000_000), NOW + 32 * MIN) == ()


def test_a_loss_breaks_the_win_streak() -> None:
    breaker = _drawdown_trip()
    for pnl in (1, 1, -1, 1, 1):
        breaker.record_trade(Decimal(pnl), NOW + 2 * MIN)
    breaker.tick(NOW + 31 * MIN)
    assert breaker.status is BreakerStatus.COOLING_DOWN


def test_peak_starts_from_the_accounts_peak_when_known() -> None:
    breaker = CircuitBreaker()
    events = breaker.update(snapshot(84_000_000, peak=100_000_000), NOW)
    assert kinds(events) == [TradingDayStarted, BreakerTripped]


# -- API errors ------------------------------------------------------------------------------


def test_an_api_error_burst_trips_and_expires() -> None:
    breaker = started()
    for i in range(4):
        assert breaker.record_error(NOW + i * MIN) == ()
    events = breaker.record_error(NOW + 4 * MIN)
    assert events[0].reason == "5 broker/API errors within 5 min reached the limit 5"
    events = breaker.tick(NOW + 4 * MIN + 30 * MIN)
    assert kinds(events) == [BreakerCoolingDown, BreakerResumed]
    assert events[1].reason == "API_ERRORS: 0 API errors within 5 min"


def test_spread_out_errors_do_not_trip() -> None:
    breaker = started()
    for i in range(10):
        assert breaker.record_error(NOW + i * 2 * MIN) == ()
    assert len(breaker.state.error_times) == 3


# -- escalation ------------------------------------------------------------------------------


def test_a_new_cause_while_cooling_down_trips_again_and_restarts_the_cooldown() -> None:
    breaker = _drawdown_trip()
    breaker.tick(NOW + 31 * MIN)
    assert breaker.status is BreakerStatus.COOLING_DOWN
    for _ in range(3):
        events = breaker.record_trade(Decimal(-1), NOW + 32 * MIN)
    assert kinds(events) == [BreakerTripped]
    tripped = events[0]
    assert isinstance(tripped, BreakerTripped)
    assert tripped.previous is BreakerStatus.COOLING_DOWN
    assert breaker.state.causes == {TriggerKind.DRAWDOWN, TriggerKind.CONSECUTIVE_LOSSES}
    assert breaker.state.tripped_at == NOW + 32 * MIN


def test_a_manual_only_cause_pins_the_trip() -> None:
    breaker = _drawdown_trip()
    events = breaker.update(snapshot(84_000_000, realized=-5_000_000), NOW + 2 * MIN)
    assert kinds(events) == [BreakerTripped]
    assert breaker.tick(NOW + timedelta(hours=3)) == ()
    assert breaker.status is BreakerStatus.TRIPPED
    assert kinds(breaker.resume(by="bob", now=NOW + timedelta(hours=3))) == [BreakerResumed]
    assert breaker.state.peak_equity == Decimal(84_000_000)
    assert breaker.update(snapshot(84_000_000, realized=-5_000_000), NOW + timedelta(hours=4)) == ()


# -- admission, days, misuse -----------------------------------------------------------------


def test_admission_previews_a_trip_without_changing_state() -> None:
    breaker = started()
    verdict = breaker.admits_new_risk(snapshot(realized=-3_500_000), NOW + MIN)
    assert not verdict.allowed
    assert verdict.reason == (
        "circuit breaker would trip: daily loss 3.5 % (both) reached the limit 3 %"
    )
    assert breaker.status is BreakerStatus.ARMED
    assert breaker.admits_new_risk(snapshot(), NOW + MIN).allowed


def test_the_trading_day_rolls_at_seven_in_seoul() -> None:
    breaker = CircuitBreaker()
    before = datetime(2026, 11, 20, 21, 59, tzinfo=UTC)  # 06:59 in Seoul on the 21st
    first = breaker.update(snapshot(), before)[0]
    assert isinstance(first, TradingDayStarted)
    assert first.day.isoformat() == "2026-11-20"
    second = breaker.update(snapshot(day_start=99_000_000), before + MIN)[0]
    assert isinstance(second, TradingDayStarted)
    assert second.day.isoformat() == "2026-11-21"
    assert breaker.state.day_start_equity == Decimal(99_000_000)


def test_the_base_currency_cannot_change() -> None:
    breaker = started()
    dollars = replace(
        snapshot(),
        base_currency=Currency.USD,
        equity=None,
        realized_pnl_today=None,
        unrealized_pnl_today=None,
    )
    with pytest.raises(InvariantError, match="breaker tracks KRW, account is in USD"):
        breaker.update(dollars, NOW)


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        CircuitBreaker().record_error(datetime(2026, 1, 1))
