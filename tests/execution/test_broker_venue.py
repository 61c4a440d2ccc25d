"""BrokerVenue against the local KIS sandbox (real HTTP and WebSocket, real adapter), with an
injected clock: the 30 s stale check and the 60 s timeout run in milliseconds.

The fake clock moves only when the test says so or when the venue pauses (each pause moves it
by the pause's length and lets a couple of real milliseconds pass for the network)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ouroboros.brokers.kis import KisBroker, KisRealtime
from ouroboros.brokers.kis.client import RetryPolicy
from ouroboros.domain.events import (
    BrokerEvent,
    OrderAccepted,
    OrderCanceled,
    OrderFilled,
    OrderRejected,
)
from ouroboros.domain.ids import ClientOrderId, InstrumentId
from ouroboros.domain.money import Price, Quantity
from ouroboros.domain.orders import (
    Order,
    OrderEventKind,
    OrderSide,
    OrderType,
    TimeInForce,
)
from ouroboros.execution.broker_venue import BrokerVenue, BrokerVenueConfig
from ouroboros.interfaces.kis_testing import broker_for
from ouroboros.sandbox.kis import KisSandbox, SandboxConfig

SYMBOL = "005930.KRX"
IID = InstrumentId.parse(SYMBOL)
ENGINE_NOW = datetime(2026, 11, 20, 0, 0, tzinfo=UTC)
ORDER_PATH = "order-cash"
CANCEL_PATH = "order-rvsecncl"


class FakeClock:
    def __init__(self) -> None:
        self.t = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += timedelta(seconds=seconds)


@dataclass
class Rig:
    sandbox: KisSandbox
    broker: KisBroker
    runner: asyncio.Runner
    clock: FakeClock
    venue: BrokerVenue
    realtime: KisRealtime | None
    notices: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    errors: list[datetime] = field(default_factory=list)
    persisted: list[str] = field(default_factory=list)

    def kinds(self) -> list[str]:
        return [k for k, _ in self.notices]

    def drain_after(self, seconds: float) -> list[BrokerEvent]:
        self.clock.advance(seconds)
        return self.venue.drain()

    def venue_orders(self) -> list[Any]:
        return [o for o in self.sandbox.orders() if o.kind == "new"]


def make_rig(
    tmp_path: Path,
    *,
    realtime: bool = True,
    config: BrokerVenueConfig | None = None,
    client_attempts: int = 3,
    fail_persist: bool = False,
) -> Iterator[Rig]:
    sandbox = KisSandbox(SandboxConfig(virtual=True, rate_limit=0)).start()
    sandbox.set_volume(SYMBOL, 1_000_000)
    broker = broker_for(
        sandbox,
        tmp_path,
        retry=RetryPolicy(attempts=client_attempts, initial_wait=0.001, max_wait=0.002),
        resend_after=timedelta(0),
        timeout=1.0,
    )
    runner = asyncio.Runner()
    runner.run(broker.connect())
    stream = None
    if realtime:
        stream = KisRealtime(broker.client)
        runner.run(stream.start())
        runner.run(broker.attach_realtime(stream, sandbox.app_credentials.hts_id))
    clock = FakeClock()

    async def pause(seconds: float) -> None:
        clock.advance(seconds)
        await asyncio.sleep(0.002 if seconds else 0)

    rig = Rig(sandbox, broker, runner, clock, None, stream)  # type: ignore[arg-type]

    def persist(order: Order) -> None:
        if fail_persist:
            raise RuntimeError("database unavailable")
        rig.persisted.append(order.client_order_id.value)

    rig.venue = BrokerVenue(
        broker,
        runner,
        clock.now,
        config=config or BrokerVenueConfig(settle_wait=timedelta(seconds=1)),
        before_submit=persist,
        on_error=rig.errors.append,
        notify=lambda kind, _ts, payload: rig.notices.append((kind, payload)),
        pause=pause,
        error_probe=lambda: broker.client.stats.retried + broker.client.stats.reauthenticated,
    )
    try:
        yield rig
    finally:
        try:
            if stream is not None:
                runner.run(stream.stop())
            runner.run(broker.close())
        finally:
            runner.close()
            sandbox.stop()


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    yield from make_rig(tmp_path)


@pytest.fixture
def rest_rig(tmp_path: Path) -> Iterator[Rig]:
    """No WebSocket: everything the venue learns after a submit comes from REST reports."""
    yield from make_rig(tmp_path, realtime=False)


def submitted(
    cid: str,
    qty: int,
    *,
    side: OrderSide = OrderSide.BUY,
    kind: OrderType = OrderType.MARKET,
    limit: str | None = None,
    tif: TimeInForce = TimeInForce.DAY,
) -> Order:
    order = Order(
        ClientOrderId(cid),
        IID,
        side,
        kind,
        Quantity(Decimal(qty)),
        ENGINE_NOW,
        limit_price=Price(Decimal(limit)) if limit else None,
        stop_price=Price(Decimal(limit)) if kind is OrderType.STOP and limit else None,
        time_in_force=tif,
    )
    order.apply(OrderEventKind.SUBMIT, ENGINE_NOW)
    return order


def filled(events: list[BrokerEvent]) -> Decimal:
    return sum((e.fill.quantity.value for e in events if isinstance(e, OrderFilled)), Decimal(0))


# ---------------------------------------------------------------------------------- happy path
def test_market_order_is_persisted_first_and_fills_over_the_websocket(rig: Rig) -> None:
    order = submitted("t-1", 10)
    assert rig.venue.submit(order, ENGINE_NOW, None)
    assert rig.persisted == ["t-1"]
    events = rig.venue.drain()
    assert isinstance(events[0], OrderAccepted)
    assert filled(events) == 10
    assert "venue.stale_check" not in rig.kinds()  # the fill was pushed, no REST lookup
    assert len(rig.venue_orders()) == 1
    assert rig.venue.working_for(IID) == []  # filled: nothing left working
    assert rig.errors == []


def test_replayed_and_late_events_are_booked_once(rig: Rig) -> None:
    order = submitted("t-1", 10)
    rig.venue.submit(order, ENGINE_NOW, None)
    events = rig.venue.drain()
    fill_event = next(e for e in events if isinstance(e, OrderFilled))
    accepted = next(e for e in events if isinstance(e, OrderAccepted))
    # The adapter hands the same fill and the acceptance over again (a re-delivered notice).
    rig.broker.tracker.events += [fill_event, accepted]
    assert rig.venue.drain() == []
    assert rig.venue.open_orders() == []


def test_engine_time_stamps_events_in_a_replay(tmp_path: Path) -> None:
    config = BrokerVenueConfig(settle_wait=timedelta(seconds=1), stamp_with_engine_time=True)
    for rig in make_rig(tmp_path, config=config):
        rig.venue.submit(submitted("t-1", 5), ENGINE_NOW, None)
        events = rig.venue.drain()
        assert {e.ts for e in events} == {ENGINE_NOW}
        assert filled(events) == 5


# ---------------------------------------------------------------------------------- unknowns
def test_lost_answer_stays_in_flight_until_the_stale_check_binds_it(rest_rig: Rig) -> None:
    """The order reached the sandbox, the answer did not: no event and no resend until the
    30 s stale check finds it in the daily order list."""
    rig = rest_rig
    rig.sandbox.queue_fault("5xx_after", path_contains=ORDER_PATH)
    # ... and the adapter's immediate lookup in the order list fails too (3 client attempts).
    rig.sandbox.queue_fault("5xx", count=3, path_contains="inquire-daily-ccld")
    order = submitted("t-1", 10)
    assert rig.venue.submit(order, ENGINE_NOW, None)
    assert rig.venue.in_flight() == [ClientOrderId("t-1")]
    assert rig.venue.drain() == []
    assert rig.drain_after(20) == []  # not stale yet
    events = rig.drain_after(11)
    assert [type(e) for e in events][:1] == [OrderAccepted]
    assert filled(events) == 10
    assert "venue.outcome_unknown" in rig.kinds()
    assert "venue.stale_check" in rig.kinds()
    assert len(rig.venue_orders()) == 1, "never sent twice"
    assert len(rig.errors) >= 1


def test_order_that_never_arrived_is_resent_only_through_the_idempotent_lookup(
    rest_rig: Rig,
) -> None:
    rig = rest_rig
    rig.sandbox.queue_fault("5xx", path_contains=ORDER_PATH)  # refused before processing
    rig.venue.submit(submitted("t-1", 10), ENGINE_NOW, None)
    assert rig.venue.drain() == []
    assert rig.venue_orders() == []
    events = rig.drain_after(31)
    assert isinstance(events[0], OrderAccepted)
    assert filled(events) == 10
    assert len(rig.venue_orders()) == 1


def test_outcome_unknown_for_sixty_seconds_is_escalated(rest_rig: Rig) -> None:
    rig = rest_rig
    rig.sandbox.queue_fault("5xx", path_contains=ORDER_PATH)
    rig.sandbox.queue_fault("5xx", count=20, path_contains="inquire-daily-ccld")
    rig.venue.submit(submitted("t-1", 10), ENGINE_NOW, None)
    rig.venue.drain()
    rig.drain_after(31)
    rig.drain_after(30)
    escalated = [p for k, p in rig.notices if k == "venue.escalated"]
    assert [p["problem"] for p in escalated] == ["outcome_unknown"]
    assert rig.venue_orders() == []  # still nothing sent blindly


# ---------------------------------------------------------------------------------- timeouts
def test_day_market_order_without_news_for_sixty_seconds_is_canceled(rig: Rig) -> None:
    rig.sandbox.set_volume(SYMBOL, 0)  # nothing trades: the market order rests
    rig.venue.submit(submitted("t-1", 10), ENGINE_NOW, None)
    events = rig.venue.drain()
    assert [type(e) for e in events] == [OrderAccepted]
    assert rig.drain_after(31) == []  # stale check: still open, nothing new
    assert "venue.stale_check" in rig.kinds()
    events = rig.drain_after(30)
    assert [type(e) for e in events] == [OrderCanceled]
    assert isinstance(events[0], OrderCanceled)
    assert re.fullmatch(r"timeout: no news for 6\ds", events[0].reason)
    assert [o.status for o in rig.venue_orders()] == ["canceled"]


def test_cancel_that_cannot_be_confirmed_is_retried_and_escalated(rest_rig: Rig) -> None:
    rig = rest_rig
    rig.sandbox.set_volume(SYMBOL, 0)
    order = submitted("t-1", 10)
    rig.venue.submit(order, ENGINE_NOW, None)
    rig.venue.drain()
    rig.sandbox.queue_fault("5xx", count=10, path_contains=CANCEL_PATH)
    assert rig.venue.cancel(order.client_order_id, ENGINE_NOW, "replaced by exit")
    assert rig.venue.drain() == []
    assert rig.drain_after(31) == []
    assert rig.drain_after(30) == []
    escalated = [p for k, p in rig.notices if k == "venue.escalated"]
    assert [p["problem"] for p in escalated] == ["cancel_unconfirmed"]
    assert rig.kinds().count("venue.cancel_unknown") >= 2  # retried, not given up
    rig.sandbox.call(rig.sandbox.state.faults.clear)
    events = rig.drain_after(31)
    assert [type(e) for e in events] == [OrderCanceled]
    assert isinstance(events[0], OrderCanceled)
    assert events[0].reason == "replaced by exit"


def test_end_of_session_cancels_day_orders(rig: Rig) -> None:
    order = submitted("t-1", 10, kind=OrderType.LIMIT, limit="50000")  # far below: rests
    rig.venue.submit(order, ENGINE_NOW, Decimal(71000))
    assert [type(e) for e in rig.venue.drain()] == [OrderAccepted]
    assert rig.venue.working_instruments() == [IID]
    rig.venue.end_of_session({IID}, ENGINE_NOW + timedelta(hours=6))
    events = rig.venue.drain()
    assert [type(e) for e in events] == [OrderCanceled]
    assert isinstance(events[0], OrderCanceled)
    assert events[0].reason == "session end (DAY order)"
    assert rig.venue.working_for(IID) == []


# ---------------------------------------------------------------------------------- retries
def test_rate_limited_submit_is_retried_with_backoff_then_sent(rig: Rig) -> None:
    rig.sandbox.queue_fault("rate_limit", count=3, path_contains=ORDER_PATH)  # > client attempts
    rig.venue.submit(submitted("t-1", 10), ENGINE_NOW, None)
    events = rig.venue.drain()
    assert isinstance(events[0], OrderAccepted)
    assert filled(events) == 10
    assert rig.kinds().count("venue.submit_retry") == 1
    assert len(rig.errors) == 3  # two absorbed by the client, one that reached the venue
    assert len(rig.venue_orders()) == 1


def test_retries_are_bounded_and_an_unsent_order_is_rejected_locally(rig: Rig) -> None:
    rig.sandbox.queue_fault("rate_limit", count=100, path_contains=ORDER_PATH)
    assert not rig.venue.submit(submitted("t-1", 10), ENGINE_NOW, None)
    events = rig.venue.drain()
    assert [type(e) for e in events] == [OrderRejected]
    assert isinstance(events[0], OrderRejected)
    assert events[0].reason.startswith("not sent after 4 attempts")
    assert rig.kinds().count("venue.submit_retry") == 3
    assert len(rig.errors) == 12  # 4 venue attempts x 3 client attempts
    assert rig.venue_orders() == []


def test_broker_refusal_is_a_rejection_with_the_brokers_reason(rig: Rig) -> None:
    big = submitted("t-1", 10_000_000)  # far more than the account's cash
    assert not rig.venue.submit(big, ENGINE_NOW, None)
    events = rig.venue.drain()
    assert [type(e) for e in events] == [OrderRejected]
    assert isinstance(events[0], OrderRejected)
    assert "APBK0952" in events[0].reason


# ---------------------------------------------------------------------------------- guards
def test_protective_orders_kis_cannot_hold_are_refused_without_a_request(rig: Rig) -> None:
    assert rig.venue.supports_protective_orders is False
    before = rig.sandbox.stats()["requests"]
    stop = submitted(
        "t-1", 10, side=OrderSide.SELL, kind=OrderType.STOP, limit="65000", tif=TimeInForce.GTC
    )
    assert not rig.venue.submit(stop, ENGINE_NOW, None)
    events = rig.venue.drain()
    assert isinstance(events[0], OrderRejected)
    assert "does not take STOP orders" in events[0].reason
    assert rig.sandbox.stats()["requests"] == before
    assert rig.persisted == []


def test_nothing_is_sent_when_the_order_cannot_be_persisted(tmp_path: Path) -> None:
    for rig in make_rig(tmp_path, fail_persist=True):
        with pytest.raises(RuntimeError, match="database unavailable"):
            rig.venue.submit(submitted("t-1", 10), ENGINE_NOW, None)
        assert rig.sandbox.orders() == []
        assert rig.venue.open_orders() == []


def test_config_refuses_a_timeout_shorter_than_the_stale_check() -> None:
    with pytest.raises(ValueError, match="timeout_after"):
        BrokerVenueConfig(stale_after=timedelta(seconds=30), timeout_after=timedelta(seconds=10))
