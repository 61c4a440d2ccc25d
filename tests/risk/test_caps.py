"""Each quantity limit on its own: exact verdicts, messages and resized quantities.

Default world (see kit): equity 100,000,000 KRW, cash 50,000,000 KRW, Samsung at 70,000,
ATR 1,000 (stop distance 2,000). Each test isolates one limit by making it the binding one.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from ouroboros.domain import Instrument, Money
from ouroboros.risk import (
    DEFAULT_LIMITS,
    CheckStatus,
    IntentSource,
    RiskCode,
    RiskDecision,
    RiskLimits,
    RiskManager,
    Verdict,
    allocation_pct,
)
from tests.risk.kit import (
    HYNIX,
    HYUNDAI,
    JPY,
    KRW,
    NOW,
    SAMSUNG,
    TOYOTA,
    USD,
    account,
    intent,
    market,
    position,
)


def evaluate(
    order: object = None, *, limits: RiskLimits = DEFAULT_LIMITS, **account_kwargs: object
) -> RiskDecision:
    the_intent = order if order is not None else intent(quantity=100)
    instrument = the_intent.instrument  # type: ignore[attr-defined]
    return RiskManager(limits).evaluate(
        the_intent,  # type: ignore[arg-type]
        account(**account_kwargs),  # type: ignore[arg-type]
        market(instrument),
        NOW,
    )


def message(decision: RiskDecision, code: RiskCode) -> str:
    result = decision.check(code)
    assert result is not None, f"{code} did not run: {decision.checks}"
    return result.message


def test_a_small_order_is_approved_unchanged_with_every_check_recorded() -> None:
    decision = evaluate(intent(quantity=100))
    assert decision.verdict is Verdict.APPROVE
    assert decision.quantity.value == 100
    assert decision.reasons == ()
    ran = {c.code for c in decision.checks}
    assert {
        RiskCode.FAT_FINGER,
        RiskCode.CASH,
        RiskCode.POSITION_LIMIT,
        RiskCode.SECTOR_LIMIT,
        RiskCode.MAX_POSITIONS,
        RiskCode.TOTAL_EXPOSURE,
        RiskCode.RISK_PER_TRADE,
        RiskCode.MIN_CONFIDENCE,
        RiskCode.MARKET_OPEN,
        RiskCode.LOT_SIZE,
    } <= ran
    assert message(decision, RiskCode.POSITION_LIMIT) == (
        "position 7.0 % of equity within limit 20 %"
    )


def test_fat_finger_resizes_to_30_percent_of_available_cash() -> None:
    decision = evaluate(intent(quantity=250))
    assert decision.verdict is Verdict.RESIZE
    assert decision.quantity.value == 214
    assert decision.requested is not None
    assert decision.requested.value == 250
    assert decision.codes == (RiskCode.FAT_FINGER,)
    assert message(decision, RiskCode.FAT_FINGER) == (
        "order 17,500,000 KRW is 35.0 % of available cash 50,000,000 KRW, above the "
        "fat-finger limit 30 % (at most 214.28 shares)"
    )


def test_fat_finger_denies_when_there_is_no_cash_in_the_order_currency() -> None:
    decision = evaluate(intent(TOYOTA, quantity=100, atr=30))
    assert decision.verdict is Verdict.DENY
    assert message(decision, RiskCode.FAT_FINGER) == "no cash available in JPY"


def test_position_limit_counts_the_existing_holding() -> None:
    decision = evaluate(
        intent(quantity=200), cash={KRW: 100_000_000}, positions=[position(SAMSUNG, 100)]
    )
    assert decision.verdict is Verdict.RESIZE
    assert decision.quantity.value == 185
    assert decision.codes == (RiskCode.POSITION_LIMIT,)
    assert message(decision, RiskCode.POSITION_LIMIT) == (
        "position 21.0 % of equity exceeds limit 20 % (at most 185.71 shares)"
    )


def test_position_limit_counts_working_buy_orders() -> None:
    working = position(SAMSUNG, 0, open_buy=7_000_000)
    decision = evaluate(intent(quantity=200), cash={KRW: 100_000_000}, positions=[working])
    assert decision.quantity.value == 185


def test_ta_sources_get_the_10_percent_position_profile() -> None:
    ta = intent(quantity=150, source=IntentSource.TA, confidence="0.65")
    decision = evaluate(ta)
    assert decision.verdict is Verdict.RESIZE
    assert decision.quantity.value == 142
    assert message(decision, RiskCode.POSITION_LIMIT) == (
        "position 10.5 % of equity exceeds limit 10 % (TA profile) (at most 142.85 shares)"
    )
    assert message(decision, RiskCode.MIN_CONFIDENCE) == (
        "confidence 65.0 % meets the minimum 60 % for ta"
    )


def test_sector_limit_sums_the_sector_after_the_order() -> None:
    decision = evaluate(intent(quantity=100), positions=[position(HYNIX, 120)])
    assert decision.verdict is Verdict.RESIZE
    assert decision.quantity.value == 85
    assert decision.codes == (RiskCode.SECTOR_LIMIT,)
    assert message(decision, RiskCode.SECTOR_LIMIT) == (
        "sector 'Tech' 31.0 % of equity exceeds limit 30 % (at most 85.71 shares)"
    )


def test_account_sector_map_overrides_the_instrument_sector() -> None:
    decision = evaluate(
        intent(quantity=100),
        positions=[position(HYNIX, 120)],
        sectors={HYNIX.id: "Semiconductors", SAMSUNG.id: "Semiconductors"},
    )
    assert message(decision, RiskCode.SECTOR_LIMIT).startswith("sector 'Semiconductors' 31.0 %")


def test_unknown_sectors_share_one_bucket() -> None:
    nameless = Instrument.for_venue("000001.KRX")
    other = Instrument.for_venue("000002.KRX")
    held = position(other, 250, price=100_000)  # 25 % in the unknown bucket
    decision = RiskManager().evaluate(
        intent(nameless, quantity=100),
        account(positions=[held]),
        market(nameless, 100_000),
        NOW,
    )
    assert decision.quantity.value == 50
    assert message(decision, RiskCode.SECTOR_LIMIT).startswith(
        "sector '(unknown sector)' 35.0 % of equity exceeds limit 30 %"
    )


def _small_holdings(count: int) -> list[object]:
    return [
        position(Instrument.for_venue(f"1000{i:02d}.KRX", sector=f"S{i}"), 10, price=10_000)
        for i in range(count)
    ]


def test_a_new_position_beyond_the_count_limit_is_denied() -> None:
    decision = evaluate(intent(quantity=10), positions=_small_holdings(10))
    assert decision.verdict is Verdict.DENY
    assert decision.codes == (RiskCode.MAX_POSITIONS,)
    assert message(decision, RiskCode.MAX_POSITIONS) == (
        "open positions 10: a new one would exceed the limit 10"
    )


def test_adding_to_an_open_position_is_not_a_new_one() -> None:
    holdings = [*_small_holdings(9), position(SAMSUNG, 10)]
    decision = evaluate(intent(quantity=10), positions=holdings)
    assert decision.verdict is Verdict.APPROVE
    assert message(decision, RiskCode.MAX_POSITIONS) == (
        "adds to an open position (open positions 10, limit 10)"
    )


def test_total_exposure_resizes_to_80_percent_of_equity() -> None:
    others = [
        position(HYNIX, 90),
        position(HYUNDAI, 72),
        position(Instrument.for_venue("105560.KRX", sector="Bank"), 300, price=60_000),
        position(Instrument.for_venue("207940.KRX", sector="Bio"), 20, price=900_000),
    ]
    decision = evaluate(intent(quantity=150), positions=others)
    assert decision.verdict is Verdict.RESIZE
    assert decision.quantity.value == 114
    assert decision.codes == (RiskCode.TOTAL_EXPOSURE,)
    assert message(decision, RiskCode.TOTAL_EXPOSURE) == (
        "total exposure 82.5 % of equity exceeds limit 80 % (at most 114.28 shares)"
    )


def test_risk_per_trade_caps_quantity_with_a_2_atr_stop() -> None:
    decision = evaluate(intent(quantity=150, atr=5000))
    assert decision.verdict is Verdict.RESIZE
    assert decision.quantity.value == 100
    assert decision.codes == (RiskCode.RISK_PER_TRADE,)
    assert message(decision, RiskCode.RISK_PER_TRADE) == (
        "loss at the stop (2 x ATR 5000) 1.5 % of equity exceeds limit 1 % (at most 100 shares)"
    )


def test_an_explicit_stop_loss_wins_over_atr() -> None:
    decision = evaluate(
        intent(quantity=250, atr=5000, stop_loss=65_000),
        limits=replace(DEFAULT_LIMITS, max_order_pct_of_cash=None),
    )
    assert decision.quantity.value == 200
    assert message(decision, RiskCode.RISK_PER_TRADE) == (
        "loss at the stop (stop-loss 65000) 1.2 % of equity exceeds limit 1 % (at most 200 shares)"
    )


def test_a_stop_loss_above_the_entry_is_denied() -> None:
    decision = evaluate(intent(quantity=10, stop_loss=71_000))
    assert decision.verdict is Verdict.DENY
    assert message(decision, RiskCode.RISK_PER_TRADE) == (
        "stop-loss 71000 is not below the entry price 70000"
    )


def test_an_entry_without_stop_or_atr_is_denied() -> None:
    decision = evaluate(intent(quantity=10, atr=None))
    assert decision.verdict is Verdict.DENY
    assert message(decision, RiskCode.RISK_PER_TRADE) == (
        "no stop-loss and no ATR: the loss per trade cannot be bounded"
    )


def test_cash_keeps_a_buffer_and_rounds_against_overdraft() -> None:
    limits = replace(DEFAULT_LIMITS, max_order_pct_of_cash=None)
    decision = evaluate(intent(quantity=20), limits=limits, cash={KRW: 1_000_000})
    assert decision.quantity.value == 14
    assert decision.codes == (RiskCode.CASH,)
    assert message(decision, RiskCode.CASH) == (
        "order costs 1,400,000 KRW, spendable cash 990,000 KRW (after a 1 % buffer): "
        "insufficient cash (at most 14.14 shares)"
    )


def test_cross_currency_cash_counts_converted_balances() -> None:
    limits = replace(DEFAULT_LIMITS, cross_currency_cash=True)
    decision = evaluate(intent(TOYOTA, quantity=100, atr=30), limits=limits, cash={KRW: 50_000_000})
    assert decision.verdict is Verdict.APPROVE
    assert message(decision, RiskCode.FAT_FINGER).startswith(
        "order 300,000 JPY is 5.7 % of available cash 5,263,158 JPY"
    )


@pytest.mark.parametrize(
    ("score", "expected"),
    [(None, "5"), ("50", "5"), ("100", "2.5"), ("20", "10"), ("0", "10"), ("1000", "1")],
)
def test_volatility_targeted_allocation(score: str | None, expected: str) -> None:
    value = Decimal(score) if score is not None else None
    assert allocation_pct(DEFAULT_LIMITS, value) == Decimal(expected)


def test_allocation_ignores_the_score_when_sizing_is_disabled() -> None:
    limits = replace(DEFAULT_LIMITS, sizing_enabled=False)
    assert allocation_pct(limits, Decimal(100)) == Decimal(5)


def test_size_me_entries_get_the_volatility_targeted_allocation() -> None:
    decision = evaluate(intent(volatility=100))
    assert decision.verdict is Verdict.APPROVE
    assert decision.quantity.value == 35
    assert message(decision, RiskCode.SIZING) == (
        "volatility score 100 vs target 50: allocation 2.5 % of equity = 2,500,000 KRW"
    )


def test_size_me_is_still_capped_by_the_limits() -> None:
    decision = evaluate(intent(volatility=20, atr=5000))
    assert decision.verdict is Verdict.RESIZE
    assert decision.requested is not None
    assert decision.requested.value == 142
    assert decision.quantity.value == 100
    assert decision.codes == (RiskCode.RISK_PER_TRADE,)


def test_notional_in_another_currency_is_converted() -> None:
    decision = evaluate(intent(notional=Money(Decimal(1000), USD)))
    assert decision.verdict is Verdict.APPROVE
    assert decision.quantity.value == 20
    assert message(decision, RiskCode.SIZING) == "notional 1,000.00 USD at 70000 is 20 shares"


def test_a_cap_below_one_lot_denies_with_the_binding_limit() -> None:
    held = position(TOYOTA, 700)  # 700 x 3,000 JPY x 9.5 = 19,950,000 KRW = 19.95 %
    decision = evaluate(
        intent(TOYOTA, quantity=100, atr=30), cash={JPY: 5_000_000}, positions=[held]
    )
    assert decision.verdict is Verdict.DENY
    result = decision.check(RiskCode.POSITION_LIMIT)
    assert result is not None
    assert result.status is CheckStatus.DENY
    assert result.message == (
        "position 22.8 % of equity exceeds limit 20 % (at most 1.75 shares); not even one lot "
        "(100) fits"
    )
