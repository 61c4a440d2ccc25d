"""Sector limit: one sector may not exceed a share of equity after the order (seed 003: 30 %).

Instruments of unknown sector share one bucket, so missing reference data tightens the limit
rather than switching it off.
"""

from __future__ import annotations

from decimal import Decimal

from ouroboros.risk import _fmt
from ouroboros.risk.codes import CheckResult, RiskCode, passed, resized, skipped
from ouroboros.risk.context import CheckContext


def sector_value(ctx: CheckContext) -> Decimal:
    """The order's sector's current value in the base currency (working buys included)."""
    return sum((h.value for h in ctx.holdings if h.sector == ctx.sector), Decimal(0))


def check_sector_limit(ctx: CheckContext, quantity: Decimal) -> CheckResult:
    code = RiskCode.SECTOR_LIMIT
    limit_pct = ctx.limits.max_sector_pct
    if limit_pct is None:
        return skipped(code, "sector limit disabled")
    current = sector_value(ctx)
    after_pct = ctx.pct_of_equity(current + ctx.order_value(quantity))
    text = f"sector {ctx.sector!r} {_fmt.pct(after_pct, limit_pct)} % of equity"
    if after_pct <= limit_pct:
        return passed(code, f"{text} within limit {_fmt.plain(limit_pct)} %")
    room = ctx.equity * limit_pct / 100 - current
    return resized(code, f"{text} exceeds limit {_fmt.plain(limit_pct)} %", room / ctx.unit_value)
