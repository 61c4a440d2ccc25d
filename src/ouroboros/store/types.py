"""Column types that behave identically on SQLite and PostgreSQL.

* :class:`ExactDecimal` - money, prices and quantities. PostgreSQL stores ``NUMERIC(28, 10)``.
  SQLite has no decimal type: its ``NUMERIC`` affinity silently turns ``'12345.6789012345'``
  into a binary float, so on SQLite the value is kept as canonical text instead. Both backends
  refuse a value they could not hold exactly (more than 10 decimals or 18 integer digits) rather
  than round it, and both return the same canonical ``Decimal`` (``Decimal('100')`` for
  ``100.00``; equal by value, no backend-specific padding).
* :class:`UtcDateTime` - timestamps. ``TIMESTAMP WITH TIME ZONE`` on PostgreSQL; on SQLite
  fixed-width UTC text, so text order is time order. Naive input is refused; output is
  always timezone-aware UTC.
* :data:`JsonDocument` - ``JSONB`` on PostgreSQL, JSON text on SQLite.

Because decimals are text on SQLite, numeric SQL on them (sums, ordering) would be wrong there:
repositories sum and sort decimals in Python, and the only SQL comparison is a sign test through
:func:`sign_of`.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeEngine

PRECISION = 28
SCALE = 10
_MAX_MAGNITUDE = Decimal(10) ** (PRECISION - SCALE)
_QUANTUM = Decimal(1).scaleb(-SCALE)


def check_decimal(value: object, what: str = "decimal column") -> Decimal:
    """Return ``value`` as a ``Decimal`` the database can hold exactly, or raise.

    Floats are refused: they are not exact, and accepting them would hide a bug upstream.
    """
    if isinstance(value, Decimal):
        dec = value
    elif isinstance(value, int) and not isinstance(value, bool):
        dec = Decimal(value)
    else:
        raise TypeError(f"{what}: expected Decimal, was {type(value).__name__} {value!r}")
    if not dec.is_finite():
        raise ValueError(f"{what}: not a finite number, was {dec}")
    if abs(dec) >= _MAX_MAGNITUDE:
        raise ValueError(f"{what}: more than {PRECISION - SCALE} integer digits, was {dec}")
    try:
        exact = dec.quantize(_QUANTUM) == dec
    except InvalidOperation:
        exact = False
    if not exact:
        raise ValueError(
            f"{what}: more than {SCALE} decimal places would be rounded, was {dec} "
            "(round it explicitly before storing)"
        )
    return dec


def canonical_decimal(value: Decimal) -> Decimal:
    """Strip representation noise: ``100.0000000000`` -> ``100``, ``0.5000`` -> ``0.5``."""
    if value == 0:
        return Decimal(0)
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def quantize_for_storage(value: Decimal) -> Decimal:
    """Round a derived value (an average price) to the stored scale, half-even."""
    return value.quantize(_QUANTUM)


class ExactDecimal(sa.types.TypeDecorator[Decimal]):
    """A ``Decimal`` stored without loss on both backends; see the module docstring."""

    impl = sa.Numeric(PRECISION, SCALE, asdecimal=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(sa.String(PRECISION + 3))
        return dialect.type_descriptor(sa.Numeric(PRECISION, SCALE, asdecimal=True))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        dec = check_decimal(value)
        return format(dec, "f") if dialect.name == "sqlite" else dec

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return canonical_decimal(value if isinstance(value, Decimal) else Decimal(str(value)))


class UtcDateTime(sa.types.TypeDecorator[datetime]):
    """An aware UTC ``datetime`` on both backends; naive input raises ``ValueError``.

    On SQLite the value is stored as ``YYYY-MM-DD HH:MM:SS.ffffff`` UTC text (fixed width, so
    text order is time order), formatted and parsed here with the C ``isoformat`` /
    ``fromisoformat`` rather than SQLAlchemy's slower generic DATETIME string handling.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(sa.String(26))
        return dialect.type_descriptor(sa.DateTime(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected datetime, was {type(value).__name__} {value!r}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime refused (attach a timezone), was {value!r}")
        utc = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return utc.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
        return utc

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            return datetime.fromisoformat(value).replace(tzinfo=UTC)
        if not isinstance(value, datetime):
            raise TypeError(f"expected a timestamp from the database, was {value!r}")
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


JsonDocument: TypeEngine[Any] = sa.JSON(none_as_null=True).with_variant(
    postgresql.JSONB(none_as_null=True), "postgresql"
)
"""A JSON document column: ``JSONB`` on PostgreSQL (indexable), JSON text on SQLite."""


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


_ENCODER = json.JSONEncoder(default=_json_default, ensure_ascii=False, separators=(",", ":"))


def dumps_json(value: object) -> str:
    """The engine's JSON serializer: decimals become strings (exact), datetimes ISO text."""
    return _ENCODER.encode(value)


def sign_of(column: ColumnElement[Decimal]) -> ColumnElement[float]:
    """The column as a float, for sign tests only (``< 0``); exact text on SQLite can't compare."""
    return sa.cast(column, sa.Float)
