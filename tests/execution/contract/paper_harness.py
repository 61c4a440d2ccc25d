"""The paper broker in the contract suite: PaperBroker over a PaperVenue (the fill simulator)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from ouroboros.domain import Currency, Instrument, InstrumentId, Money, Portfolio
from ouroboros.domain.orders import OrderStatus
from ouroboros.execution.fees import DEFAULT_FEES
from ouroboros.execution.paper import PaperBroker, PaperVenue
from ouroboros.execution.ports import BrokerPort
from ouroboros.execution.simulator import FillModel, FillSimulator

from .harness import VenueOrderView

START_PRICES = {"005930.KRX": Decimal(71000), "AAPL.NASDAQ": Decimal("190.00")}


class PaperHarness:
    supports_faults = False

    def __init__(self, instrument: str) -> None:
        self.instrument = InstrumentId.parse(instrument)
        self.name = f"paper-{self.instrument.venue.value.lower()}"
        inst = Instrument.for_venue(self.instrument)
        books = Portfolio(Currency.USD)
        books.deposit(Money.of("1000000", "USD"))
        books.deposit(Money.of("1000000000", "KRW"))
        model = FillModel(participation_rate=Decimal(1))
        simulator = FillSimulator({inst.id: inst}, lambda i: DEFAULT_FEES[i.venue], model, books)
        self._clock = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)
        self.venue = PaperVenue(simulator, lambda: self._clock)
        self._volume = Decimal(10**6)
        self.venue.trade_at(self.instrument, START_PRICES[instrument], self._volume)

    def price(self) -> Decimal:
        price = self.venue.last_price(self.instrument)
        assert price is not None
        return price

    def move_price(self, price: Decimal, volume: Decimal | None = None) -> None:
        self._volume = volume if volume is not None else Decimal(10**6)
        self.venue.trade_at(self.instrument, price, self._volume)

    def set_liquidity(self, volume: Decimal) -> None:
        self._volume = volume
        self.venue.trade_at(self.instrument, self.price(), volume)

    def advance(self, steps: int = 1) -> None:
        for _ in range(steps):
            self.venue.trade_at(self.instrument, self.price(), self._volume)

    async def make_broker(self) -> BrokerPort:
        broker = PaperBroker(self.venue)
        await broker.connect()
        return broker

    def venue_orders(self) -> list[VenueOrderView]:
        return [
            VenueOrderView(
                str(r.order.instrument_id),
                r.order.side.value,
                r.order.quantity.value,
                r.filled,
                Decimal(0) if r.status.is_terminal else r.order.quantity.value - r.filled,
            )
            for r in self.venue.orders.values()
            if r.status is not OrderStatus.REJECTED
        ]

    def venue_positions(self) -> dict[str, Decimal]:
        return {str(k): p.quantity for k, p in self.venue.simulator.account.positions.items()}

    def inject_submit_fault(self, fault: str) -> None:
        raise NotImplementedError("the paper venue has no transport to fail")

    async def close(self) -> None:
        return None
