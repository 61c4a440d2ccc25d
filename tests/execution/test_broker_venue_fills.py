"""What the broker venue does with each broker fill before the books see it: the modelled cost
of a broker that reports none, and a record of every fill that does not fit its order."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from ouroboros.domain.currency import Currency
from ouroboros.domain.events import BrokerEvent, OrderFilled
from ouroboros.domain.fills import Fill
from ouroboros.domain.ids import ClientOrderId, InstrumentId, VenueOrderId
from ouroboros.domain.money import Money, Price, Quantity
from ouroboros.domain.orders import Order, OrderEventKind, OrderSide, OrderType, TimeInForce
from ouroboros.execution.broker_venue import BrokerVenue, BrokerVenueConfig
from ouroboros.execution.fees import FeeSchedule
from ouroboros.execution.ports import (
    BalanceReport,
    BrokerCapabilities,
    OrderReport,
    PositionReport,
    SubmitAck,
)

T0 = datetime(2026, 12, 4, 1, tzinfo=UTC)
SAMSUNG = InstrumentId.parse("005930.KRX")


@dataclass
class FakeBroker:
    """A broker that accepts everything and pushes what the test queues."""

    reports_fees: bool = False
    pushed: list[BrokerEvent] = field(default_factory=list)

    @property
    def capabilities(self) -> BrokerCapabilities:
        return BrokerCapabilities(
            "fake",
            frozenset({OrderType.LIMIT, OrderType.MARKET}),
            frozenset({TimeInForce.DAY}),
            frozenset({"KRX"}),
            reports_fees=self.reports_fees,
        )

    async def connect(self) -> None: ...

    async def close(self) -> None: ...

    async def submit(self, order: Order) -> SubmitAck:
        return SubmitAck(order.client_order_id, True, VenueOrderId("V1"))

    async def cancel(self, order: Order) -> None: ...

    async def modify(
        self, order: Order, quantity: Quantity | None, limit_price: Price | None
    ) -> SubmitAck:
        return SubmitAck(order.client_order_id, False, reason="no")

    async def order_reports(self, since: datetime | None = None) -> list[OrderReport]:
        return []

    async def fill_reports(self, since: datetime | None = None) -> list[Fill]:
        return []

    async def position_reports(self) -> list[PositionReport]:
        return []

    async def balance_reports(self) -> list[BalanceReport]:
        return []

    def drain_events(self) -> list[BrokerEvent]:
        out, self.pushed = self.pushed, []
        return out


@dataclass
class Rig:
    broker: FakeBroker
    venue: BrokerVenue
    notices: list[tuple[str, dict[str, Any]]]
    errors: list[datetime]


async def _no_pause(_seconds: float) -> None:
    return None


@pytest.fixture
def runner() -> Iterator[asyncio.Runner]:
    with asyncio.Runner() as run:
        yield run


def rig(runner: asyncio.Runner, *, reports_fees: bool = False, **config: Any) -> Rig:
    broker = FakeBroker(reports_fees=reports_fees)
    notices: list[tuple[str, dict[str, Any]]] = []
    errors: list[datetime] = []
    venue = BrokerVenue(
        broker,
        runner,
        lambda: T0,
        config=BrokerVenueConfig(settle_wait=timedelta(0), **config),
        notify=lambda kind, _ts, payload: notices.append((kind, payload)),
        on_error=errors.append,
        pause=_no_pause,
    )
    return Rig(broker, venue, notices, errors)


def limit_buy(cid: str, qty: int) -> Order:
    order = Order(
        ClientOrderId(cid),
        SAMSUNG,
        OrderSide.BUY,
        OrderType.LIMIT,
        Quantity(Decimal(qty)),
        T0,
        limit_price=Price(Decimal(70000)),
    )
    order.apply(OrderEventKind.SUBMIT, T0)
    return order


def fill(cid: str, fill_id: str, qty: int, fee: str = "0") -> OrderFilled:
    return OrderFilled(
        Fill(
            fill_id,
            ClientOrderId(cid),
            SAMSUNG,
            OrderSide.BUY,
            Quantity(Decimal(qty)),
            Price(Decimal(70000)),
            Money(Decimal(fee), Currency.KRW),
            T0,
        )
    )


def fills_of(events: list[BrokerEvent]) -> list[Fill]:
    return [e.fill for e in events if isinstance(e, OrderFilled)]


def test_fills_of_a_broker_that_reports_no_fee_carry_the_markets_modelled_cost(
    runner: asyncio.Runner,
) -> None:
    """Regression: KIS fills were booked with fee 0, so P&L and the breaker left out the
    commission and the KRX sell tax."""
    r = rig(runner)
    r.venue.submit(limit_buy("b1", 10), T0, None)
    r.broker.pushed.append(fill("b1", "F1", 10))
    (booked,) = fills_of(r.venue.drain())
    # KRX: 0.015 % commission on 700,000 KRW = 105 KRW (a buy pays no tax)
    assert booked.fee == Money(Decimal(105), Currency.KRW)


def test_the_fee_model_is_configurable_and_a_reported_fee_is_kept(
    runner: asyncio.Runner,
) -> None:
    flat = FeeSchedule(commission_rate=Decimal("0.001"))
    r = rig(runner, fees=lambda _inst: flat)
    r.venue.submit(limit_buy("b1", 10), T0, None)
    r.broker.pushed += [fill("b1", "F1", 4), fill("b1", "F2", 6, fee="9")]
    assert [f.fee.amount for f in fills_of(r.venue.drain())] == [Decimal(280), Decimal(9)]

    honest = rig(runner, reports_fees=True)
    honest.venue.submit(limit_buy("b2", 10), T0, None)
    honest.broker.pushed.append(fill("b2", "F3", 10))
    assert [f.fee.amount for f in fills_of(honest.venue.drain())] == [Decimal(0)]


def test_an_overfill_is_recorded_as_an_audit_event_not_dropped(runner: asyncio.Runner) -> None:
    """Regression: a fill beyond what the order had left vanished without a trace."""
    r = rig(runner)
    r.venue.submit(limit_buy("b1", 10), T0, None)
    r.broker.pushed += [fill("b1", "F1", 6), fill("b1", "F2", 6)]
    assert [f.fill_id for f in fills_of(r.venue.drain())] == ["F1"]
    refused = [p for k, p in r.notices if k == "venue.fill_refused"]
    assert [(p["fill_id"], p["quantity"], p["order_filled"]) for p in refused] == [("F2", "6", "6")]
    assert "exceeds the 4 left" in refused[0]["why"]
    assert len(r.errors) == 1
    assert r.venue.errors == 1


def test_a_fill_after_the_order_closed_is_recorded_and_a_duplicate_is_not(
    runner: asyncio.Runner,
) -> None:
    r = rig(runner)
    r.venue.submit(limit_buy("b1", 10), T0, None)
    r.broker.pushed += [fill("b1", "F1", 10), fill("b1", "F1", 10), fill("b1", "F9", 1)]
    assert [f.fill_id for f in fills_of(r.venue.drain())] == ["F1"]
    refused = [p for k, p in r.notices if k == "venue.fill_refused"]
    assert [p["fill_id"] for p in refused] == ["F9"]  # the replayed F1 is just a duplicate
    assert refused[0]["why"] == "the order is already FILLED"
