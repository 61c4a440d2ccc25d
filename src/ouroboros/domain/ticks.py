"""Exchange tick-size (minimum price step) tables.

Each table is a list of price bands ``[lower, upper)`` with one tick each. Band edges are
multiples of both neighbouring ticks, so a price exactly on an edge is valid either way.

Sources (checked 2026-11; revisit when an exchange changes its rules):

* KRX: unified KOSPI/KOSDAQ table in force since 2023-01-25 (KRX notice; the same table is used by
  KIS's own backtester, see ``shared/reference/kis-api.md`` §6).
* US equities: SEC Regulation NMS Rule 612 - $0.01 at or above $1.00, $0.0001 below.
* Tokyo (TSE): the standard table for stocks outside TOPIX100 (JPX "Tick size" page); TOPIX100
  constituents use a finer table, provided as ``TSE_TOPIX100``.
* Hong Kong: HKEX spread table (Part A), with Phase 1 of the 2025 minimum-spread reduction
  (effective 2025-08-04: HK$10-20 -> 0.01, HK$20-50 -> 0.02). Phase 2 (HK$0.5-10 -> 0.005) was
  announced for mid-2026 subject to review; it is not encoded until confirmed.
* Shanghai / Shenzhen A shares: CNY 0.01.
* Vietnam: HOSE - below 10,000 VND step 10, 10,000-49,950 step 50, from 50,000 step 100
  (HOSE trading regulation); HNX - step 100 VND.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal
from enum import Enum

from ouroboros.domain.ids import Venue


class PriceRounding(Enum):
    """How to snap a price to the tick grid.

    ``DOWN`` suits buy limits (never pay more than asked), ``UP`` suits sell limits.
    """

    DOWN = "down"
    UP = "up"
    NEAREST = "nearest"


_MODES = {
    PriceRounding.DOWN: ROUND_FLOOR,
    PriceRounding.UP: ROUND_CEILING,
    PriceRounding.NEAREST: ROUND_HALF_EVEN,
}


@dataclass(frozen=True, slots=True)
class TickTable:
    """Price bands and their ticks. ``lowers[i]`` starts the band whose tick is ``ticks[i]``."""

    name: str
    lowers: tuple[Decimal, ...]
    ticks: tuple[Decimal, ...]

    @classmethod
    def from_bands(cls, name: str, bands: Sequence[tuple[str | int, str | int]]) -> TickTable:
        lowers = tuple(Decimal(lo) for lo, _ in bands)
        ticks = tuple(Decimal(t) for _, t in bands)
        if lowers[0] != 0 or list(lowers) != sorted(set(lowers)):
            raise ValueError(f"tick table {name}: bands must start at 0 and increase")
        return cls(name, lowers, ticks)

    def tick_for(self, price: Decimal) -> Decimal:
        """The tick of the band holding ``price``."""
        if price < 0:
            raise ValueError(f"invalid price, was {price}")
        return self.ticks[bisect_right(self.lowers, price) - 1]

    def is_valid(self, price: Decimal) -> bool:
        return price > 0 and price % self.tick_for(price) == 0

    def round(self, price: Decimal, mode: PriceRounding = PriceRounding.NEAREST) -> Decimal:
        """Snap ``price`` onto the grid; the result is itself a valid price of this table."""
        if price <= 0:
            raise ValueError(f"cannot round a non-positive price, was {price}")
        tick = self.tick_for(price)
        snapped = (price / tick).quantize(Decimal(1), rounding=_MODES[mode]) * tick
        # Rounding up may land exactly on a band edge, which is a multiple of both ticks, so the
        # result is valid in either band; rounding down never leaves the band.
        return snapped if snapped > 0 else tick

    def step(self, price: Decimal, ticks: int) -> Decimal:
        """Move a valid price by a number of ticks (positive up, negative down), band-aware."""
        current = price
        for _ in range(abs(ticks)):
            if ticks > 0:
                current = current + self.tick_for(current)
            else:
                below = current - self.tick_for(current - Decimal("1e-12"))
                current = below if below > 0 else current
        return current


KRX = TickTable.from_bands(
    "KRX-2023",
    [(0, 1), (2_000, 5), (5_000, 10), (20_000, 50), (50_000, 100), (200_000, 500), (500_000, 1000)],
)
US = TickTable.from_bands("US-RegNMS-612", [(0, "0.0001"), (1, "0.01")])
TSE_STANDARD = TickTable.from_bands(
    "TSE-standard",
    [
        (0, 1),
        (3_000, 5),
        (5_000, 10),
        (30_000, 50),
        (50_000, 100),
        (300_000, 500),
        (500_000, 1_000),
        (3_000_000, 5_000),
        (5_000_000, 10_000),
        (30_000_000, 50_000),
        (50_000_000, 100_000),
    ],
)
TSE_TOPIX100 = TickTable.from_bands(
    "TSE-TOPIX100",
    [
        (0, "0.1"),
        (1_000, "0.5"),
        (3_000, 1),
        (10_000, 5),
        (30_000, 10),
        (100_000, 50),
        (300_000, 100),
        (1_000_000, 500),
        (3_000_000, 1_000),
        (10_000_000, 5_000),
        (30_000_000, 10_000),
    ],
)
_HKEX_BANDS_BEFORE_2025: list[tuple[str | int, str | int]] = [
    (0, "0.001"),
    ("0.25", "0.005"),
    ("0.50", "0.01"),
    (10, "0.02"),
    (20, "0.05"),
    (100, "0.10"),
    (200, "0.20"),
    (500, "0.50"),
    (1_000, 1),
    (2_000, 2),
    (5_000, 5),
]
HKEX_BEFORE_2025_08_04 = TickTable.from_bands("HKEX-2006", _HKEX_BANDS_BEFORE_2025)
HKEX = TickTable.from_bands(
    "HKEX-2025-phase1",
    [
        (0, "0.001"),
        ("0.25", "0.005"),
        ("0.50", "0.01"),
        (20, "0.02"),
        (50, "0.05"),
        (100, "0.10"),
        (200, "0.20"),
        (500, "0.50"),
        (1_000, 1),
        (2_000, 2),
        (5_000, 5),
    ],
)
HKEX_PHASE1_START = date(2025, 8, 4)
CHINA_A = TickTable.from_bands("CN-A", [(0, "0.01")])
HOSE = TickTable.from_bands("HOSE", [(0, 10), (10_000, 50), (50_000, 100)])
HNX = TickTable.from_bands("HNX", [(0, 100)])

_BY_VENUE: dict[Venue, TickTable] = {
    Venue.KRX: KRX,
    Venue.NASDAQ: US,
    Venue.NYSE: US,
    Venue.AMEX: US,
    Venue.TSE: TSE_STANDARD,
    Venue.HKEX: HKEX,
    Venue.SSE: CHINA_A,
    Venue.SZSE: CHINA_A,
    Venue.HNX: HNX,
    Venue.HOSE: HOSE,
}


def tick_table_for(venue: Venue, on: date | None = None) -> TickTable:
    """The tick table in force at ``venue`` on ``on`` (today's rules when ``on`` is None)."""
    if venue is Venue.HKEX and on is not None and on < HKEX_PHASE1_START:
        return HKEX_BEFORE_2025_08_04
    return _BY_VENUE[venue]
