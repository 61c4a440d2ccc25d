"""Currencies and their minor units (ISO 4217 exponents)."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from enum import Enum


class Currency(Enum):
    """A currency traded by one of Ouroboros' markets.

    The value is the ISO 4217 code; ``minor_units`` is the number of decimals a cash amount
    may carry (KRW, JPY and VND have none, so a won is never split).
    """

    KRW = "KRW"
    USD = "USD"
    JPY = "JPY"
    HKD = "HKD"
    CNY = "CNY"
    VND = "VND"

    @property
    def minor_units(self) -> int:
        return _MINOR_UNITS[self]

    @property
    def quantum(self) -> Decimal:
        """The smallest cash step: ``Decimal('0.01')`` for USD, ``Decimal('1')`` for KRW."""
        return _QUANTA[self]

    def round(self, amount: Decimal, rounding: str = ROUND_HALF_EVEN) -> Decimal:
        """Round an amount to this currency's minor unit (banker's rounding by default)."""
        return amount.quantize(self.quantum, rounding=rounding)

    @classmethod
    def parse(cls, code: str) -> Currency:
        try:
            return cls(code.strip().upper())
        except ValueError:
            known = ", ".join(c.value for c in cls)
            raise ValueError(f"unknown currency, was {code!r} (known: {known})") from None


_MINOR_UNITS: dict[Currency, int] = {
    Currency.KRW: 0,
    Currency.JPY: 0,
    Currency.VND: 0,
    Currency.USD: 2,
    Currency.HKD: 2,
    Currency.CNY: 2,
}
_QUANTA: dict[Currency, Decimal] = {c: Decimal(1).scaleb(-n) for c, n in _MINOR_UNITS.items()}
