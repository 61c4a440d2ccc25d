"""Explicit FX: every conversion names its rate source; nothing converts silently."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from ouroboros.domain.currency import Currency
from ouroboros.domain.money import Money


class FxRateSource(Protocol):
    """Gives the price of one unit of ``base`` in ``quote`` (e.g. USD->KRW = 1390)."""

    def rate(self, base: Currency, quote: Currency) -> Decimal: ...


class MissingFxRate(LookupError):
    """No rate is known for a pair; callers that value risk must fail closed on it."""


@dataclass(frozen=True, slots=True)
class StaticFxRates:
    """A fixed table of rates, quoted against one pivot currency.

    ``per_pivot[c]`` is how many units of ``c`` one unit of the pivot buys. Cross rates go
    through the pivot, so a table of N rates answers every pair consistently (no triangular
    arbitrage inside our own books).
    """

    pivot: Currency
    per_pivot: Mapping[Currency, Decimal] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for currency, value in self.per_pivot.items():
            if value <= 0:
                raise ValueError(
                    f"fx rate {self.pivot.value}/{currency.value} must be positive, was {value}"
                )

    def _units_per_pivot(self, currency: Currency) -> Decimal:
        if currency is self.pivot:
            return Decimal(1)
        try:
            return self.per_pivot[currency]
        except KeyError:
            raise MissingFxRate(
                f"no fx rate for {currency.value} against {self.pivot.value}"
            ) from None

    def rate(self, base: Currency, quote: Currency) -> Decimal:
        if base is quote:
            return Decimal(1)
        return self._units_per_pivot(quote) / self._units_per_pivot(base)


def convert(money: Money, to: Currency, rates: FxRateSource) -> Money:
    """``money`` expressed in ``to`` at the source's rate, unrounded (round where you book)."""
    if money.currency is to:
        return money
    return Money(money.amount * rates.rate(money.currency, to), to)
