"""Price sanity: a price far from the market is a fat finger or a stale decision, not a plan.

Two comparisons against the fresh mark, both within ``max_price_deviation_pct``:

* a buy limit far *above* the market (a buy limit below it is merely passive);
* the intent's ``reference_price`` (the price the decision was made at) in either direction:
  an LLM quoting a price the market left long ago, or a replayed decision, is refused.
"""

from __future__ import annotations

from decimal import Decimal

from ouroboros.domain import OrderSide
from ouroboros.risk import _fmt
from ouroboros.risk.codes import CheckResult, RiskCode, denied, passed, skipped
from ouroboros.risk.context import Facts


def _off_by(price: Decimal, mark: Decimal) -> Decimal:
    return (price - mark) / mark * 100


def check_price_deviation(facts: Facts) -> CheckResult:
    code = RiskCode.PRICE_DEVIATION
    limit = facts.limits.max_price_deviation_pct
    if limit is None:
        return skipped(code, "price deviation check disabled")
    mark = facts.prices.mark
    shown_limit = _fmt.plain(limit)
    checked: list[str] = []
    reference = facts.intent.reference_price
    if reference is not None:
        off = _off_by(reference.value, mark)
        if abs(off) > limit:
            return denied(
                code,
                f"decided at {reference}, {_fmt.pct(abs(off), limit)} % "
                f"{'above' if off > 0 else 'below'} the market {mark}, limit {shown_limit} %",
            )
        checked.append(f"reference price {reference}")
    if facts.side is OrderSide.BUY and facts.limit_price is not None:
        off = _off_by(facts.limit_price, mark)
        if off > limit:
            return denied(
                code,
                f"limit price {facts.limit_price} is {_fmt.pct(off, limit)} % above the market "
                f"{mark}, limit {shown_limit} %",
            )
        checked.append(f"limit price {facts.limit_price}")
    if not checked:
        return skipped(code, "no reference or buy limit price to check")
    return passed(code, f"{' and '.join(checked)} within {shown_limit} % of the market {mark}")
