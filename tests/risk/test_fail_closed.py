"""Missing or stale data denies, naming what was missing; nothing is assumed to be zero."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from ouroboros.domain import OrderSide, StaticFxRates
from ouroboros.risk import (
    AccountView,
    CircuitBreaker,
    MarketState,
    PositionView,
    RiskCode,
    RiskDecision,
    RiskManager,
    Verdict,
)
from tests.risk.kit import APPLE, KRW, NOW, SAMSUNG, USD, account, intent, market, no_price


def denial(decision: RiskDecision) -> tuple[RiskCode, str]:
    assert decision.verdict is Verdict.DENY
    assert decision.quantity.is_zero
    blocking = [c for c in decision.checks if c.blocks]
    assert blocking, decision.checks
    return blocking[0].code, blocking[0].message


def evaluate(
    acct: AccountView | None = None,
    state: MarketState | None = None,
    manager: RiskManager | None = None,
    **intent_kwargs: object,
) -> RiskDecision:
    order = intent(**{"quantity": 10, **intent_kwargs})  # type: ignore[arg-type]
    return (manager or RiskManager()).evaluate(
        order, acct or account(), state or market(order.instrument), NOW
    )


def test_no_price_at_all_denies() -> None:
    assert denial(evaluate(state=no_price())) == (
        RiskCode.PRICE_DATA,
        "no last price or quote: cannot value the order",
    )


def test_a_stale_last_price_denies() -> None:
    assert denial(evaluate(state=market(age=timedelta(seconds=300)))) == (
        RiskCode.PRICE_DATA,
        "no usable price: last price is 300 s old, older than the limit 120 s",
    )


def test_a_stale_quote_is_ignored_when_the_last_price_is_fresh() -> None:
    state = market(bid=69_000, ask=71_000, quote_age=timedelta(minutes=10))
    decision = evaluate(state=state)
    assert decision.verdict is Verdict.APPROVE
    result = decision.check(RiskCode.PRICE_DATA)
    assert result is not None
    assert result.message == "last price 70000 (3 s old), mark 70000"


def test_stale_last_and_stale_quote_deny_with_both_reasons() -> None:
    state = market(age=timedelta(minutes=5), bid=69_000, ask=71_000, quote_age=timedelta(minutes=9))
    assert denial(evaluate(state=state)) == (
        RiskCode.PRICE_DATA,
        "no usable price: last price is 300 s old, older than the limit 120 s; "
        "quote is 540 s old, older than the limit 120 s",
    )


def test_a_price_from_the_future_denies() -> None:
    assert denial(evaluate(state=market(age=timedelta(seconds=-60)))) == (
        RiskCode.PRICE_DATA,
        "no usable price: last price is stamped 60 s in the future (2026-11-20T02:01:00+00:00)",
    )


def test_market_state_for_another_instrument_denies() -> None:
    assert denial(evaluate(state=market(APPLE))) == (
        RiskCode.PRICE_DATA,
        "market state is for AAPL.NASDAQ, the order is for 005930.KRX",
    )


@pytest.mark.parametrize(
    ("acct", "expected"),
    [
        (account(equity=None), "equity unknown"),
        (account(equity=0), "equity is 0 KRW, not positive"),
        (account(no_cash=True), "available cash unknown"),
        (account(equity=None, no_cash=True), "equity unknown; available cash unknown"),
    ],
)
def test_missing_account_data_denies(acct: AccountView, expected: str) -> None:
    assert denial(evaluate(acct)) == (RiskCode.ACCOUNT_DATA, expected)


def test_unknown_positions_deny() -> None:
    assert denial(evaluate(account(positions=None))) == (
        RiskCode.ACCOUNT_DATA,
        "positions unknown: cannot tell what the order adds to or reduces",
    )


def test_a_position_without_a_market_value_denies() -> None:
    unvalued = PositionView(SAMSUNG.id, Decimal(10), None)
    assert denial(evaluate(account(positions=[unvalued]))) == (
        RiskCode.ACCOUNT_DATA,
        "positions without a market value: 005930.KRX",
    )


def test_no_fx_source_for_a_foreign_order_denies() -> None:
    decision = evaluate(account(fx=None, cash={USD: 10_000}), instrument=APPLE, atr=5)
    assert denial(decision) == (RiskCode.FX_RATE, "no FX source: cannot convert USD to KRW")


def test_a_missing_fx_rate_denies() -> None:
    rates = StaticFxRates(KRW, {})
    decision = evaluate(account(fx=rates, cash={USD: 10_000}), instrument=APPLE, atr=5)
    assert denial(decision) == (
        RiskCode.FX_RATE,
        "no FX rate USD->KRW: no fx rate for USD against KRW",
    )


def test_no_fx_needed_for_a_home_market_order() -> None:
    assert evaluate(account(fx=None)).verdict is Verdict.APPROVE


def test_missing_pnl_denies_new_risk_when_the_breaker_needs_it() -> None:
    manager = RiskManager(breaker=CircuitBreaker())
    decision = evaluate(account(realized=None), manager=manager)
    assert denial(decision) == (
        RiskCode.PNL_DATA,
        "today's realized and unrealized P&L unknown: cannot verify the daily loss limit",
    )


def test_a_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        RiskManager().evaluate(
            intent(quantity=10), account(), market(), datetime(2026, 11, 20, 11, 0)
        )


def test_exits_only_need_a_price_and_the_positions() -> None:
    held = PositionView(SAMSUNG.id, Decimal(10), None)
    blind = AccountView(
        base_currency=KRW,
        equity=None,
        cash_available=None,
        positions={SAMSUNG.id: held},
        fx=None,
    )
    decision = RiskManager().evaluate(
        intent(quantity=10, side=OrderSide.SELL, risk_reducing=True), blind, market(), NOW
    )
    assert decision.verdict is Verdict.APPROVE


def test_exits_still_need_a_fresh_price() -> None:
    decision = evaluate(account(), state=no_price(), side=OrderSide.SELL, risk_reducing=True)
    assert denial(decision)[0] is RiskCode.PRICE_DATA
