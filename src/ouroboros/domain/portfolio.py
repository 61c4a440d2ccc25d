"""The portfolio ledger: cash per currency plus positions, valued through explicit FX."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from ouroboros.domain.currency import Currency
from ouroboros.domain.fills import Fill
from ouroboros.domain.fx import FxRateSource, convert
from ouroboros.domain.ids import InstrumentId
from ouroboros.domain.instrument import Instrument
from ouroboros.domain.money import Money, Price
from ouroboros.domain.position import Position
from ouroboros.errors import InsufficientFunds


@dataclass(slots=True)
class Portfolio:
    """Cash per currency and positions per instrument.

    The ledger identity ``cash + cost basis == deposits - withdrawals + realized P&L - fees`` holds
    per currency after every booking; ``audit`` code and property tests rely on it.
    """

    base_currency: Currency
    cash: dict[Currency, Decimal] = field(default_factory=dict)
    positions: dict[InstrumentId, Position] = field(default_factory=dict)
    fees_paid: dict[Currency, Decimal] = field(default_factory=dict)
    net_deposits: dict[Currency, Decimal] = field(default_factory=dict)
    allow_negative_cash: bool = False

    def cash_of(self, currency: Currency) -> Money:
        return Money(self.cash.get(currency, Decimal(0)), currency)

    def deposit(self, money: Money) -> None:
        amount = money.rounded().amount
        if amount <= 0:
            raise ValueError(f"deposit must be positive, was {money}")
        self._add_cash(money.currency, amount)
        self.net_deposits[money.currency] = (
            self.net_deposits.get(money.currency, Decimal(0)) + amount
        )

    def withdraw(self, money: Money) -> None:
        amount = money.rounded().amount
        if amount <= 0:
            raise ValueError(f"withdrawal must be positive, was {money}")
        if not self.allow_negative_cash and self.cash.get(money.currency, Decimal(0)) < amount:
            raise InsufficientFunds(f"cannot withdraw {money}: only {self.cash_of(money.currency)}")
        self._add_cash(money.currency, -amount)
        self.net_deposits[money.currency] = (
            self.net_deposits.get(money.currency, Decimal(0)) - amount
        )

    def position(self, instrument: Instrument) -> Position:
        pos = self.positions.get(instrument.id)
        if pos is None:
            pos = Position(instrument.id, instrument.currency)
            self.positions[instrument.id] = pos
        return pos

    def quantity_of(self, instrument_id: InstrumentId) -> Decimal:
        pos = self.positions.get(instrument_id)
        return pos.quantity if pos else Decimal(0)

    def apply_fill(self, fill: Fill, instrument: Instrument) -> Decimal:
        """Book a fill: move cash, update the position, charge the fee. Returns realized P&L."""
        if fill.fee.currency is not instrument.currency:
            raise ValueError(
                f"fill {fill.fill_id}: fee in {fill.fee.currency.value}, "
                f"expected {instrument.currency.value}"
            )
        currency = instrument.currency
        booked = instrument.notional(fill.price, fill.quantity).amount
        # Booked as the fee model reported it: real schedules round to the cash unit themselves.
        fee = fill.fee.amount
        cash_change = -fill.side.sign * booked - fee
        if not self.allow_negative_cash and self.cash.get(currency, Decimal(0)) + cash_change < 0:
            raise InsufficientFunds(
                f"fill {fill.fill_id} needs {-cash_change} {currency.value}, "
                f"cash is {self.cash.get(currency, Decimal(0))}"
            )
        realized = self.position(instrument).apply(fill.side, fill.quantity, fill.price)
        self._add_cash(currency, cash_change)
        self.fees_paid[currency] = self.fees_paid.get(currency, Decimal(0)) + fee
        return realized

    def adjust_fees(self, cash_change: Money) -> None:
        """Book the gap between a broker's real costs and the modelled fees on its fills:
        ``cash_change`` below zero means more was taken (more fees paid), above zero less. The
        ledger identity keeps holding: cash and fees paid move together."""
        amount = cash_change.amount
        self._add_cash(cash_change.currency, amount)
        self.fees_paid[cash_change.currency] = (
            self.fees_paid.get(cash_change.currency, Decimal(0)) - amount
        )

    def _add_cash(self, currency: Currency, amount: Decimal) -> None:
        self.cash[currency] = self.cash.get(currency, Decimal(0)) + amount

    def market_value(self, prices: Mapping[InstrumentId, Price]) -> dict[Currency, Decimal]:
        """Holdings value per currency at the given prices; a missing price raises KeyError."""
        values: dict[Currency, Decimal] = {}
        for iid, pos in self.positions.items():
            if pos.is_flat:
                continue
            values[pos.currency] = (
                values.get(pos.currency, Decimal(0)) + pos.quantity * prices[iid].value
            )
        return values

    def equity(self, prices: Mapping[InstrumentId, Price], fx: FxRateSource) -> Money:
        """Cash plus holdings, all converted to the base currency."""
        total = Money.zero(self.base_currency)
        holdings = self.market_value(prices)
        for currency in set(self.cash) | set(holdings):
            local = self.cash.get(currency, Decimal(0)) + holdings.get(currency, Decimal(0))
            total = total + convert(Money(local, currency), self.base_currency, fx)
        return total

    def realized_pnl(self, currency: Currency) -> Decimal:
        return sum(
            (p.realized_pnl for p in self.positions.values() if p.currency is currency), Decimal(0)
        )

    def cost_basis(self, currency: Currency) -> Decimal:
        return sum(
            (p.cost_basis for p in self.positions.values() if p.currency is currency), Decimal(0)
        )

    def ledger_imbalance(self, currency: Currency) -> Decimal:
        """Zero when the books balance: cash + basis - (deposits + realized - fees)."""
        lhs = self.cash.get(currency, Decimal(0)) + self.cost_basis(currency)
        rhs = (
            self.net_deposits.get(currency, Decimal(0))
            + self.realized_pnl(currency)
            - self.fees_paid.get(currency, Decimal(0))
        )
        return lhs - rhs
