"""Number formatting for human messages: percentages, quantities and amounts."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from ouroboros.domain import Currency


def plain(value: Decimal) -> str:
    """``Decimal('20.0')`` -> ``'20'``, ``Decimal('2.50')`` -> ``'2.5'``; never scientific."""
    return format(value.normalize(), "f")


def pct(value: Decimal, limit: Decimal | None = None) -> str:
    """A percentage with one decimal; more decimals when one would make it look equal to ``limit``.

    ``20.04`` against a limit of ``20`` prints ``20.04`` rather than a confusing ``20.0``.
    """
    for places in (1, 2, 3, 4):
        shown = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
        if limit is None or shown != limit or value == limit:
            return format(shown, "f")
    return format(value, "f")


def qty(value: Decimal) -> str:
    return plain(value)


def money(amount: Decimal, currency: Currency) -> str:
    return f"{currency.round(amount):,} {currency.value}"


def approx(value: Decimal, places: int = 2) -> str:
    """A quantity rounded for display (``14.2857…`` -> ``14.29``)."""
    return plain(value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN))
