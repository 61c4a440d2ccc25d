"""Pass/deny gates: confidence, market open, tick grid, price sanity and whole lots."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from ouroboros.domain import Money, OrderSide, OrderType
from ouroboros.risk import (
    DEFAULT_LIMITS,
    CheckStatus,
    IntentSource,
    OrderIntent,
    RiskCode,
    RiskDecision,
    RiskLimits,
    RiskManager,
    TickPolicy,
    Verdict,
)
from ouroboros.risk.market import MarketState
from tests.risk.kit import JPY, KRW, NOW, SAMSUNG, TOYOTA, account, intent, market, position


def run(
    order: OrderIntent,
    *,
    limits: RiskLimits = DEFAULT_LIMITS,
    state: MarketState | None = None,
    **account_kwargs: object,
) -> RiskDecision:
    return RiskManager(limits).evaluate(
        order,
        account(**account_kwargs),  # type: ignore[arg-type]
        state or market(order.instrument),
        NOW,
    )


def only(decision: RiskDecision, code: RiskCode) -> tuple[CheckStatus, str]:
    result = decision.check(code)
    assert result is not None, f"{code} did not run"
    return result.status, result.message


def test_low_confidence_is_denied_with_the_threshold_in_percent() -> None:
    decision = run(intent(quantity=10, confidence="0.75"))
    assert decision.verdict is Verdict.DENY
    assert only(decision, RiskCode.MIN_CONFIDENCE) == (
        CheckStatus.DENY,
        "confidence 75.0 % is below the minimum 80 % for playbook",
    )


def test_ta_confidence_uses_the_ta_threshold() -> None:
    decision = run(intent(quantity=10, confidence="0.55", source=IntentSource.TA))
    assert only(decision, RiskCode.MIN_CONFIDENCE) == (
        CheckStatus.DENY,
        "confidence 55.0 % is below the minimum 60 % for ta",
    )


def test_closed_market_is_denied() -> None:
    decision = run(intent(quantity=10), state=market(is_open=False))
    assert decision.verdict is Verdict.DENY
    assert only(decision, RiskCode.MARKET_OPEN) == (CheckStatus.DENY, "KRX is closed")


def test_unknown_session_status_is_denied() -> None:
    decision = run(intent(quantity=10), state=market(is_open=None))
    assert only(decision, RiskCode.MARKET_OPEN) == (
        CheckStatus.DENY,
        "session status of KRX unknown",
    )


def _limit_buy(price: int, side: OrderSide = OrderSide.BUY) -> OrderIntent:
    return intent(quantity=10, order_type=OrderType.LIMIT, limit=price, side=side)


def test_off_tick_buy_limit_snaps_down_by_default() -> None:
    decision = run(_limit_buy(70_050))
    assert decision.verdict is Verdict.APPROVE
    assert decision.limit_price is not None
    assert decision.limit_price.value == 70_000
    assert only(decision, RiskCode.TICK_SIZE) == (
        CheckStatus.ADJUST,
        "limit price 70050 snapped down to 70000 (tick 100)",
    )


def test_off_tick_sell_limit_snaps_up() -> None:
    order = _limit_buy(70_050, side=OrderSide.SELL)
    decision = run(order, positions=[position(SAMSUNG, 10)])
    assert decision.limit_price is not None
    assert decision.limit_price.value == 70_100


def test_off_tick_stop_snaps_to_the_protective_side() -> None:
    order = intent(
        quantity=10,
        side=OrderSide.SELL,
        order_type=OrderType.STOP,
        stop=65_030,
        risk_reducing=True,
    )
    decision = run(order, positions=[position(SAMSUNG, 10)])
    assert decision.verdict is Verdict.APPROVE
    assert decision.stop_price is not None
    assert decision.stop_price.value == 65_100


def test_off_tick_price_is_denied_under_the_reject_policy() -> None:
    limits = replace(DEFAULT_LIMITS, tick_policy=TickPolicy.REJECT)
    decision = run(_limit_buy(70_050), limits=limits)
    assert decision.verdict is Verdict.DENY
    assert only(decision, RiskCode.TICK_SIZE) == (
        CheckStatus.DENY,
        "limit price 70050 is off the KRX-2023 tick 100",
    )


def test_on_tick_prices_pass() -> None:
    assert only(run(_limit_buy(69_900)), RiskCode.TICK_SIZE) == (
        CheckStatus.PASS,
        "prices on the tick grid",
    )


def test_a_buy_limit_far_above_the_market_is_denied() -> None:
    decision = run(_limit_buy(80_000))
    assert decision.verdict is Verdict.DENY
    assert only(decision, RiskCode.PRICE_DEVIATION) == (
        CheckStatus.DENY,
        "limit price 80000 is 14.3 % above the market 70000, limit 10 %",
    )


def test_a_decision_made_at_a_price_the_market_left_is_denied() -> None:
    decision = run(intent(quantity=10, reference=62_000))
    assert decision.verdict is Verdict.DENY
    assert only(decision, RiskCode.PRICE_DEVIATION) == (
        CheckStatus.DENY,
        "decided at 62000, 11.4 % below the market 70000, limit 10 %",
    )


def test_a_recent_reference_price_passes() -> None:
    decision = run(intent(quantity=10, reference=71_000))
    assert only(decision, RiskCode.PRICE_DEVIATION) == (
        CheckStatus.PASS,
        "reference price 71000 within 10 % of the market 70000",
    )


def test_buy_limit_above_market_is_used_as_the_risk_price() -> None:
    decision = run(intent(quantity=300, order_type=OrderType.LIMIT, limit=75_000))
    # 30 % of 50,000,000 cash at the limit price 75,000 is 200 shares.
    assert decision.quantity.value == 200


def test_ask_is_the_risk_price_when_it_is_above_the_last_trade() -> None:
    state = market(bid=69_900, ask=71_000)
    decision = run(intent(quantity=300), state=state)
    assert decision.quantity.value == 211  # 15,000,000 / 71,000


def test_explicit_quantity_is_rounded_down_to_whole_lots() -> None:
    decision = run(intent(TOYOTA, quantity=150, atr=30), cash={KRW: 1, JPY: 5_000_000})
    assert decision.verdict is Verdict.RESIZE
    assert decision.quantity.value == 100
    assert only(decision, RiskCode.LOT_SIZE) == (
        CheckStatus.RESIZE,
        "quantity 150 is not a whole number of lots of 100: rounded down (at most 100 shares)",
    )


def test_quantity_below_one_lot_is_denied() -> None:
    decision = run(intent(TOYOTA, quantity=50, atr=30), cash={JPY: 5_000_000})
    assert decision.verdict is Verdict.DENY
    assert only(decision, RiskCode.LOT_SIZE) == (
        CheckStatus.DENY,
        "quantity 50 is below one lot of 100",
    )


def test_a_notional_is_sized_in_whole_lots_and_still_approved() -> None:
    order = intent(TOYOTA, notional=Money(Decimal(500_000), JPY), atr=30)
    decision = run(order, cash={JPY: 5_000_000})
    assert decision.verdict is Verdict.APPROVE
    assert decision.quantity.value == 100
