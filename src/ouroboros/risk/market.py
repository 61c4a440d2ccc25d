"""What the risk manager knows about the market for one instrument at ``now``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ouroboros.domain import InstrumentId, Price, Quote


@dataclass(frozen=True, slots=True)
class MarketState:
    """Session status and the latest prices, each with its own timestamp.

    ``is_open`` is ``None`` when the session status is unknown (denied: fail closed). A price
    without a timestamp cannot be aged, so ``last_price`` needs ``last_price_at``.
    """

    instrument_id: InstrumentId
    is_open: bool | None
    last_price: Price | None = None
    last_price_at: datetime | None = None
    quote: Quote | None = None

    def __post_init__(self) -> None:
        if self.last_price is not None and self.last_price_at is None:
            raise ValueError(f"{self.instrument_id}: a last price needs its timestamp")
        if self.last_price_at is not None and self.last_price_at.tzinfo is None:
            raise ValueError(f"{self.instrument_id}: last price time must be timezone-aware")
        if self.quote is not None and self.quote.instrument_id != self.instrument_id:
            raise ValueError(f"{self.instrument_id}: quote is for {self.quote.instrument_id}")
