"""Which price risk uses, and whether it is fresh enough to trust.

Fail closed: with no price, or only prices older than ``max_price_age`` (or stamped in the
future beyond ``max_clock_skew``), the order is denied. For a buy the *risk price* is the
highest of every price the order could plausibly pay or be marked at (ask, last, limit, stop),
so sizing errs small; see :func:`risk_price`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from ouroboros.domain import OrderSide
from ouroboros.risk.codes import CheckResult, RiskCode, denied, passed
from ouroboros.risk.limits import RiskLimits
from ouroboros.risk.market import MarketState


@dataclass(frozen=True, slots=True)
class PriceView:
    """Fresh prices for one instrument, in its currency.

    ``mark`` values holdings (last trade, else quote mid); ``execution`` is what a marketable
    order would pay now (ask for buys, bid for sells, else last).
    """

    mark: Decimal
    execution: Decimal
    source: str
    age: timedelta


def _age_problem(label: str, ts: datetime, now: datetime, limits: RiskLimits) -> str | None:
    age = now - ts
    if age > limits.max_price_age:
        return (
            f"{label} is {_seconds(age)} s old, older than the limit "
            f"{_seconds(limits.max_price_age)} s"
        )
    if -age > limits.max_clock_skew:
        return f"{label} is stamped {_seconds(-age)} s in the future ({ts.isoformat()})"
    return None


def _seconds(delta: timedelta) -> str:
    return format(Decimal(str(delta.total_seconds())).normalize(), "f")


def resolve_prices(
    market: MarketState, side: OrderSide, limits: RiskLimits, now: datetime
) -> tuple[PriceView | None, CheckResult]:
    """Fresh prices, or a PRICE_DATA denial saying what was missing or stale."""
    problems: list[str] = []
    last: Decimal | None = None
    last_age: timedelta | None = None
    if market.last_price is not None and market.last_price_at is not None:
        problem = _age_problem("last price", market.last_price_at, now, limits)
        if problem:
            problems.append(problem)
        elif market.last_price.value <= 0:
            problems.append(f"last price is {market.last_price}")
        else:
            last = market.last_price.value
            last_age = now - market.last_price_at
    bid: Decimal | None = None
    ask: Decimal | None = None
    quote_age: timedelta | None = None
    if market.quote is not None:
        problem = _age_problem("quote", market.quote.ts, now, limits)
        if problem:
            problems.append(problem)
        elif market.quote.bid.value <= 0 or market.quote.ask.value <= 0:
            problems.append(f"quote is one-sided ({market.quote.bid} / {market.quote.ask})")
        else:
            bid, ask = market.quote.bid.value, market.quote.ask.value
            quote_age = now - market.quote.ts
    if bid is not None and ask is not None and quote_age is not None:
        execution = ask if side is OrderSide.BUY else bid
        mark = last if last is not None else (bid + ask) / 2
        source = "quote"
        age = quote_age if last_age is None else max(quote_age, last_age)
    elif last is not None and last_age is not None:
        execution = mark = last
        source = "last price"
        age = last_age
    elif market.last_price is None and market.quote is None:
        return None, denied(RiskCode.PRICE_DATA, "no last price or quote: cannot value the order")
    else:
        return None, denied(RiskCode.PRICE_DATA, "no usable price: " + "; ".join(problems))
    view = PriceView(mark=mark, execution=execution, source=source, age=age)
    return view, passed(
        RiskCode.PRICE_DATA, f"{source} {execution} ({_seconds(age)} s old), mark {mark}"
    )


def risk_price(
    view: PriceView,
    side: OrderSide,
    limit_price: Decimal | None,
    stop_price: Decimal | None,
) -> Decimal:
    """The per-share price every quantity limit is computed at.

    Buys: the highest of execution, mark, limit and stop price (a limit above the market may
    fill up to it; a filled position is marked at market). Sells: the mark, since a sell only
    reduces risk and its proceeds are not spent.
    """
    if side is OrderSide.SELL:
        return view.mark
    candidates = [view.execution, view.mark]
    candidates += [p for p in (limit_price, stop_price) if p is not None]
    return max(candidates)
