"""Market open: an order sent to a closed session rests on a stale decision until the open."""

from __future__ import annotations

from ouroboros.risk.codes import CheckResult, RiskCode, denied, passed, skipped
from ouroboros.risk.limits import RiskLimits
from ouroboros.risk.market import MarketState


def check_market_open(market: MarketState, limits: RiskLimits) -> CheckResult:
    iid = market.instrument_id
    if not limits.require_market_open:
        return skipped(RiskCode.MARKET_OPEN, "market-open check disabled")
    if market.is_open is None:
        return denied(RiskCode.MARKET_OPEN, f"session status of {iid.venue.value} unknown")
    if not market.is_open:
        return denied(RiskCode.MARKET_OPEN, f"{iid.venue.value} is closed")
    return passed(RiskCode.MARKET_OPEN, f"{iid.venue.value} is open")
