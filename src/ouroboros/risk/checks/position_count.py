"""Open-position count: at most N instruments held or being bought (seed 003: 10).

Adding to an existing position never counts as a new one; opening one more than the limit is
denied outright (no smaller order fits).
"""

from __future__ import annotations

from decimal import Decimal

from ouroboros.risk.codes import CheckResult, RiskCode, denied, passed, skipped
from ouroboros.risk.context import CheckContext


def check_position_count(ctx: CheckContext, quantity: Decimal) -> CheckResult:
    code = RiskCode.MAX_POSITIONS
    limit = ctx.limits.max_open_positions
    if limit is None:
        return skipped(code, "position-count limit disabled")
    count = ctx.open_positions
    if not ctx.is_new_position:
        return passed(code, f"adds to an open position (open positions {count}, limit {limit})")
    if quantity > 0 and count + 1 > limit:
        return denied(code, f"open positions {count}: a new one would exceed the limit {limit}")
    return passed(code, f"open positions after the order {count + 1}, limit {limit}")
