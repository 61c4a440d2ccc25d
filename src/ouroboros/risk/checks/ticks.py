"""Tick validity: exchanges reject off-grid prices, and a rejected stop-loss protects nothing.

Off-tick limit and stop prices are denied or snapped per :class:`TickPolicy`. Snapping goes to
the passive side: buys down (never pay more), sells up (never sell for less, stops fire no later).
"""

from __future__ import annotations

from decimal import Decimal

from ouroboros.domain import OrderSide, Price, PriceRounding
from ouroboros.risk.codes import CheckResult, CheckStatus, RiskCode, denied, passed, skipped
from ouroboros.risk.intent import OrderIntent
from ouroboros.risk.limits import RiskLimits, TickPolicy


def check_ticks(
    intent: OrderIntent, limits: RiskLimits
) -> tuple[Decimal | None, Decimal | None, CheckResult]:
    """The (possibly snapped) limit and stop prices, and the verdict."""
    instrument = intent.instrument
    mode = PriceRounding.DOWN if intent.side is OrderSide.BUY else PriceRounding.UP
    prices: dict[str, Decimal | None] = {"limit": None, "stop": None}
    off: list[str] = []
    snapped: list[str] = []
    for label, price in (("limit", intent.limit_price), ("stop", intent.stop_price)):
        if price is None:
            continue
        if instrument.is_valid_price(price):
            prices[label] = price.value
            continue
        tick = instrument.tick_size(price)
        if limits.tick_policy is TickPolicy.REJECT:
            off.append(f"{label} price {price} is off the {instrument.tick_table.name} tick {tick}")
            continue
        new: Price = instrument.round_price(price, mode)
        prices[label] = new.value
        snapped.append(f"{label} price {price} snapped {mode.value} to {new} (tick {tick})")
    if off:
        return None, None, denied(RiskCode.TICK_SIZE, "; ".join(off))
    if snapped:
        result = CheckResult(RiskCode.TICK_SIZE, CheckStatus.ADJUST, "; ".join(snapped))
        return prices["limit"], prices["stop"], result
    if intent.limit_price is None and intent.stop_price is None:
        return None, None, skipped(RiskCode.TICK_SIZE, "market order: no price to check")
    return prices["limit"], prices["stop"], passed(RiskCode.TICK_SIZE, "prices on the tick grid")
