"""The sandbox's price process: a seeded random walk on each venue's tick grid.

The matching engine only talks to the :class:`PriceSource` protocol, so a later feed (the
deterministic synthetic market generator) can drive the sandbox instead without touching it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Protocol

from ouroboros.domain.ids import InstrumentId
from ouroboros.domain.instrument import Instrument
from ouroboros.domain.ticks import PriceRounding


@dataclass(frozen=True, slots=True)
class Tick:
    """One step of the price process: the traded price and the volume available at it."""

    price: Decimal
    volume: Decimal


@dataclass(frozen=True, slots=True)
class DailyBar:
    day: date
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal


class PriceSource(Protocol):
    """What the sandbox needs of a market: a start price, the next tick, and some history."""

    def start(self, instrument: InstrumentId) -> Tick: ...

    def next(self, instrument: InstrumentId, last: Decimal) -> Tick: ...

    def history(self, instrument: InstrumentId, end: date, days: int) -> list[DailyBar]: ...


DEFAULT_UNIVERSE: dict[str, str] = {
    # symbol.VENUE -> start price (roughly realistic, on the tick grid)
    "005930.KRX": "71000",
    "000660.KRX": "182000",
    "035420.KRX": "201500",
    "035720.KRX": "48900",
    "005380.KRX": "245000",
    "051910.KRX": "392000",
    "068270.KRX": "178300",
    "207940.KRX": "812000",
    "006400.KRX": "378500",
    "003550.KRX": "79800",
    "AAPL.NASDAQ": "227.50",
    "MSFT.NASDAQ": "415.20",
    "NVDA.NASDAQ": "131.40",
    "TSLA.NASDAQ": "248.75",
    "IBM.NYSE": "221.30",
    "KO.NYSE": "63.12",
    "SPY.AMEX": "571.80",
    "00700.HKEX": "418.60",
    "09988.HKEX": "96.45",
    "7203.TSE": "2650",
    "6758.TSE": "13150",
    "600519.SSE": "1520.00",
    "000001.SZSE": "11.52",
    "SHS.HNX": "13400",
    "VNM.HOSE": "64500",
}


class RandomWalkPrices:
    """Per-instrument seeded walk: each step moves a few ticks; volume is a random board size.

    Deterministic for a given seed and call order per instrument (each instrument has its own
    generator, so adding a symbol does not change the others' paths).
    """

    def __init__(
        self,
        seed: int = 7,
        universe: dict[str, str] | None = None,
        max_ticks_per_step: int = 3,
        volume_range: tuple[int, int] = (50, 500),
    ) -> None:
        self._seed = seed
        self._universe = {
            InstrumentId.parse(k): Decimal(v) for k, v in (universe or DEFAULT_UNIVERSE).items()
        }
        self._max_ticks = max_ticks_per_step
        self._volume_range = volume_range
        self._rngs: dict[InstrumentId, random.Random] = {}
        self._history: dict[tuple[InstrumentId, date, int], list[DailyBar]] = {}

    @property
    def instruments(self) -> list[InstrumentId]:
        return list(self._universe)

    def _rng(self, instrument: InstrumentId) -> random.Random:
        rng = self._rngs.get(instrument)
        if rng is None:
            rng = random.Random(f"{self._seed}:{instrument}")
            self._rngs[instrument] = rng
        return rng

    def _volume(self, instrument: InstrumentId, rng: random.Random) -> Decimal:
        lot = Instrument.for_venue(instrument).lot_size
        lo, hi = self._volume_range
        return Decimal(rng.randint(lo, hi) * lot)

    def start(self, instrument: InstrumentId) -> Tick:
        if instrument not in self._universe:
            raise KeyError(str(instrument))
        inst = Instrument.for_venue(instrument)
        price = inst.round_price(self._universe[instrument]).value
        return Tick(price, self._volume(instrument, self._rng(instrument)))

    def next(self, instrument: InstrumentId, last: Decimal) -> Tick:
        rng = self._rng(instrument)
        inst = Instrument.for_venue(instrument)
        moved = inst.tick_table.step(last, rng.randint(-self._max_ticks, self._max_ticks))
        return Tick(moved, self._volume(instrument, rng))

    def history(self, instrument: InstrumentId, end: date, days: int) -> list[DailyBar]:
        """``days`` weekday bars ending at ``end`` (oldest first), ending near the start price.

        A pure function of the seed: it never touches the random walk's generator (so quoting a
        stock does not change where its price goes), and is computed once per argument set.
        """
        key = (instrument, end, days)
        if key not in self._history:
            self._history[key] = self._make_history(instrument, end, days)
        return list(self._history[key])

    def _make_history(self, instrument: InstrumentId, end: date, days: int) -> list[DailyBar]:
        if instrument not in self._universe:
            raise KeyError(str(instrument))
        inst = Instrument.for_venue(instrument)
        rng = random.Random(f"{self._seed}:history:{instrument}")
        close = inst.round_price(self._universe[instrument]).value
        bars: list[DailyBar] = []
        day = end
        while len(bars) < days:
            if day.weekday() < 5:
                drift = Decimal(str(round(rng.gauss(0, 0.015), 6)))
                open_ = inst.round_price(close * (1 - drift)).value
                hi = inst.round_price(max(open_, close) * Decimal("1.01"), PriceRounding.UP).value
                lo = inst.round_price(min(open_, close) * Decimal("0.99"), PriceRounding.DOWN).value
                volume = Decimal(rng.randint(100_000, 2_000_000))
                bars.append(DailyBar(day, open_, hi, lo, close, volume))
                close = open_
            day -= timedelta(days=1)
        bars.reverse()
        return bars
