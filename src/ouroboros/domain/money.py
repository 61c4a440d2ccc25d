"""Exact monetary values: ``Money``, ``Price`` and ``Quantity``.

Everything here is ``Decimal``. Floats appear only in analytics arrays and come back through
:func:`to_decimal`, the one named door between the two worlds.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from functools import total_ordering
from typing import SupportsFloat

from ouroboros.domain.currency import Currency

DecimalLike = Decimal | int | str


def to_decimal(value: DecimalLike | SupportsFloat, places: int | None = None) -> Decimal:
    """Convert a number to ``Decimal`` exactly as written, never through binary float noise.

    Floats are converted through ``repr`` (shortest round-trip form), so ``0.1`` becomes
    ``Decimal('0.1')`` rather than ``0.1000000000000000055511151231257827``. With ``places``
    the result is rounded half-even to that many decimals.
    """
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, bool):
        raise TypeError(f"a bool is not a number, was {value!r}")
    elif isinstance(value, int | str):
        try:
            result = Decimal(value)
        except InvalidOperation:
            raise ValueError(f"not a decimal number, was {value!r}") from None
    else:
        as_float = float(value)
        if as_float != as_float or as_float in (float("inf"), float("-inf")):
            raise ValueError(f"not a finite number, was {as_float!r}")
        result = Decimal(repr(as_float))
    if not result.is_finite():
        raise ValueError(f"not a finite number, was {value!r}")
    if places is not None:
        result = result.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
    return result


def _exact(what: str, value: object) -> Decimal:
    """An exact value for a money type: a ``Decimal`` or an ``int``. A float is refused - it
    crosses into the exact world only through :func:`to_decimal`, where the conversion is
    visible."""
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    kind = type(value).__name__
    if isinstance(value, float):
        raise TypeError(f"{what} must be a Decimal, was float {value!r}; convert with to_decimal")
    raise TypeError(f"{what} must be a Decimal, was {kind} {value!r}")


def _factor(value: DecimalLike) -> Decimal:
    if isinstance(value, float):
        raise TypeError(f"money is scaled by Decimal factors, was float {value!r}")
    return to_decimal(value)


@total_ordering
@dataclass(frozen=True, slots=True)
class Money:
    """An amount of one currency. Arithmetic across currencies raises; convert through FX first."""

    amount: Decimal
    currency: Currency

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            object.__setattr__(self, "amount", _exact("money amount", self.amount))
        if not self.amount.is_finite():
            raise ValueError(f"money amount must be finite, was {self.amount}")

    @classmethod
    def of(cls, amount: DecimalLike, currency: Currency | str) -> Money:
        cur = currency if isinstance(currency, Currency) else Currency.parse(currency)
        return cls(to_decimal(amount), cur)

    @classmethod
    def zero(cls, currency: Currency) -> Money:
        return cls(Decimal(0), currency)

    def _same(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError(f"expected Money, was {type(other).__name__}")
        if other.currency is not self.currency:
            raise ValueError(
                f"cannot combine {self.currency.value} with {other.currency.value}; convert first"
            )

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __abs__(self) -> Money:
        return Money(abs(self.amount), self.currency)

    def __mul__(self, factor: DecimalLike) -> Money:
        if isinstance(factor, Money):
            raise TypeError("cannot multiply money by money")
        return Money(self.amount * _factor(factor), self.currency)

    __rmul__ = __mul__

    def __truediv__(self, divisor: DecimalLike) -> Money:
        if isinstance(divisor, Money):
            raise TypeError("divide amounts explicitly (a.amount / b.amount) to get a ratio")
        return Money(self.amount / _factor(divisor), self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def rounded(self, rounding: str = ROUND_HALF_EVEN) -> Money:
        """This amount rounded to the currency's minor unit (0 decimals for KRW/JPY/VND)."""
        return Money(self.currency.round(self.amount, rounding), self.currency)

    @property
    def is_zero(self) -> bool:
        return self.amount == 0

    def __str__(self) -> str:
        return f"{self.currency.round(self.amount):,} {self.currency.value}"


@total_ordering
@dataclass(frozen=True, slots=True)
class Price:
    """A per-share price in the instrument's quote currency. Never negative."""

    value: Decimal

    def __post_init__(self) -> None:
        if not isinstance(self.value, Decimal):
            object.__setattr__(self, "value", _exact("price", self.value))
        if not self.value.is_finite() or self.value < 0:
            raise ValueError(f"invalid price, was {self.value}")

    @classmethod
    def of(cls, value: DecimalLike | SupportsFloat) -> Price:
        return cls(to_decimal(value))

    def __lt__(self, other: Price) -> bool:
        return self.value < other.value

    def __str__(self) -> str:
        return str(self.value)


@total_ordering
@dataclass(frozen=True, slots=True)
class Quantity:
    """A number of shares. Never negative; direction lives in the order side or position sign."""

    value: Decimal

    def __post_init__(self) -> None:
        if not isinstance(self.value, Decimal):
            object.__setattr__(self, "value", _exact("quantity", self.value))
        if not self.value.is_finite() or self.value < 0:
            raise ValueError(f"invalid quantity, was {self.value}")

    @classmethod
    def of(cls, value: DecimalLike | SupportsFloat) -> Quantity:
        return cls(to_decimal(value))

    @classmethod
    def zero(cls) -> Quantity:
        return cls(Decimal(0))

    def __add__(self, other: Quantity) -> Quantity:
        return Quantity(self.value + other.value)

    def __sub__(self, other: Quantity) -> Quantity:
        return Quantity(self.value - other.value)

    def __lt__(self, other: Quantity) -> bool:
        return self.value < other.value

    @property
    def is_zero(self) -> bool:
        return self.value == 0

    def __str__(self) -> str:
        return str(self.value)


def notional(price: Price, quantity: Quantity, currency: Currency) -> Money:
    """Price × quantity, rounded to the currency's minor unit: the cash that changes hands."""
    return Money(currency.round(price.value * quantity.value), currency)
