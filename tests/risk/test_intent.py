"""OrderIntent refuses structurally impossible requests at construction."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from ouroboros.domain import Money, OrderSide, OrderType, Price, Quantity
from ouroboros.risk import IntentSource, OrderIntent, SizingMode
from tests.risk.kit import KRW, SAMSUNG, intent


def test_sizing_mode_follows_what_was_given() -> None:
    assert intent(quantity=10).sizing is SizingMode.QUANTITY
    assert intent(notional=Money(Decimal(1_000_000), KRW)).sizing is SizingMode.NOTIONAL
    assert intent().sizing is SizingMode.SIZE_ME


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"quantity": Quantity(Decimal(1)), "notional": Money(Decimal(1), KRW)},
            "quantity or notional, not both",
        ),
        ({"quantity": Quantity(Decimal(0))}, "invalid quantity, was 0"),
        ({"notional": Money(Decimal(-5), KRW)}, "invalid notional"),
        ({"confidence": Decimal("1.2")}, "confidence must be a Decimal in [0, 1]"),
        ({"order_type": OrderType.LIMIT}, "LIMIT needs a limit price"),
        ({"order_type": OrderType.STOP}, "STOP needs a stop price"),
        ({"limit_price": Price(Decimal(1))}, "MARKET takes no limit price"),
        ({"atr": Decimal(0)}, "invalid ATR"),
        ({"volatility_score": Decimal(-1)}, "invalid volatility score"),
        ({"stop_loss": Price(Decimal(0))}, "invalid stop-loss price"),
    ],
)
def test_impossible_intents_raise(kwargs: dict[str, object], message: str) -> None:
    base: dict[str, object] = {
        "instrument": SAMSUNG,
        "side": OrderSide.BUY,
        "confidence": Decimal("0.9"),
        "source": IntentSource.PLAYBOOK,
    }
    base.update(kwargs)
    with pytest.raises(ValueError, match=re.escape(message)):
        OrderIntent(**base)  # type: ignore[arg-type]


def test_ta_sources_share_the_ta_profile() -> None:
    assert IntentSource.TA.is_ta
    assert IntentSource.TA_ML.is_ta
    assert not IntentSource.LLM.is_ta
