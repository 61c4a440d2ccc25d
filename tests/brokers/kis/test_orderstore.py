"""The KIS adapter's idempotency records live in the main database and fail closed.

* A restarted adapter (a new process, another working directory, the same database) finds the
  intent it committed before sending and binds the order KIS already has: no duplicate.
* A record it cannot read refuses the start with an error naming it.
* KIS order numbers restart every day: the same ODNO on two trade dates books two fills.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from ouroboros.brokers.kis.orderstore import OrderRecord, OrderStore, OrderStoreCorrupt
from ouroboros.brokers.kis.tracker import FillTracker
from ouroboros.domain.ids import ClientOrderId, InstrumentId
from ouroboros.domain.orders import OrderEventKind, OrderSide
from ouroboros.errors import RetryError, StopError
from ouroboros.interfaces.kis_testing import broker_for
from ouroboros.sandbox.kis import KisSandbox
from ouroboros.store import (
    FillRepository,
    OrderRepository,
    RunMode,
    RunRecord,
    RunRepository,
    make_engine,
    upgrade,
)
from ouroboros.store.tables import BROKER_FILL_LEDGER, BROKER_INTENTS
from tests.brokers.kis.conftest import FAST_RETRY, limit_order

ACCOUNT = "kis-virtual:50000001-01"
SAMSUNG = InstrumentId.parse("005930.KRX")


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'main.db'}")
    upgrade(engine)
    try:
        yield engine
    finally:
        engine.dispose()


async def test_a_restarted_adapter_binds_the_order_kis_has_instead_of_sending_it_again(
    sandbox: KisSandbox, tmp_path: Path, database: Engine
) -> None:
    first = broker_for(sandbox, tmp_path, database=database, retry=FAST_RETRY)
    price = sandbox.price("005930.KRX")
    order = limit_order("r-1", "005930.KRX", OrderSide.BUY, 3, str(price))
    sandbox.queue_fault("5xx_after", path_contains="order-cash")  # KIS has it; we never hear
    sandbox.queue_fault("5xx", count=8, path_contains="inquire-daily-ccld")  # nor can look
    with pytest.raises(RetryError):
        await first.submit(order)
    await first.close()  # the process dies here
    sandbox.call(sandbox.state.faults.clear)
    with database.connect() as conn:
        intent = conn.execute(sa.select(BROKER_INTENTS)).mappings().one()
    assert (intent["client_order_id"], intent["state"]) == ("r-1", "pending")

    # Another process: it knows the intent only from the database.
    second = broker_for(sandbox, tmp_path, database=database, retry=FAST_RETRY)
    ack = await second.submit(order)
    await second.close()
    at_venue = [o for o in sandbox.orders() if o.kind == "new"]
    assert len(at_venue) == 1, "the restarted adapter sent the order a second time"
    assert ack.accepted
    assert ack.venue_order_id is not None
    assert ack.venue_order_id.value == at_venue[0].odno
    assert second.store.get("r-1") is not None
    assert second.store.get("r-1").state == "acked"  # type: ignore[union-attr]


def _store_one(database: Engine) -> None:
    store = OrderStore(database, ACCOUNT, lambda: datetime(2026, 12, 4, 1, tzinfo=UTC))
    store.put(
        OrderRecord(
            "c-1", "005930.KRX", "BUY", "LIMIT", "3", "70000", "00", "2026-12-04T01:00:00+00:00"
        )
    )


@pytest.mark.parametrize(
    ("tamper", "named"),
    [
        ('UPDATE broker_intents SET record = \'{"client_order_id": "c-1"}\'', "missing fields"),
        ("UPDATE broker_intents SET record = json_set(record, '$.quantity', 'abc')", "'abc'"),
        ("UPDATE broker_intents SET state = 'sent'", "state 'sent'"),
        ("UPDATE broker_intents SET record = 'not json'", "cannot be read"),
    ],
)
def test_a_corrupt_intent_refuses_to_start_and_names_it(
    database: Engine, tamper: str, named: str
) -> None:
    """Regression: the JSON file loaded as empty when it could not be read, forgetting orders
    that may be live at KIS."""
    _store_one(database)
    with database.begin() as conn:
        conn.exec_driver_sql(tamper)
    with pytest.raises(OrderStoreCorrupt, match=named) as raised:
        OrderStore(database, ACCOUNT, lambda: datetime(2026, 12, 4, tzinfo=UTC))
    assert isinstance(raised.value, StopError)
    assert ACCOUNT in str(raised.value)


def test_an_unreadable_ledger_row_refuses_to_start(database: Engine) -> None:
    _store_one(database)
    with database.begin() as conn:
        conn.execute(
            BROKER_FILL_LEDGER.insert(),
            {
                "account": ACCOUNT,
                "trade_date": date(2026, 12, 4),
                "venue_order_id": "0000100001",
                "cum_quantity": Decimal(3),
                "cum_amount": Decimal(210000),
                "updated_at": datetime(2026, 12, 4, tzinfo=UTC),
            },
        )
        conn.exec_driver_sql("UPDATE broker_fill_ledger SET cum_quantity = 'three'")
    with pytest.raises(OrderStoreCorrupt, match="cannot be read"):
        OrderStore(database, ACCOUNT, lambda: datetime(2026, 12, 4, tzinfo=UTC))


def test_the_same_odno_on_two_trade_dates_books_both_fills(database: Engine) -> None:
    """Regression: fill ids were ``KIS-<odno>-<cum>``, so the second day's fill of a reused
    order number had the first day's id and insert-ignore dropped it."""
    day1 = datetime(2026, 12, 3, 1, tzinfo=UTC)
    day2 = day1 + timedelta(days=1)
    clock = [day1]
    store = OrderStore(database, ACCOUNT, lambda: clock[0])
    tracker = FillTracker(store, lambda: clock[0])
    odno = "0000100001"  # KIS numbers both days' first order the same
    fills = []
    for cid, at in (("d1", day1), ("d2", day2)):
        clock[0] = at
        store.put(
            OrderRecord(
                cid,
                "005930.KRX",
                "BUY",
                "LIMIT",
                "3",
                "70000",
                "00",
                at.isoformat(),
                state="acked",
                odnos=[odno],
            )
        )
        fill = tracker.observe_cumulative(
            at.date(),
            odno,
            ClientOrderId(cid),
            SAMSUNG,
            OrderSide.BUY,
            Decimal(3),
            Decimal(210000),
            at,
        )
        assert fill is not None
        fills.append(fill)
    assert fills[0].fill_id != fills[1].fill_id
    assert store.owner(odno, day1.date()) == "d1"
    assert store.owner(odno, day2.date()) == "d2"

    reopened = OrderStore(database, ACCOUNT, lambda: day2)  # a restart reads both back
    assert sorted(f.fill_id for f in reopened.all_fills()) == sorted(f.fill_id for f in fills)
    assert reopened.booked(day1.date(), odno).quantity == 3
    assert reopened.booked(day2.date(), odno).quantity == 3

    # ... and the main books keep both (they de-duplicate by broker and fill id).
    RunRepository(database).start(RunRecord("k1", RunMode.PAPER, "h", day1))
    orders = OrderRepository(database)
    for f in fills:
        order = limit_order(f.client_order_id.value, "005930.KRX", OrderSide.BUY, 3, "70000")
        order.apply(OrderEventKind.SUBMIT, f.ts)
        orders.insert(order, run_id="k1")
    assert FillRepository(database).insert_many(fills, run_id="k1", broker=ACCOUNT) == 2


def test_two_intents_claiming_one_order_number_of_one_day_refuse_to_start(
    database: Engine,
) -> None:
    at = datetime(2026, 12, 4, 1, tzinfo=UTC)
    store = OrderStore(database, ACCOUNT, lambda: at)
    for cid, odno in (("c-1", "0000100001"), ("c-2", "0000100002")):
        store.put(
            OrderRecord(
                cid,
                "005930.KRX",
                "BUY",
                "LIMIT",
                "3",
                "70000",
                "00",
                at.isoformat(),
                state="acked",
                odnos=[odno],
            )
        )
    with database.begin() as conn:  # a hand edit binds c-2 to c-1's order number
        conn.exec_driver_sql(
            "UPDATE broker_intents SET record = "
            "json_set(record, '$.odnos', json('[\"0000100001\"]')) WHERE client_order_id = 'c-2'"
        )
    with pytest.raises(OrderStoreCorrupt, match="claimed by both c-1 and c-2"):
        OrderStore(database, ACCOUNT, lambda: at)
