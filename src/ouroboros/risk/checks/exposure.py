"""Total exposure: all holdings together may not exceed a share of equity (seed 001: 80 %).

Gross exposure: the sum of absolute position values plus working buys, in the base currency.
"""

from __future__ import annotations

from decimal import Decimal

from ouroboros.risk import _fmt
from ouroboros.risk.codes import CheckResult, RiskCode, passed, resized, skipped
from ouroboros.risk.context import CheckContext


def gross_exposure(ctx: CheckContext) -> Decimal:
    return sum((abs(h.value) for h in ctx.holdings), Decimal(0))


def check_total_exposure(ctx: CheckContext, quantity: Decimal) -> CheckResult:
    code = RiskCode.TOTAL_EXPOSURE
    limit_pct = ctx.limits.max_total_exposure_pct
    if limit_pct is None:
        return skipped(code, "total-exposure limit disabled")
    current = gross_exposure(ctx)
    after_pct = ctx.pct_of_equity(current + ctx.order_value(quantity))
    text = f"total exposure {_fmt.pct(after_pct, limit_pct)} % of equity"
    if after_pct <= limit_pct:
        return passed(code, f"{text} within limit {_fmt.plain(limit_pct)} %")
    room = ctx.equity * limit_pct / 100 - current
    return resized(code, f"{text} exceeds limit {_fmt.plain(limit_pct)} %", room / ctx.unit_value)
