"""The Alpaca adapter in the contract suite, on the local Alpaca sandbox."""

from __future__ import annotations

from decimal import Decimal

from ouroboros.brokers.alpaca import AlpacaBroker, AlpacaClient, RetryPolicy
from ouroboros.domain.ids import InstrumentId
from ouroboros.execution.ports import BrokerPort
from ouroboros.sandbox.alpaca import AlpacaSandbox, SandboxConfig

from .harness import VenueOrderView

FAULT_KINDS = {
    "refused_before_processing": "500",
    "response_lost": "5xx_after",
    "response_too_slow": "timeout_after",
}


class AlpacaHarness:
    supports_faults = True

    def __init__(self, instrument: str) -> None:
        self.instrument = InstrumentId.parse(instrument)
        self.name = f"alpaca-{self.instrument.venue.value.lower()}"
        self.symbol = self.instrument.symbol
        self.sandbox = AlpacaSandbox(SandboxConfig(fault_delay=1.0)).start()
        self.sandbox.book.cash = Decimal(1_000_000)
        self._brokers: list[AlpacaBroker] = []

    def price(self) -> Decimal:
        return self.sandbox.price(self.symbol)

    def move_price(self, price: Decimal, volume: Decimal | None = None) -> None:
        self.sandbox.set_price(self.symbol, price, volume if volume is not None else 10**6)

    def set_liquidity(self, volume: Decimal) -> None:
        self.sandbox.set_liquidity(self.symbol, volume)

    def advance(self, steps: int = 1) -> None:
        self.sandbox.step(steps, self.symbol)

    async def make_broker(self) -> BrokerPort:
        box = self.sandbox
        client = AlpacaClient(
            box.base_url,
            box.config.key_id,
            box.config.secret_key,
            timeout=0.4,
            requests_per_minute=10**6,
            retry=RetryPolicy(attempts=4, initial_wait=0.01, max_wait=0.05),
        )
        broker = AlpacaBroker(client, now=box.clock.now, cancel_poll_interval=0.01)
        await broker.connect()
        self._brokers.append(broker)
        return broker

    def venue_orders(self) -> list[VenueOrderView]:
        return [
            VenueOrderView(
                f"{o.symbol}.{self.instrument.venue.value}",
                o.side.upper(),
                o.qty,
                o.filled,
                o.leaves,
            )
            for o in self.sandbox.orders()
            if o.status != "rejected"
        ]

    def venue_positions(self) -> dict[str, Decimal]:
        return {
            f"{s}.{self.instrument.venue.value}": q for s, q in self.sandbox.positions().items()
        }

    def inject_submit_fault(self, fault: str) -> None:
        self.sandbox.queue_fault(FAULT_KINDS[fault], path_contains="/v2/orders", method="POST")

    async def close(self) -> None:
        for broker in self._brokers:
            await broker.close()
        self.sandbox.stop()
