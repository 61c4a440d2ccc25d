"""Exits, stops and liquidations: verified against the account, never blocked by limits."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from ouroboros.domain import Instrument, Money, OrderSide
from ouroboros.risk import (
    BreakerConfig,
    CheckStatus,
    CircuitBreaker,
    RiskCode,
    RiskDecision,
    RiskManager,
    Verdict,
)
from ouroboros.risk.manager import EXEMPT_WHEN_REDUCING
from tests.risk.kit import KRW, NOW, SAMSUNG, TOYOTA, account, intent, market, position


def sell(quantity: int | None = None, **kwargs: object) -> object:
    return intent(side=OrderSide.SELL, quantity=quantity, **kwargs)  # type: ignore[arg-type]


def run(
    order: object, manager: RiskManager | None = None, **account_kwargs: object
) -> RiskDecision:
    instrument = order.instrument  # type: ignore[attr-defined]
    return (manager or RiskManager()).evaluate(
        order,  # type: ignore[arg-type]
        account(**account_kwargs),  # type: ignore[arg-type]
        market(instrument),
        NOW,
    )


def test_a_partial_sell_is_approved_and_exempt_from_the_limits() -> None:
    decision = run(sell(50), positions=[position(SAMSUNG, 100)])
    assert decision.verdict is Verdict.APPROVE
    assert decision.risk_reducing
    assert decision.quantity.value == 50
    for code in EXEMPT_WHEN_REDUCING:
        result = decision.check(code)
        assert result is not None, code
        assert result.status is CheckStatus.SKIP, code
    reducing = decision.check(RiskCode.RISK_REDUCING)
    assert reducing is not None
    assert reducing.message == "reduces the long position of 100"


def test_a_sell_larger_than_the_holding_is_capped_at_it() -> None:
    decision = run(sell(150), positions=[position(SAMSUNG, 100)])
    assert decision.verdict is Verdict.RESIZE
    assert decision.quantity.value == 100
    assert decision.reasons[0].message == (
        "SELL of 150 exceeds the 100 that can be closed; capped so the exit cannot open a new "
        "position (at most 100 shares)"
    )


def test_working_sells_reduce_what_can_still_be_sold() -> None:
    decision = run(sell(100), positions=[position(SAMSUNG, 100, open_sells=40)])
    assert decision.quantity.value == 60


def test_size_me_on_an_exit_closes_the_whole_position() -> None:
    decision = run(sell(risk_reducing=True), positions=[position(SAMSUNG, 37)])
    assert decision.verdict is Verdict.APPROVE
    assert decision.quantity.value == 37


def test_a_notional_exit_is_converted_and_capped() -> None:
    order = sell(notional=Money(Decimal(1_000_000), KRW))
    decision = run(order, positions=[position(SAMSUNG, 100)])
    assert decision.quantity.value == 14


def test_a_sell_without_a_long_position_is_denied() -> None:
    decision = run(sell(10))
    assert decision.verdict is Verdict.DENY
    assert decision.reasons[0].message == (
        "sell with no long position (holding 0); short selling is not supported"
    )


def test_a_buy_claiming_to_reduce_risk_is_denied() -> None:
    decision = run(intent(quantity=10, risk_reducing=True), positions=[position(SAMSUNG, 5)])
    assert decision.verdict is Verdict.DENY
    assert decision.reasons[0].message == (
        "marked risk-reducing but a buy adds to the position of 5"
    )


def test_a_buy_covering_a_short_is_risk_reducing_and_capped() -> None:
    decision = run(intent(quantity=80, risk_reducing=True), positions=[position(SAMSUNG, -50)])
    assert decision.verdict is Verdict.RESIZE
    assert decision.risk_reducing
    assert decision.quantity.value == 50


def test_exits_ignore_low_confidence() -> None:
    decision = run(sell(10, confidence="0.1"), positions=[position(SAMSUNG, 10)])
    assert decision.verdict is Verdict.APPROVE


def test_an_exit_is_rounded_down_to_the_sell_lot() -> None:
    decision = run(sell(150, instrument=TOYOTA), positions=[position(TOYOTA, 150)])
    assert decision.quantity.value == 100
    china = Instrument.for_venue("600519.SSE", sector="Consumer")
    odd = RiskManager().evaluate(
        sell(150, instrument=china),  # type: ignore[arg-type]
        account(positions=[position(china, 150, price=1500)]),
        market(china, 1500),
        NOW,
    )
    assert odd.quantity.value == 150  # A-share sells may close an odd remainder


def _tripped_breaker() -> CircuitBreaker:
    breaker = CircuitBreaker(BreakerConfig(max_api_errors=2))
    for seconds in (0, 1):
        breaker.record_error(NOW - timedelta(seconds=10 - seconds))
    assert breaker.is_tripped
    return breaker


def test_a_tripped_breaker_blocks_entries() -> None:
    manager = RiskManager(breaker=_tripped_breaker())
    decision = run(intent(quantity=10), manager)
    assert decision.verdict is Verdict.DENY
    assert decision.reasons[0].code is RiskCode.CIRCUIT_BREAKER
    assert decision.reasons[0].message == (
        "circuit breaker TRIPPED: 2 broker/API errors within 5 min reached the limit 2"
    )


def test_a_tripped_breaker_lets_exits_through() -> None:
    manager = RiskManager(breaker=_tripped_breaker())
    decision = run(sell(10, risk_reducing=True), manager, positions=[position(SAMSUNG, 10)])
    assert decision.verdict is Verdict.APPROVE
    result = decision.check(RiskCode.CIRCUIT_BREAKER)
    assert result is not None
    assert result.message == "exempt: the order reduces risk (circuit breaker TRIPPED)"
