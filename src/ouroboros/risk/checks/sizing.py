"""How many shares an entry asks for: explicit, from a notional, or volatility-targeted.

Volatility targeting (seed 000's ``POSITION_*`` settings): a calm stock gets a larger slice of
equity, a wild one a smaller slice, so each position contributes similar risk::

    allocation % = clamp(base % × target score / volatility score, min %, max %)

With the defaults (base 5 %, target 50, min 1 %, max 10 %) a score of 50 allocates 5 %, 100
allocates 2.5 %, 20 allocates 10 % (capped), and 0 - no measurable volatility - the maximum.
With sizing disabled or no score, the base allocation applies.
"""

from __future__ import annotations

from decimal import Decimal

from ouroboros.risk import _fmt
from ouroboros.risk.codes import CheckResult, RiskCode, passed
from ouroboros.risk.context import CheckContext
from ouroboros.risk.limits import RiskLimits


def allocation_pct(limits: RiskLimits, volatility_score: Decimal | None) -> Decimal:
    """The share of equity (percent) a "size me" entry gets at this volatility score."""
    if not limits.sizing_enabled or volatility_score is None:
        return limits.base_allocation_pct
    if volatility_score <= 0:
        return limits.max_allocation_pct
    raw = limits.base_allocation_pct * limits.volatility_target_score / volatility_score
    return min(max(raw, limits.min_allocation_pct), limits.max_allocation_pct)


def size_entry(ctx: CheckContext) -> tuple[Decimal, CheckResult]:
    """The requested quantity of a risk-increasing order (before caps and lot rounding)."""
    intent = ctx.intent
    if intent.quantity is not None:
        quantity = intent.quantity.value
        return quantity, passed(RiskCode.SIZING, f"requested {_fmt.qty(quantity)} shares")
    if intent.notional is not None and ctx.notional_local is not None:
        quantity = ctx.notional_local / ctx.price
        return quantity, passed(
            RiskCode.SIZING,
            f"notional {intent.notional} at {ctx.price} is {_fmt.approx(quantity)} shares",
        )
    alloc = allocation_pct(ctx.limits, intent.volatility_score)
    target_value = ctx.equity * alloc / 100
    quantity = target_value / ctx.unit_value
    score = intent.volatility_score
    why = (
        f"volatility score {_fmt.plain(score)} vs target "
        f"{_fmt.plain(ctx.limits.volatility_target_score)}"
        if ctx.limits.sizing_enabled and score is not None
        else "base allocation"
    )
    return quantity, passed(
        RiskCode.SIZING,
        f"{why}: allocation {_fmt.pct(alloc)} % of equity = {_fmt.money(target_value, ctx.base)}",
    )
