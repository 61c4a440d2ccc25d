"""Cash: an order must be payable from available cash, keeping a buffer for fees and slippage.

The cost is the notional rounded *up* to the currency's minor unit, compared with the spendable
cash rounded *down*, so rounding can never let an order overdraw the account.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from ouroboros.risk import _fmt
from ouroboros.risk.codes import CheckResult, RiskCode, passed, resized
from ouroboros.risk.context import CheckContext


def spendable_cash(ctx: CheckContext) -> Decimal:
    """Available cash minus the buffer, rounded down to the currency's minor unit."""
    raw = ctx.cash * (100 - ctx.limits.cash_buffer_pct) / 100
    return ctx.currency.round(raw, ROUND_FLOOR)


def order_cost(ctx: CheckContext, quantity: Decimal) -> Decimal:
    """Notional at the risk price, rounded up to the currency's minor unit."""
    return ctx.currency.round(quantity * ctx.price, ROUND_CEILING)


def check_cash(ctx: CheckContext, quantity: Decimal) -> CheckResult:
    code = RiskCode.CASH
    spendable = spendable_cash(ctx)
    cost = order_cost(ctx, quantity)
    buffer = _fmt.plain(ctx.limits.cash_buffer_pct)
    text = (
        f"order costs {_fmt.money(cost, ctx.currency)}, spendable cash "
        f"{_fmt.money(spendable, ctx.currency)} (after a {buffer} % buffer)"
    )
    if cost <= spendable:
        return passed(code, text)
    return resized(code, f"{text}: insufficient cash", spendable / ctx.price)
