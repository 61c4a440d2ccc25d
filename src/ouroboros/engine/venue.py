"""The venue the engine trades against: what the event loop needs from a place that fills orders.

Two implementations exist: :class:`~ouroboros.execution.simulator.FillSimulator` (backtests and
offline replay: fills come from the replayed bars) and a broker-backed venue (orders go to a real
or sandboxed broker through :class:`~ouroboros.execution.ports.BrokerPort`; fills come back from
the broker). The loop is written once against this protocol so every mode shares the same
decision, risk and bookkeeping path.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Set as AbstractSet
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from ouroboros.domain.events import BrokerEvent
from ouroboros.domain.ids import ClientOrderId, InstrumentId
from ouroboros.domain.orders import Order
from ouroboros.execution.simulator import BarPoint, FillModel


class Venue(Protocol):
    """Where orders go and where their events come from.

    ``model`` describes the expected execution (when market orders fill, the spread and
    slippage the sizing reserves room for). ``supports_protective_orders`` says whether resting
    GTC stop and take-profit orders (linked one-cancels-other) can be left at the venue; when it
    is False the engine watches those levels itself and sends market exits.
    """

    model: FillModel

    @property
    def supports_protective_orders(self) -> bool: ...

    def submit(
        self,
        order: Order,
        now: datetime,
        reference_price: Decimal | None,
        oco_with: ClientOrderId | None = None,
    ) -> bool: ...

    def cancel(self, client_order_id: ClientOrderId, now: datetime, reason: str = "") -> bool: ...

    def working_for(self, instrument_id: InstrumentId) -> list[Order]: ...

    def working_instruments(self) -> list[InstrumentId]: ...

    def needs_bar(
        self, instrument_id: InstrumentId, high: float, low: float, opening: bool
    ) -> bool: ...

    def on_open(self, instrument_id: InstrumentId, bar: BarPoint) -> None: ...

    def on_bar(self, instrument_id: InstrumentId, bar: BarPoint) -> None: ...

    def on_close(self, instrument_id: InstrumentId, bar: BarPoint) -> None: ...

    def end_of_session(self, instrument_ids: AbstractSet[InstrumentId], now: datetime) -> None: ...

    def drain(self) -> list[BrokerEvent]: ...

    def add_error_listener(self, listener: Callable[[datetime], None]) -> None:
        """Broker/API errors go to ``listener`` (the circuit breaker's ``record_error``)."""
        ...
