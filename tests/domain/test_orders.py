from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ouroboros.domain import (
    TRANSITIONS,
    ClientOrderId,
    IllegalTransition,
    InstrumentId,
    Order,
    OrderEventKind,
    OrderSide,
    OrderStatus,
    OrderType,
    Price,
    Quantity,
)

T0 = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)


def new_order(qty: int = 10) -> Order:
    return Order(
        client_order_id=ClientOrderId("c1"),
        instrument_id=InstrumentId.parse("AAPL.NASDAQ"),
        side=OrderSide.BUY,
        order_type=OrderType.LIMIT,
        quantity=Quantity.of(qty),
        limit_price=Price.of("150.00"),
        created_at=T0,
    )


def test_happy_path_to_filled_with_average_price() -> None:
    order = new_order()
    order.apply(OrderEventKind.SUBMIT, T0)
    order.apply(OrderEventKind.ACCEPT, T0)
    assert order.apply_fill(Quantity.of(4), Price.of("149.00"), T0) is OrderStatus.PARTIALLY_FILLED
    assert order.apply_fill(Quantity.of(6), Price.of("150.00"), T0) is OrderStatus.FILLED
    assert order.average_fill_price == Decimal("149.6")
    assert order.status.is_terminal


def test_denied_is_not_rejected_and_is_terminal() -> None:
    order = new_order()
    order.apply(OrderEventKind.DENY, T0, reason="position limit")
    assert order.status is OrderStatus.DENIED
    with pytest.raises(IllegalTransition, match="DENIED cannot take SUBMIT"):
        order.apply(OrderEventKind.SUBMIT, T0)


def test_cancel_rejected_after_partial_fill_returns_to_partially_filled() -> None:
    order = new_order()
    order.apply(OrderEventKind.SUBMIT, T0)
    order.apply_fill(Quantity.of(3), Price.of("150.00"), T0)
    order.apply(OrderEventKind.REQUEST_CANCEL, T0)
    order.apply(OrderEventKind.CANCEL_REJECTED, T0, reason="too late")
    assert order.status is OrderStatus.PARTIALLY_FILLED


def test_overfill_is_illegal() -> None:
    order = new_order(5)
    order.apply(OrderEventKind.SUBMIT, T0)
    with pytest.raises(IllegalTransition, match="exceeds leaves"):
        order.apply_fill(Quantity.of(6), Price.of("150.00"), T0)


def test_limit_order_needs_a_limit_price() -> None:
    with pytest.raises(ValueError, match="needs a limit price"):
        Order(
            client_order_id=ClientOrderId("c2"),
            instrument_id=InstrumentId.parse("AAPL.NASDAQ"),
            side=OrderSide.BUY,
            order_type=OrderType.LIMIT,
            quantity=Quantity.of(1),
            created_at=T0,
        )


def test_terminal_states_take_no_events() -> None:
    for (state, _event), _target in TRANSITIONS.items():
        assert not state.is_terminal


step = st.one_of(
    st.sampled_from(
        [e for e in OrderEventKind if e not in (OrderEventKind.FILL, OrderEventKind.PARTIAL_FILL)]
    ),
    st.integers(min_value=1, max_value=12),
)


@given(st.lists(step, max_size=30))
def test_random_event_streams_never_reach_an_illegal_state(
    steps: list[OrderEventKind | int],
) -> None:
    order = new_order(10)
    for item in steps:
        before = (order.status, order.filled_quantity)
        try:
            if isinstance(item, int):
                order.apply_fill(Quantity.of(item), Price.of("150.00"), T0)
            else:
                order.apply(item, T0)
        except IllegalTransition:
            assert (order.status, order.filled_quantity) == before, (
                "a refused event changed the order"
            )
            continue
        assert order.filled_quantity <= order.quantity
        if order.status is OrderStatus.FILLED:
            assert order.filled_quantity == order.quantity
        if order.status in (OrderStatus.INITIALIZED, OrderStatus.DENIED, OrderStatus.REJECTED):
            assert order.filled_quantity.is_zero
