"""The ``BrokerHarness`` protocol: what the broker contract suite needs from a venue + adapter.

A harness owns a venue (a sandbox server, a fill simulator) and builds adapter instances that
share durable state, so "restart" is simply :meth:`make_broker` again. To add a broker to the
suite, implement this protocol and add it to ``HARNESSES`` in ``conftest.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Protocol

from ouroboros.brokers.kis.client import RetryPolicy
from ouroboros.domain.ids import InstrumentId, Venue
from ouroboros.domain.instrument import Instrument
from ouroboros.execution.ports import BrokerPort
from ouroboros.interfaces.kis_testing import broker_for
from ouroboros.sandbox.kis import KisSandbox, SandboxConfig

# Generic fault names the suite uses; a harness maps them onto its venue's faults.
FAULTS = ("refused_before_processing", "response_lost", "response_too_slow")


@dataclass(frozen=True, slots=True)
class VenueOrderView:
    instrument: str
    side: str
    quantity: Decimal
    filled: Decimal
    leaves: Decimal


class BrokerHarness(Protocol):
    name: str
    instrument: InstrumentId
    supports_faults: bool

    def price(self) -> Decimal: ...

    def move_price(self, price: Decimal, volume: Decimal | None = None) -> None:
        """Trade at ``price``, offering ``volume`` shares to resting orders (None: plenty)."""

    def set_liquidity(self, volume: Decimal) -> None: ...

    def advance(self, steps: int = 1) -> None: ...

    async def make_broker(self) -> BrokerPort: ...

    def venue_orders(self) -> list[VenueOrderView]: ...

    def venue_positions(self) -> dict[str, Decimal]: ...

    def inject_submit_fault(self, fault: str) -> None: ...

    async def close(self) -> None:
        """Close every broker made and stop the venue."""


class KisHarness:
    """KIS adapter on the local KIS sandbox (virtual-style), domestic or overseas."""

    supports_faults = True

    def __init__(self, instrument: str, directory: Path) -> None:
        self.instrument = InstrumentId.parse(instrument)
        self.name = f"kis-{self.instrument.venue.value.lower()}"
        self._dir = directory
        config = SandboxConfig(virtual=True, rate_limit=0)
        config.faults.timeout_delay = 1.0
        self.sandbox = KisSandbox(config).start()
        self.sandbox.set_volume(str(self.instrument), 1_000_000)
        self._brokers: list[BrokerPort] = []

    def price(self) -> Decimal:
        return self.sandbox.price(str(self.instrument))

    def tick(self) -> Decimal:
        return Instrument.for_venue(self.instrument).tick_size(self.price())

    def move_price(self, price: Decimal, volume: Decimal | None = None) -> None:
        self.sandbox.set_price(str(self.instrument), price, volume if volume is not None else 10**6)

    def set_liquidity(self, volume: Decimal) -> None:
        self.sandbox.set_volume(str(self.instrument), volume)

    def advance(self, steps: int = 1) -> None:
        self.sandbox.step(steps, str(self.instrument))

    async def make_broker(self) -> BrokerPort:
        venues = frozenset({self.instrument.venue, Venue.KRX})
        broker = broker_for(
            self.sandbox,
            self._dir,
            venues,
            now=self.sandbox.state.clock.now,
            retry=RetryPolicy(attempts=4, initial_wait=0.01, max_wait=0.05),
            timeout=0.4,
            resend_after=timedelta(seconds=0.3),
        )
        await broker.connect()
        self._brokers.append(broker)
        return broker

    def venue_orders(self) -> list[VenueOrderView]:
        return [
            VenueOrderView(o.instrument, o.side, o.quantity, o.filled, o.leaves)
            for o in self.sandbox.orders()
            if o.kind != "cancel"
        ]

    def venue_positions(self) -> dict[str, Decimal]:
        return {k: q for k, (q, _avg) in self.sandbox.holdings().items()}

    def inject_submit_fault(self, fault: str) -> None:
        kind = {
            "refused_before_processing": "5xx",
            "response_lost": "5xx_after",
            "response_too_slow": "timeout_after",
        }[fault]
        path = "order-cash" if self.instrument.venue is Venue.KRX else "trading/order"
        self.sandbox.queue_fault(kind, path_contains=path)

    async def close(self) -> None:
        for broker in self._brokers:
            await broker.close()
        self.sandbox.stop()
