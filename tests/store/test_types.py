"""Exact decimals and aware UTC timestamps, identical on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import StatementError

from ouroboros.domain import ClientOrderId, Price
from ouroboros.store import OrderRepository
from ouroboros.store.tables import CAPITAL_EVENTS, POSITIONS
from ouroboros.store.types import canonical_decimal, check_decimal
from tests.store.factories import RUN, T0, order

KST = timezone(timedelta(hours=9))


@pytest.mark.parametrize(
    "value",
    [
        "12345.6789012345",
        "-12345.6789012345",
        "0.0000000001",
        "-99999999999999999.9999999999",
        "99999999999999999.9999999999",
        "1234567890123456.5",
        "0",
    ],
)
def test_decimal_round_trips_exactly(engine: Engine, value: str) -> None:
    exact = Decimal(value)
    with engine.begin() as conn:
        conn.execute(POSITIONS.insert(), _position_row(exact))
        loaded = conn.execute(sa.select(POSITIONS.c.quantity)).scalar_one()
    assert isinstance(loaded, Decimal)
    assert loaded == exact


def test_order_prices_round_trip_through_the_repository(engine: Engine) -> None:
    repo = OrderRepository(engine)
    repo.insert(order(limit="12345.6789012345", qty="0.0001"), run_id=RUN)
    loaded = repo.get(ClientOrderId("o-1"))
    assert loaded is not None
    assert loaded.limit_price == Price(Decimal("12345.6789012345"))
    assert loaded.quantity.value == Decimal("0.0001")


def test_decimals_come_back_canonical_on_every_backend(engine: Engine) -> None:
    repo = OrderRepository(engine)
    repo.insert(order(limit="150.50"), run_id=RUN)
    loaded = repo.get(ClientOrderId("o-1"))
    assert loaded is not None
    assert loaded.limit_price is not None
    assert str(loaded.limit_price.value) == "150.5"
    assert str(loaded.quantity.value) == "10"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (Decimal("1.00000000001"), "decimal places"),
        (Decimal("1e18"), "integer digits"),
        (Decimal("NaN"), "finite"),
    ],
)
def test_values_that_would_lose_digits_are_refused(value: Decimal, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        check_decimal(value)


def test_floats_are_refused() -> None:
    with pytest.raises(TypeError, match="float"):
        check_decimal(0.1)


def test_canonical_form() -> None:
    assert str(canonical_decimal(Decimal("100.0000000000"))) == "100"
    assert str(canonical_decimal(Decimal("0.5000000000"))) == "0.5"
    assert str(canonical_decimal(Decimal("-0"))) == "0"


def test_timestamps_come_back_aware_utc(engine: Engine) -> None:
    local = datetime(2026, 3, 2, 9, 0, 0, 123456, tzinfo=KST)
    OrderRepository(engine).insert(order(at=local), run_id=RUN)
    loaded = OrderRepository(engine).get(ClientOrderId("o-1"))
    assert loaded is not None
    assert loaded.created_at == local
    assert loaded.created_at.utcoffset() == timedelta(0)
    assert (loaded.created_at.hour, loaded.created_at.microsecond) == (0, 123456)


def test_naive_timestamps_are_refused(engine: Engine) -> None:
    row = _capital_row(Decimal("1")) | {"ts": datetime(2026, 3, 2, 9, 0)}
    with pytest.raises(StatementError, match="naive datetime refused"), engine.begin() as conn:
        conn.execute(CAPITAL_EVENTS.insert(), row)


def test_time_order_survives_mixed_offsets(engine: Engine) -> None:
    """SQLite compares timestamps as text; storing UTC keeps text order equal to time order."""
    early_kst = datetime(2026, 3, 2, 8, 0, tzinfo=KST)  # 23:00 UTC the day before
    late_utc = datetime(2026, 3, 1, 23, 30, tzinfo=timezone.utc)  # noqa: UP017
    with engine.begin() as conn:
        conn.execute(
            CAPITAL_EVENTS.insert(),
            [
                _capital_row(Decimal(1), "late") | {"ts": late_utc},
                _capital_row(Decimal(1), "early") | {"ts": early_kst},
            ],
        )
        ids = conn.execute(
            sa.select(CAPITAL_EVENTS.c.event_id).order_by(CAPITAL_EVENTS.c.ts)
        ).scalars()
        assert list(ids) == ["early", "late"]
        later = conn.execute(
            sa.select(CAPITAL_EVENTS.c.event_id).where(CAPITAL_EVENTS.c.ts > early_kst)
        ).scalars()
        assert list(later) == ["late"]


def _capital_row(amount: Decimal, event_id: str = "c-1") -> dict[str, object]:
    return {
        "event_id": event_id,
        "run_id": RUN,
        "account": "default",
        "kind": "DEPOSIT",
        "amount": amount,
        "currency": "USD",
        "ts": T0,
        "note": "",
    }


def _position_row(quantity: Decimal) -> dict[str, object]:
    return {
        "run_id": RUN,
        "account": "default",
        "instrument_id": "AAPL.NASDAQ",
        "currency": "USD",
        "quantity": quantity,
        "cost_basis": Decimal(0),
        "realized_pnl": Decimal(0),
        "updated_at": T0,
    }


@pytest.mark.parametrize("migrated_url", ["sqlite"], indirect=True)
def test_sqlite_stores_fixed_width_utc_text_and_exact_decimal_text(engine: Engine) -> None:
    """What another tool (the sqlite3 shell, a backup diff) sees in the file."""
    local = datetime(2026, 3, 2, 9, 30, tzinfo=KST)
    with engine.begin() as conn:
        conn.execute(
            CAPITAL_EVENTS.insert(), _capital_row(Decimal("12345.6789012345")) | {"ts": local}
        )
        raw = conn.exec_driver_sql("SELECT ts, amount, typeof(amount) FROM capital_events").one()
    assert tuple(raw) == ("2026-03-02 00:30:00.000000", "12345.6789012345", "text")
