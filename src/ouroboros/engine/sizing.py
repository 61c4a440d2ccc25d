"""Position sizing for the engine's risk gate: how many shares an entry buys.

``all_in`` spends the available cash (reference runs, matching backtesting.py's default
``size`` of almost 100 % of equity); ``fraction:F`` targets F of equity per position;
``fixed:N`` buys N shares (rounded down to lots) whatever the account, for reference tests;
``risk`` leaves the size to the risk manager (volatility-targeted allocation, seed 000).
Quantities always round down to whole lots and include the costs the fill will charge.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from ouroboros.domain.instrument import Instrument
from ouroboros.domain.money import Quantity
from ouroboros.domain.orders import OrderSide


@dataclass(frozen=True, slots=True)
class Sizing:
    kind: str = "fraction"
    fraction: Decimal = Decimal("0.1")
    """The fraction of equity a position targets (``fraction``; 1 for ``all_in``)."""
    shares: Decimal = Decimal(0)
    """The share count of every entry (``fixed`` only)."""

    @classmethod
    def parse(cls, text: str) -> Sizing:
        text = text.strip().lower()
        if text == "all_in":
            return cls("all_in", Decimal(1))
        if text == "risk":
            return cls("risk", Decimal(0))
        if text.startswith("fixed:"):
            try:
                shares = Decimal(text.split(":", 1)[1])
            except ArithmeticError:
                raise ValueError(f"fixed sizing needs a share count, was {text!r}") from None
            if shares <= 0:
                raise ValueError(f"fixed sizing must be positive, was {shares}")
            return cls("fixed", Decimal(0), shares)
        if text.startswith("fraction:"):
            try:
                value = Decimal(text.split(":", 1)[1])
            except ArithmeticError:
                raise ValueError(f"sizing fraction must be a number, was {text!r}") from None
            if not 0 < value <= 1:
                raise ValueError(f"sizing fraction must be in (0, 1], was {value}")
            return cls("fraction", value)
        raise ValueError(f"sizing must be all_in, fraction:F, fixed:N or risk, was {text!r}")

    def quantity(
        self,
        instrument: Instrument,
        price: Decimal,
        cash: Decimal,
        equity: Decimal,
        cost_rate: Decimal,
    ) -> Quantity:
        """Shares to buy at ``price`` given cash and equity in the instrument's currency."""
        if price <= 0:
            return Quantity.zero()
        if self.kind == "fixed":
            return instrument.round_quantity(self.shares, OrderSide.BUY)
        budget = cash if self.kind == "all_in" else min(cash, equity * self.fraction)
        if budget <= 0:
            return Quantity.zero()
        raw = (budget / (price * (1 + cost_rate))).to_integral_value(rounding=ROUND_FLOOR)
        return instrument.round_quantity(raw, OrderSide.BUY)
