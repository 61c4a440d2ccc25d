"""A trading session through faults: 5 % 5xx, timeouts, malformed bodies, EGW00201 bursts and a
token expiry mid-session. 100 orders go through the adapter; afterwards the sandbox holds no
duplicate order and the adapter's fills and positions equal the sandbox's books.

The adapter runs on a clock the test moves (never the wall clock): it resends an order whose
answer was lost only once its clock says ``RESEND_AFTER`` has passed, and the test moves it
only after the sandbox has finished every request it received (a lost request may still be
handled after the client gave up). So the resend decision does not depend on machine speed."""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from ouroboros.brokers.kis.client import RetryPolicy
from ouroboros.clock import SimulatedClock
from ouroboros.domain.currency import Currency
from ouroboros.domain.ids import Venue
from ouroboros.domain.instrument import Instrument
from ouroboros.domain.orders import OrderSide
from ouroboros.errors import RetryError
from ouroboros.execution.ports import SubmitAck
from ouroboros.interfaces.kis_testing import broker_for
from ouroboros.sandbox.kis import FaultPlan, KisSandbox, SandboxConfig
from tests.brokers.kis.conftest import fake_sleep_for, limit_order, market_order

SYMBOLS = ["005930.KRX", "000660.KRX", "AAPL.NASDAQ"]
RESEND_AFTER = timedelta(seconds=30)
SECOND = timedelta(seconds=1)


async def nothing_in_flight(sb: KisSandbox) -> None:
    """Wait (on the sandbox's state, not a fixed time) until it handles no request."""
    for _ in range(3000):  # a guard against a hang only: ~30 s
        if sb.call(lambda: sb.state.in_flight) == 0:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the sandbox never finished its requests")


async def test_hundred_orders_through_faults_leave_consistent_books(tmp_path: Path) -> None:
    plan = FaultPlan(
        seed=11, p_5xx=0.05, p_timeout=0.03, p_malformed=0.02, p_rate_limit=0.03, timeout_delay=0.4
    )
    cash = {Currency.KRW: Decimal(10**12), Currency.USD: Decimal(10**9)}
    config = SandboxConfig(virtual=True, rate_limit=0, faults=plan, seed=3, starting_cash=cash)
    with KisSandbox(config) as sb:
        sb.seed_holding("005930.KRX", 5000, "70000")
        clock = SimulatedClock(sb.state.clock.now())  # the adapter's time: moved by the test
        sandbox_sleep = fake_sleep_for(sb)

        async def sleep(seconds: float) -> None:  # waits move both clocks, never the wall
            clock.advance_to(clock.now() + timedelta(seconds=seconds))
            await sandbox_sleep(seconds)

        broker = broker_for(
            sb,
            tmp_path,
            frozenset({Venue.KRX, Venue.NASDAQ}),
            now=clock.now,
            timeout=0.2,
            resend_after=RESEND_AFTER,
            retry=RetryPolicy(attempts=8, initial_wait=0.01, max_wait=0.05),
        )
        broker.client._sleep = sleep
        broker.client.tokens._sleep = sleep
        rng = random.Random(5)
        acks: dict[str, SubmitAck] = {}
        unknown_outcomes = resends_refused = 0
        last_error = ""
        for i in range(100):
            if i == 50:
                sb.expire_tokens()
            if i % 20 == 10:
                sb.queue_fault("rate_limit", count=4)
            symbol = rng.choice(SYMBOLS)
            inst = Instrument.for_venue(symbol)
            price = sb.price(symbol)
            side = (
                OrderSide.SELL if symbol == "005930.KRX" and rng.random() < 0.3 else OrderSide.BUY
            )
            qty = i + 1  # unique per order: a duplicate at the venue would share it
            if rng.random() < 0.3:
                intent = market_order(f"s{i}", symbol, side, qty)
            else:
                offset = rng.randint(-3, 2) * (1 if side is OrderSide.BUY else -1)
                intent = limit_order(
                    f"s{i}", symbol, side, qty, str(inst.tick_table.step(price, offset))
                )
            for _attempt in range(20):
                try:
                    acks[f"s{i}"] = await broker.submit(intent)
                    break
                except RetryError as exc:
                    last_error = str(exc)
                    unknown_outcomes += 1
                    refused_early = "not resending" in last_error
                    resends_refused += refused_early
                    # what an order manager does: retry later - once the lost request settled
                    await nothing_in_flight(sb)
                    await sleep((RESEND_AFTER if refused_early else SECOND).total_seconds())
            else:
                raise AssertionError(f"order s{i} never settled: {last_error}")
            sb.step(1)
        assert len(acks) == 100, "every order settled (accepted or rejected)"

        sb.set_fault_plan(p_5xx=0, p_timeout=0, p_malformed=0, p_rate_limit=0)
        sb.call(sb.state.faults.clear)
        reports = {str(r.client_order_id): r for r in await broker.order_reports()}
        fills = await broker.fill_reports()
        positions = {str(p.instrument_id): p for p in await broker.position_reports()}
        stats = sb.stats()
        await broker.close()

    venue = [o for o in sb.orders() if o.kind == "new"]
    quantities = [o.quantity for o in venue]
    assert len(quantities) == len(set(quantities)), "a duplicate order reached the venue"
    accepted = {cid: a for cid, a in acks.items() if a.accepted}
    assert len(venue) == len(accepted)
    by_odno = {o.odno: o for o in venue}
    for cid, ack in accepted.items():
        assert ack.venue_order_id is not None
        at_venue = by_odno[ack.venue_order_id.value]
        assert reports[cid].filled_quantity.value == at_venue.filled
        booked = sum((f.quantity.value for f in fills if str(f.client_order_id) == cid), Decimal(0))
        assert booked == at_venue.filled
    assert {k: p.quantity for k, p in positions.items()} == {
        k: q for k, (q, _) in sb.holdings().items()
    }
    for key, (qty, avg) in sb.holdings().items():
        assert positions[key].average_price == avg.quantize(Decimal("0.0001"))
        assert qty > 0
    assert len({f.fill_id for f in fills}) == len(fills)
    # the faults really happened
    assert stats["faults"].get("5xx", 0) + stats["faults"].get("5xx_after", 0) > 0
    assert stats["faults"].get("rate_limit", 0) >= 4
    assert stats["tokens_issued"] >= 2
    assert unknown_outcomes > 0
    assert resends_refused > 0, "a lost answer was retried before RESEND_AFTER: refused"
