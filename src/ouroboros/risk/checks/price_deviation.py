"""Price sanity: a buy limit far above the market is a fat-fingered price, not a strategy."""

from __future__ import annotations

from ouroboros.domain import OrderSide
from ouroboros.risk import _fmt
from ouroboros.risk.codes import CheckResult, RiskCode, denied, passed, skipped
from ouroboros.risk.context import Facts


def check_price_deviation(facts: Facts) -> CheckResult:
    limit = facts.limits.max_price_deviation_pct
    if limit is None:
        return skipped(RiskCode.PRICE_DEVIATION, "price deviation check disabled")
    if facts.side is not OrderSide.BUY or facts.limit_price is None:
        return skipped(RiskCode.PRICE_DEVIATION, "no buy limit price to check")
    mark = facts.prices.mark
    deviation = (facts.limit_price - mark) / mark * 100
    if deviation > limit:
        return denied(
            RiskCode.PRICE_DEVIATION,
            f"limit price {facts.limit_price} is {_fmt.pct(deviation, limit)} % above the market "
            f"{mark}, limit {_fmt.plain(limit)} %",
        )
    return passed(
        RiskCode.PRICE_DEVIATION,
        f"limit price {facts.limit_price} within {_fmt.plain(limit)} % of the market {mark}",
    )
