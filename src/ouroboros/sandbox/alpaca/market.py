"""The sandbox's market: a controllable clock, live prices with liquidity, and deterministic
historical bars.

Live prices move only when told to (:meth:`Market.set_price`) or by :meth:`Market.step`, a
seeded random walk on the cent grid, so a run is reproducible for a seed. Historical bars are
a pure function of (seed, symbol, bar start): any range can be served, and serving it twice
gives the same numbers. Sessions come from the NYSE calendar of ``ouroboros.markets``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import random
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from ouroboros.markets.calendar import MarketCalendar
from ouroboros.markets.registry import get_calendar

ET = ZoneInfo("America/New_York")
CENT = Decimal("0.01")
UTC = dt.UTC


class SimClock:
    """The sandbox's time: starts at ``start`` and moves only when advanced."""

    def __init__(self, start: dt.datetime) -> None:
        if start.tzinfo is None:
            raise ValueError(f"sandbox clock start must be timezone-aware, was {start!r}")
        self._now = start.astimezone(UTC)

    def now(self) -> dt.datetime:
        return self._now

    def advance(self, seconds: float) -> dt.datetime:
        self._now += dt.timedelta(seconds=seconds)
        return self._now

    def set(self, at: dt.datetime) -> None:
        if at.tzinfo is None:
            raise ValueError(f"sandbox clock time must be timezone-aware, was {at!r}")
        self._now = at.astimezone(UTC)


@dataclass(slots=True)
class Listing:
    symbol: str
    exchange: str
    name: str
    price: Decimal
    liquidity: Decimal = Decimal(10**6)
    fractionable: bool = True
    shortable: bool = True
    easy_to_borrow: bool = True
    tradable: bool = True
    trade_id: int = 0
    base: Decimal = Decimal(0)
    """The starting price: the level of the historical bars (live moves do not rewrite history)."""

    def __post_init__(self) -> None:
        if not self.base:
            self.base = self.price


@dataclass(frozen=True, slots=True)
class BarData:
    t: dt.datetime
    o: float
    h: float
    low: float
    c: float
    v: int
    n: int
    vw: float


DEFAULT_LISTINGS: tuple[tuple[str, str, str, str], ...] = (
    ("AAPL", "NASDAQ", "Apple Inc. Common Stock", "190.00"),
    ("MSFT", "NASDAQ", "Microsoft Corporation Common Stock", "410.00"),
    ("SPY", "ARCA", "SPDR S&P 500 ETF Trust", "590.00"),
    ("IBM", "NYSE", "International Business Machines Corporation", "230.00"),
    ("PENNY", "NASDAQ", "Sub-dollar Test Corp", "0.5000"),
)


def parse_timeframe(text: str) -> dt.timedelta:
    """``{1-59}Min``, ``{1-23}Hour`` or ``1Day``; others raise ValueError (a 422)."""
    for unit, seconds, top in (("Min", 60, 59), ("Hour", 3600, 23), ("Day", 86400, 1)):
        if text.endswith(unit) and text[: -len(unit)].isdigit():
            amount = int(text[: -len(unit)])
            if 1 <= amount <= top:
                return dt.timedelta(seconds=amount * seconds)
    raise ValueError(f"invalid timeframe (the sandbox serves Min, Hour and 1Day), was {text!r}")


@dataclass(slots=True)
class Market:
    seed: int
    clock: SimClock
    listings: dict[str, Listing] = field(default_factory=dict)
    calendar: MarketCalendar = field(default_factory=lambda: get_calendar("US_NYSE"))
    rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        if not self.listings:
            for symbol, exchange, name, price in DEFAULT_LISTINGS:
                self.listings[symbol] = Listing(symbol, exchange, name, Decimal(price))

    def listing(self, symbol: str) -> Listing | None:
        return self.listings.get(symbol)

    def price(self, symbol: str) -> Decimal:
        return self.listings[symbol].price

    def set_price(self, symbol: str, price: Decimal, liquidity: Decimal | None = None) -> None:
        item = self.listings[symbol]
        item.price = price
        item.trade_id += 1
        if liquidity is not None:
            item.liquidity = liquidity

    def step(self, symbol: str | None = None) -> list[str]:
        """One random-walk step (±0.2 % on average) for one or every symbol; the moved symbols."""
        moved = [symbol] if symbol is not None else sorted(self.listings)
        for sym in moved:
            item = self.listings[sym]
            factor = Decimal(str(round(1 + self.rng.gauss(0, 0.002), 6)))
            grid = CENT if item.price >= 1 else Decimal("0.0001")
            new = max(grid, (item.price * factor).quantize(grid, ROUND_HALF_UP))
            self.set_price(sym, new)
        return moved

    # -- quotes ----------------------------------------------------------------------------
    def quote(self, symbol: str) -> tuple[Decimal, Decimal]:
        """(bid, ask) one grid step either side of the last price."""
        price = self.price(symbol)
        grid = CENT if price >= 1 else Decimal("0.0001")
        return max(grid, price - grid), price + grid

    # -- history ---------------------------------------------------------------------------
    def _noise(self, symbol: str, t: dt.datetime) -> tuple[float, ...]:
        """Five uniform numbers in [0, 1) for (seed, symbol, t): level, range, high, low, volume."""
        key = f"{self.seed}|{symbol}|{int(t.timestamp())}".encode()
        digest = hashlib.blake2b(key, digest_size=20).digest()
        return tuple(int.from_bytes(digest[k : k + 4], "big") / 2**32 for k in range(0, 20, 4))

    def _level(self, symbol: str, t: dt.datetime) -> float:
        item = self.listings.get(symbol)
        base = float(item.base) if item is not None else 100.0
        days = t.timestamp() / 86400
        wave = 0.08 * math.sin(days / 23) + 0.03 * math.sin(days / 3.1)
        return base * (1 + wave) * (1 + 0.004 * (self._noise(symbol, t)[0] - 0.5))

    def bar(self, symbol: str, start: dt.datetime, width: dt.timedelta) -> BarData:
        o = self._level(symbol, start)
        c = self._level(symbol, start + width)
        _lvl, rng, up, down, vol = self._noise(symbol, start)
        spread = 0.002 * (1 + rng) * max(o, c)
        h = max(o, c) + spread * up
        low = min(o, c) - spread * down
        scale = max(1, int(width.total_seconds() // 60))
        v = int(1000 * scale * (1 + 9 * vol))
        n = max(1, v // 50)
        vw = (o + h + low + c) / 4
        return BarData(
            start, round(o, 4), round(h, 4), round(low, 4), round(c, 4), v, n, round(vw, 4)
        )

    def bar_starts(
        self, start: dt.datetime, end: dt.datetime, width: dt.timedelta
    ) -> list[dt.datetime]:
        """Bar start times in [start, end]: daily bars at midnight ET, intraday in sessions."""
        first, last = start.astimezone(ET).date(), end.astimezone(ET).date()
        sessions = self.calendar.sessions(first, last) if first <= last else []
        out: list[dt.datetime] = []
        for session in sessions:
            if width >= dt.timedelta(days=1):
                midnight = dt.datetime.combine(session.date, dt.time(), ET).astimezone(UTC)
                if start <= midnight <= end:
                    out.append(midnight)
                continue
            t = session.open
            while t < session.close:
                if start <= t <= end:
                    out.append(t)
                t += width
        return out
