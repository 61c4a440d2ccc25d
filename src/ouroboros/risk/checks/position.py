"""Position limit: one instrument may not exceed a share of equity after the order.

20 % by default (seed 003), 10 % for technical-analysis sources (seed 001). The existing holding
and working buys for the instrument count, valued at their market value in the base currency.
"""

from __future__ import annotations

from decimal import Decimal

from ouroboros.risk import _fmt
from ouroboros.risk.codes import CheckResult, RiskCode, passed, resized, skipped
from ouroboros.risk.context import CheckContext


def check_position_limit(ctx: CheckContext, quantity: Decimal) -> CheckResult:
    code = RiskCode.POSITION_LIMIT
    limit_pct = ctx.limits.position_cap_pct(ctx.intent.source)
    if limit_pct is None:
        return skipped(code, "position limit disabled")
    current = ctx.own_value
    after = current + ctx.order_value(quantity)
    after_pct = ctx.pct_of_equity(after)
    profile = " (TA profile)" if ctx.intent.source.is_ta else ""
    text = f"position {_fmt.pct(after_pct, limit_pct)} % of equity"
    if after_pct <= limit_pct:
        return passed(code, f"{text} within limit {_fmt.plain(limit_pct)} %{profile}")
    room = ctx.equity * limit_pct / 100 - current
    return resized(
        code, f"{text} exceeds limit {_fmt.plain(limit_pct)} %{profile}", room / ctx.unit_value
    )
