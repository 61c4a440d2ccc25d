"""The declarative base: one metadata, constraint names that migrations can rely on, and the
Python-type to column-type map that makes every ``Decimal`` exact and every ``datetime`` UTC."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase

from ouroboros.store.types import ExactDecimal, JsonDocument, UtcDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ID = sa.String(64)
"""Width of every textual identifier (run, client order, decision, event, cycle, trace ids)."""


class Base(DeclarativeBase):
    """Base of all Ouroboros tables. Annotating ``Mapped[Decimal]`` is enough to be exact."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy reads this class attribute
        Decimal: ExactDecimal(),
        datetime: UtcDateTime(),
        date: sa.Date(),
        dict[str, Any]: JsonDocument,
    }
