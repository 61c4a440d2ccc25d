"""Fat-finger: one order may not spend more than a share of available cash (seed 000: 30 %).

Always measured on the cash available before the buffer, in the order's currency (or all
currencies converted, with ``cross_currency_cash``).
"""

from __future__ import annotations

from decimal import Decimal

from ouroboros.risk import _fmt
from ouroboros.risk.codes import CheckResult, RiskCode, denied, passed, resized, skipped
from ouroboros.risk.context import CheckContext


def check_fat_finger(ctx: CheckContext, quantity: Decimal) -> CheckResult:
    code = RiskCode.FAT_FINGER
    limit_pct = ctx.limits.max_order_pct_of_cash
    if limit_pct is None:
        return skipped(code, "fat-finger limit disabled")
    cash = ctx.cash
    if cash <= 0:
        return denied(code, f"no cash available in {ctx.currency.value}")
    notional = quantity * ctx.price
    share = notional / cash * 100
    text = (
        f"order {_fmt.money(notional, ctx.currency)} is {_fmt.pct(share, limit_pct)} % of "
        f"available cash {_fmt.money(cash, ctx.currency)}"
    )
    if share <= limit_pct:
        return passed(code, f"{text}, within the fat-finger limit {_fmt.plain(limit_pct)} %")
    cap = cash * limit_pct / 100 / ctx.price
    return resized(code, f"{text}, above the fat-finger limit {_fmt.plain(limit_pct)} %", cap)
