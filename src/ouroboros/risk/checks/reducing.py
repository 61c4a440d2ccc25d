"""Is the order risk-reducing? Decided from the account, not from the intent's say-so.

Risk-reducing orders skip the exposure limits and the circuit breaker, so the claim is checked:
a sell must reduce a long holding (shorting is not supported), a buy may only cover a short.
An intent marked ``risk_reducing`` that would add risk is denied; one that asks for more than the
holding is capped at it, so an exit can never flip into a new position.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ouroboros.domain import OrderSide
from ouroboros.risk import _fmt
from ouroboros.risk.codes import CheckResult, RiskCode, denied, passed
from ouroboros.risk.context import Facts


@dataclass(frozen=True, slots=True)
class Direction:
    """``reducing`` orders may trade at most ``capacity`` shares."""

    reducing: bool
    capacity: Decimal
    result: CheckResult

    @property
    def denied(self) -> bool:
        return self.result.blocks


def classify(facts: Facts) -> Direction:
    held = facts.held
    held_text = _fmt.qty(held)
    if facts.side is OrderSide.SELL:
        if held <= 0:
            return Direction(
                False,
                Decimal(0),
                denied(
                    RiskCode.RISK_REDUCING,
                    f"sell with no long position (holding {held_text}); short selling is not "
                    "supported",
                ),
            )
        sellable = facts.sellable
        if sellable <= 0:
            return Direction(
                False,
                Decimal(0),
                denied(
                    RiskCode.RISK_REDUCING,
                    f"all {held_text} shares are already committed to working sell orders",
                ),
            )
        committed = (
            f" ({_fmt.qty(facts.open_sells)} already in working sells)" if facts.open_sells else ""
        )
        return Direction(
            True,
            sellable,
            passed(RiskCode.RISK_REDUCING, f"reduces the long position of {held_text}{committed}"),
        )
    if held < 0:
        return Direction(
            True,
            -held,
            passed(RiskCode.RISK_REDUCING, f"covers the short position of {_fmt.qty(-held)}"),
        )
    if facts.intent.risk_reducing:
        return Direction(
            False,
            Decimal(0),
            denied(
                RiskCode.RISK_REDUCING,
                f"marked risk-reducing but a buy adds to the position of {held_text}",
            ),
        )
    return Direction(
        False,
        Decimal(0),
        passed(RiskCode.RISK_REDUCING, f"adds risk (holding {held_text}): every limit applies"),
    )
