"""Bars and quotes: what a strategy sees of the market."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from ouroboros.domain.ids import InstrumentId
from ouroboros.domain.money import Price


@dataclass(frozen=True, slots=True)
class Bar:
    """One OHLCV bar; ``ts`` is the *open* time in UTC and the bar covers ``[ts, ts+interval)``."""

    instrument_id: InstrumentId
    ts: datetime
    interval: timedelta
    open: Price
    high: Price
    low: Price
    close: Price
    volume: Decimal

    def __post_init__(self) -> None:
        if self.ts.tzinfo is None:
            raise ValueError(
                f"{self.instrument_id}: bar time must be timezone-aware, was {self.ts}"
            )
        if self.low > self.high:
            raise ValueError(
                f"{self.instrument_id} {self.ts}: low {self.low} above high {self.high}"
            )
        for name, value in (("open", self.open), ("close", self.close)):
            if not self.low <= value <= self.high:
                raise ValueError(
                    f"{self.instrument_id} {self.ts}: {name} {value} "
                    f"outside [{self.low}, {self.high}]"
                )
        if self.volume < 0:
            raise ValueError(f"{self.instrument_id} {self.ts}: negative volume, was {self.volume}")

    @property
    def end(self) -> datetime:
        return self.ts + self.interval


@dataclass(frozen=True, slots=True)
class Quote:
    """Best bid and ask at a moment."""

    instrument_id: InstrumentId
    ts: datetime
    bid: Price
    ask: Price
    bid_size: Decimal = Decimal(0)
    ask_size: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        if self.ts.tzinfo is None:
            raise ValueError(f"{self.instrument_id}: quote time must be timezone-aware")
        if self.bid > self.ask:
            raise ValueError(
                f"{self.instrument_id}: crossed quote, bid {self.bid} > ask {self.ask}"
            )

    @property
    def mid(self) -> Decimal:
        return (self.bid.value + self.ask.value) / 2
