"""Positions carry their cost basis exactly, so realized P&L never drifts by rounding."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ouroboros.domain.currency import Currency
from ouroboros.domain.ids import InstrumentId
from ouroboros.domain.money import Money, Price, Quantity, notional
from ouroboros.domain.orders import OrderSide


@dataclass(slots=True)
class Position:
    """A signed holding (positive long, negative short) with its total cost basis.

    ``cost_basis`` is the booked cash paid for the open quantity (signed like the quantity), so
    ``cash + sum(cost_basis)`` changes only by realized P&L and fees. The average price is
    derived, never stored, so it cannot disagree with the basis.
    """

    instrument_id: InstrumentId
    currency: Currency
    quantity: Decimal = Decimal(0)
    cost_basis: Decimal = Decimal(0)
    realized_pnl: Decimal = Decimal(0)

    @property
    def is_flat(self) -> bool:
        return self.quantity == 0

    @property
    def average_price(self) -> Decimal | None:
        return None if self.quantity == 0 else self.cost_basis / self.quantity

    def market_value(self, price: Price) -> Money:
        return Money(self.quantity * price.value, self.currency)

    def unrealized_pnl(self, price: Price) -> Money:
        return Money(self.quantity * price.value - self.cost_basis, self.currency)

    def apply(self, side: OrderSide, quantity: Quantity, price: Price) -> Decimal:
        """Book a fill; returns the P&L it realized (before fees)."""
        booked = notional(price, quantity, self.currency).amount
        delta = side.sign * quantity.value
        if self.quantity == 0 or (self.quantity > 0) == (delta > 0):
            self.quantity += delta
            self.cost_basis += side.sign * booked
            return Decimal(0)
        closing = min(abs(delta), abs(self.quantity))
        direction = 1 if self.quantity > 0 else -1
        # Cost removed is rounded to the cash unit so the basis stays a bookable amount.
        removed = self.currency.round(abs(self.cost_basis) * closing / abs(self.quantity))
        proceeds = self.currency.round(price.value * closing)
        realized = direction * (proceeds - removed)
        self.cost_basis -= direction * removed
        self.quantity += side.sign * closing
        if self.quantity == 0:
            self.cost_basis = Decimal(0)
        opening = abs(delta) - closing
        if opening:
            # The fill flipped the position: the remainder opens a new one at this price.
            self.quantity += side.sign * opening
            self.cost_basis = side.sign * (booked - proceeds)
        self.realized_pnl += realized
        return realized
