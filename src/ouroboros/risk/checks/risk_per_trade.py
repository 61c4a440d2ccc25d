"""Risk per trade: the loss if the stop is hit stays within a share of equity (seed 001: 1 %).

Stop distance: entry (risk price) minus an explicit ``stop_loss``, else ``stop_atr_multiple`` ×
ATR (2 × ATR by default). ``quantity × distance`` is the loss at the stop; the cap is
``equity × risk % / distance``. Gaps through the stop are not modelled; the position and
exposure limits bound that tail. With no stop and no ATR the loss is unbounded, so the order is
denied unless ``require_stop`` is off.
"""

from __future__ import annotations

from decimal import Decimal

from ouroboros.risk import _fmt
from ouroboros.risk.codes import CheckResult, RiskCode, denied, passed, resized, skipped
from ouroboros.risk.context import CheckContext


def stop_distance(ctx: CheckContext) -> tuple[Decimal | None, str]:
    """Per-share loss at the stop (instrument currency) and how it was derived."""
    intent = ctx.intent
    if intent.stop_loss is not None:
        return ctx.price - intent.stop_loss.value, f"stop-loss {intent.stop_loss}"
    if intent.atr is not None:
        multiple = ctx.limits.stop_atr_multiple
        return multiple * intent.atr, f"{_fmt.plain(multiple)} x ATR {_fmt.plain(intent.atr)}"
    return None, "no stop-loss and no ATR"


def check_risk_per_trade(ctx: CheckContext, quantity: Decimal) -> CheckResult:
    code = RiskCode.RISK_PER_TRADE
    limit_pct = ctx.limits.risk_per_trade_pct
    distance, how = stop_distance(ctx)
    if distance is None:
        if ctx.limits.require_stop:
            return denied(code, f"{how}: the loss per trade cannot be bounded")
        return skipped(code, f"{how}: risk per trade not checked")
    if distance <= 0:
        return denied(code, f"{how} is not below the entry price {ctx.price}")
    if limit_pct is None:
        return skipped(code, "risk-per-trade limit disabled")
    loss = quantity * distance * ctx.fx
    loss_pct = ctx.pct_of_equity(loss)
    allowed = ctx.equity * limit_pct / 100
    text = f"loss at the stop ({how}) {_fmt.pct(loss_pct, limit_pct)} % of equity"
    if loss <= allowed:
        return passed(code, f"{text} within limit {_fmt.plain(limit_pct)} %")
    cap = allowed / (distance * ctx.fx)
    return resized(code, f"{text} exceeds limit {_fmt.plain(limit_pct)} %", cap)
