"""Orders are written before submission and updated through their lifecycle; fills are stored
once per broker fill id."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from ouroboros.domain import (
    ClientOrderId,
    OrderEventKind,
    OrderStatus,
    Price,
    Quantity,
    VenueOrderId,
)
from ouroboros.store import (
    DuplicateKey,
    FillRepository,
    OrderRepository,
    RecordNotFound,
    transaction,
)
from tests.store.factories import RUN, fill, minutes, order


def test_order_round_trips_as_a_domain_object(engine: Engine) -> None:
    placed = order(limit="150.25")
    OrderRepository(engine).insert(placed, run_id=RUN, decision_id="d-1")
    loaded = OrderRepository(engine).get(ClientOrderId("o-1"))
    assert loaded == placed


def test_a_cancelled_order_keeps_its_tag_and_its_cancel_reason(engine: Engine) -> None:
    repo = OrderRepository(engine)
    placed = order(tag="ta; confidence=0.80")
    repo.insert(placed, run_id=RUN)
    placed.apply(OrderEventKind.SUBMIT, minutes(1))
    placed.apply(OrderEventKind.ACCEPT, minutes(1))
    placed.apply(OrderEventKind.CANCEL, minutes(2), reason="session closed")
    repo.update(placed)
    loaded = repo.get(ClientOrderId("o-1"))
    assert loaded is not None
    assert (loaded.status, loaded.tag, loaded.status_reason) == (
        OrderStatus.CANCELED,
        "ta; confidence=0.80",
        "session closed",
    )
    assert loaded == placed


def test_client_order_id_is_unique(engine: Engine) -> None:
    repo = OrderRepository(engine)
    repo.insert(order("o-1"), run_id=RUN)
    with pytest.raises(DuplicateKey, match="o-1"):
        repo.insert(order("o-1", qty="5"), run_id=RUN)
    loaded = repo.get(ClientOrderId("o-1"))
    assert loaded is not None
    assert loaded.quantity == Quantity.of(10)


def test_update_stores_the_lifecycle(engine: Engine) -> None:
    repo = OrderRepository(engine)
    placed = order()
    repo.insert(placed, run_id=RUN)
    placed.apply(OrderEventKind.SUBMIT, minutes(1))
    placed.apply(OrderEventKind.ACCEPT, minutes(1))
    placed.venue_order_id = VenueOrderId("0000117057")
    placed.apply_fill(Quantity.of(3), Price.of("150.10"), minutes(2))
    placed.apply_fill(Quantity.of(4), Price.of("150.20"), minutes(3))
    repo.update(placed)
    loaded = repo.get(ClientOrderId("o-1"))
    assert loaded is not None
    assert loaded.status is OrderStatus.PARTIALLY_FILLED
    assert loaded.filled_quantity == Quantity.of(7)
    assert loaded.venue_order_id == VenueOrderId("0000117057")
    assert loaded.updated_at == minutes(3)
    # The average (a repeating quotient) is stored rounded to 10 places, half-even.
    assert placed.average_fill_price is not None
    assert loaded.average_fill_price == placed.average_fill_price.quantize(Decimal("1e-10"))


def test_updating_an_order_never_inserted_fails(engine: Engine) -> None:
    with pytest.raises(RecordNotFound, match="never inserted"):
        OrderRepository(engine).update(order("ghost"))


def test_open_orders_are_the_non_terminal_ones(engine: Engine) -> None:
    repo = OrderRepository(engine)
    unsent, working, done = order("unsent"), order("working", at=minutes(1)), order("done")
    for o in (unsent, working, done):
        repo.insert(o, run_id=RUN)
    working.apply(OrderEventKind.SUBMIT, minutes(1))
    done.apply(OrderEventKind.DENY, minutes(1), reason="fat finger")
    repo.update(working)
    repo.update(done)
    assert [o.client_order_id.value for o in repo.open_orders(RUN)] == ["unsent", "working"]
    assert repo.open_orders("other-run") == []


def test_fill_insert_is_idempotent_per_broker(engine: Engine) -> None:
    OrderRepository(engine).insert(order(), run_id=RUN)
    fills = FillRepository(engine)
    first = fill("T-1", qty="4")
    assert fills.insert(first, run_id=RUN, broker="kis")
    assert not fills.insert(first, run_id=RUN, broker="kis")
    assert fills.insert(first, run_id=RUN, broker="alpaca")  # another broker's id space
    assert fills.insert_many([first, fill("T-2", qty="6")], run_id=RUN, broker="kis") == 1
    stored = fills.for_order(ClientOrderId("o-1"))
    assert [f.fill_id for f in stored] == ["T-1", "T-1", "T-2"]
    assert stored[0] == first


def test_a_fill_for_an_unknown_order_is_refused_by_the_database(engine: Engine) -> None:
    with pytest.raises(IntegrityError):
        FillRepository(engine).insert(fill("T-1", "no-such-order"), run_id=RUN, broker="kis")


def test_repositories_share_a_callers_transaction(engine: Engine) -> None:
    def order_then_orphan_fill() -> None:
        with transaction(engine) as conn:
            OrderRepository(conn).insert(order("o-1"), run_id=RUN)
            FillRepository(conn).insert(fill("T-1", "missing"), run_id=RUN, broker="kis")

    with pytest.raises(IntegrityError):
        order_then_orphan_fill()
    assert OrderRepository(engine).get(ClientOrderId("o-1")) is None
