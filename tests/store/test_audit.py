"""``verify``: stored rows must agree with what the other stored rows imply - positions with
their fills, snapshots with capital events and fills."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ouroboros.domain import Currency, Money
from ouroboros.store import (
    CapitalEvent,
    CapitalEventKind,
    CapitalEvents,
    RunMode,
    RunRecord,
    RunRepository,
    SnapshotRecord,
    SnapshotRepository,
    verify,
)
from ouroboros.store.convert import fill_row, order_row
from ouroboros.store.tables import FILLS, ORDERS, POSITIONS
from tests.store.factories import RUN, T0, book_clean_ledger, fill, minutes, order


@contextmanager
def without_foreign_keys(engine: Engine) -> Iterator[Connection]:
    """A transaction that can write rows the schema would refuse, as a damaged restore or a
    ``sqlite3`` console session (foreign keys off by default) could."""
    if engine.dialect.name == "sqlite":
        plain = sa.create_engine(engine.url)  # no listener: SQLite's default, FKs off
        try:
            with plain.begin() as conn:
                yield conn
        finally:
            plain.dispose()
        return
    with engine.begin() as conn:
        conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        yield conn


def _kinds(engine: Engine, run_id: str | None = None) -> list[str]:
    return [p.kind for p in verify(engine, run_id).problems]


def test_a_consistent_ledger_passes(engine: Engine) -> None:
    book_clean_ledger(engine)
    report = verify(engine)
    assert report.problems == []
    assert report.ok
    assert (report.runs, report.ledgers, report.orders, report.fills) == (1, 1, 2, 3)
    assert (report.capital_events, report.positions, report.snapshots) == (1, 1, 1)
    assert report.as_dict()["ok"] is True


def test_an_empty_database_passes(engine: Engine) -> None:
    assert verify(engine).ok


def test_duplicate_client_order_ids_are_found(fresh_engine: Engine) -> None:
    engine = fresh_engine
    book_clean_ledger(engine)
    drop = "DROP INDEX ux_orders_client_order_id"
    with engine.begin() as conn:  # a restore that lost the unique index
        conn.exec_driver_sql(drop + (" CASCADE" if engine.dialect.name == "postgresql" else ""))
    with without_foreign_keys(engine) as conn:
        row = order_row(order("o-buy", qty="1"), run_id=RUN, account="default", decision_id=None)
        conn.execute(ORDERS.insert(), row)
    report = verify(engine)
    assert [p.kind for p in report.problems] == ["duplicate_client_order_id"]
    assert report.problems[0].detail == {"client_order_id": "o-buy", "count": "2"}


def test_orphan_fills_are_found(engine: Engine) -> None:
    book_clean_ledger(engine)
    with without_foreign_keys(engine) as conn:
        conn.execute(FILLS.insert(), fill_row(fill("T-9", "o-gone"), run_id=RUN, broker="kis"))
    report = verify(engine)
    assert [p.kind for p in report.problems] == ["orphan_fill"]
    assert report.problems[0].detail == {"fill_id": "T-9", "client_order_id": "o-gone"}


def test_filled_quantity_that_disagrees_with_fills_is_found(engine: Engine) -> None:
    book_clean_ledger(engine)
    with engine.begin() as conn:
        conn.execute(
            ORDERS.update()
            .where(ORDERS.c.client_order_id == "o-sell")
            .values(filled_quantity=Decimal(50))
        )
    assert _kinds(engine) == ["filled_quantity_mismatch"]


def test_a_stored_position_that_disagrees_with_fills_is_found(engine: Engine) -> None:
    book_clean_ledger(engine)
    with engine.begin() as conn:
        conn.execute(POSITIONS.update().values(quantity=Decimal(41)))
    assert _kinds(engine) == ["position_mismatch"]


def test_snapshot_cash_that_disagrees_with_the_ledger_is_found(engine: Engine) -> None:
    portfolio = book_clean_ledger(engine)
    wrong = {Currency.USD: portfolio.cash[Currency.USD] + Decimal("0.01")}
    SnapshotRepository(engine).add(SnapshotRecord(RUN, minutes(7), Currency.USD, wrong, Decimal(0)))
    report = verify(engine)
    assert [p.kind for p in report.problems] == ["cash_mismatch"]
    assert report.problems[0].detail["computed"] == str(portfolio.cash[Currency.USD])


def test_cash_is_compared_as_of_the_snapshot_time(engine: Engine) -> None:
    """A snapshot taken before the last fill must match the cash at that time, not now."""
    portfolio = book_clean_ledger(engine)
    CapitalEvents(engine).record(
        CapitalEvent(RUN, CapitalEventKind.WITHDRAWAL, Money.of("100.00", "USD"), minutes(8))
    )
    assert verify(engine).ok  # the snapshot at minute 6 predates the withdrawal
    SnapshotRepository(engine).add(
        SnapshotRecord(RUN, minutes(9), Currency.USD, dict(portfolio.cash), Decimal(0))
    )
    assert _kinds(engine) == ["cash_mismatch"]


@pytest.mark.parametrize(
    ("column", "value", "kinds"),
    [
        # The cost basis alone: quantity and cash still agree, only the identity catches it.
        ("cost_basis", Decimal("5410.00"), ["ledger_imbalance"]),
        ("realized_pnl", Decimal("1000.00"), ["ledger_imbalance"]),
    ],
)
def test_a_tampered_position_row_breaks_the_ledger_identity(
    engine: Engine, column: str, value: Decimal, kinds: list[str]
) -> None:
    """Regression: ``ledger_imbalance`` asked a Portfolio rebuilt from the fills whether it
    balanced - it always did, so the check could never fail."""
    book_clean_ledger(engine)
    with engine.begin() as conn:
        conn.execute(POSITIONS.update().values(**{column: value}))
    report = verify(engine)
    assert [p.kind for p in report.problems] == kinds
    assert report.problems[0].detail["instrument_id"] == "AAPL.NASDAQ"


def test_a_tampered_fill_price_shows_in_the_ledger_and_the_cash(engine: Engine) -> None:
    book_clean_ledger(engine)
    with engine.begin() as conn:
        conn.execute(FILLS.update().where(FILLS.c.fill_id == "f-1").values(price=Decimal("149")))
    assert _kinds(engine) == ["ledger_imbalance", "cash_mismatch"]


def test_a_tampered_capital_event_shows_in_the_cash(engine: Engine) -> None:
    book_clean_ledger(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE capital_events SET amount = '90000'")
    assert _kinds(engine) == ["cash_mismatch"]


@pytest.mark.parametrize(("kind", "sign"), [("FEE_CHARGE", -1), ("FEE_REFUND", 1)])
def test_fee_adjustments_move_the_cash_their_way(engine: Engine, kind: str, sign: int) -> None:
    portfolio = book_clean_ledger(engine)
    CapitalEvents(engine).record(
        CapitalEvent(RUN, CapitalEventKind(kind), Money.of("1.25", "USD"), minutes(7))
    )
    cash = {Currency.USD: portfolio.cash[Currency.USD] + sign * Decimal("1.25")}
    SnapshotRepository(engine).add(SnapshotRecord(RUN, minutes(7), Currency.USD, cash, Decimal(0)))
    assert verify(engine).ok
    with engine.begin() as conn:
        conn.exec_driver_sql(f"UPDATE capital_events SET kind = 'WITHDRAWAL' WHERE kind = '{kind}'")
    assert _kinds(engine) == ([] if kind == "FEE_CHARGE" else ["cash_mismatch"])


def test_verify_can_be_scoped_to_one_run(engine: Engine) -> None:
    book_clean_ledger(engine)
    RunRepository(engine).start(RunRecord("run-2", RunMode.PAPER, "cfg", T0))
    with engine.begin() as conn:
        conn.execute(POSITIONS.update().values(quantity=Decimal(41)))
    assert verify(engine, "run-2").ok
    assert _kinds(engine, RUN) == ["position_mismatch"]
    assert _kinds(engine, "no-such-run") == ["run_not_found"]


@pytest.mark.parametrize("kind", ["DEPOSIT", "WITHDRAWAL"])
def test_capital_events_alone_balance(engine: Engine, kind: str) -> None:
    CapitalEvents(engine).record(
        CapitalEvent(RUN, CapitalEventKind(kind), Money.of("10.00", "USD"), T0)
    )
    sign = 1 if kind == "DEPOSIT" else -1
    SnapshotRepository(engine).add(
        SnapshotRecord(RUN, T0, Currency.USD, {Currency.USD: Decimal("10.00") * sign}, Decimal(0))
    )
    assert verify(engine).ok
