"""One view of a sandbox instrument's day, shared by REST quotes and WebSocket frames, so the
two never disagree: the day's cumulative volume (seeded base + what traded here), a ten-level
book one tick apart around the last price (ask > bid), and minute bars for the day so far.

Deterministic for a seed: every number comes from the seeded price source and the sandbox's
own trades, never from the wall clock or an unseeded generator.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from ouroboros.domain.currency import Currency
from ouroboros.domain.ids import InstrumentId, Venue
from ouroboros.domain.instrument import Instrument
from ouroboros.sandbox.kis.engine import MarketState
from ouroboros.sandbox.kis.state import SandboxState
from ouroboros.sandbox.kis.vocab import KST, MARKETS

LEVELS = 10


def today(state: SandboxState) -> date:
    return state.clock.now().astimezone(KST).date()


def zdiv(venue: Venue) -> int:
    """Decimals KIS states an overseas market's prices in (ZDIV): US 4, else the currency's."""
    market = MARKETS[venue]
    if market.currency is Currency.USD:
        return 4
    return 2 if market.currency.minor_units else 0


def day_volume(state: SandboxState, iid: InstrumentId, st: MarketState) -> Decimal:
    """The day's cumulative volume: a seeded base from the history plus today's sandbox trades."""
    base = state.prices.history(iid, today(state), 1)[0].volume
    return base + st.acml_vol


@dataclass(frozen=True, slots=True)
class Book:
    asks: list[Decimal]  # level 1 first, rising
    bids: list[Decimal]  # level 1 first, falling
    ask_sizes: list[Decimal]
    bid_sizes: list[Decimal]


def book(iid: InstrumentId, st: MarketState) -> Book:
    """Ten levels each side: best bid at the last price, best ask one tick above."""
    table = Instrument.for_venue(iid).tick_table
    size = max(st.volume, Decimal(1))
    rng = random.Random(f"book:{iid}:{st.price}")
    return Book(
        [table.step(st.price, i) for i in range(1, LEVELS + 1)],
        [table.step(st.price, -(i - 1)) for i in range(1, LEVELS + 1)],
        [size * rng.randint(1, 9) for _ in range(LEVELS)],
        [size * rng.randint(1, 9) for _ in range(LEVELS)],
    )


@dataclass(frozen=True, slots=True)
class MinuteBar:
    at: datetime  # the bar's minute, aware (KST for KRX, exchange-local abroad)
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal


def session_open(iid: InstrumentId, on: date) -> datetime:
    """The regular session's first minute on the exchange's clock."""
    market = MARKETS[iid.venue]
    opens = {"Asia/Seoul": time(9), "Asia/Tokyo": time(9), "Asia/Ho_Chi_Minh": time(9)}
    start = opens.get(str(market.tz), time(9, 30))
    return datetime.combine(on, start, market.tz)


def minute_bars(state: SandboxState, iid: InstrumentId, st: MarketState) -> list[MinuteBar]:
    """Bars from the session open to now (newest last), walking from the open to the last
    price, volumes summing to the day's cumulative volume. Empty before the open."""
    market = MARKETS[iid.venue]
    now = state.clock.now().astimezone(market.tz)
    start = session_open(iid, now.date())
    count = min(int((now - start).total_seconds() // 60) + 1, 390)
    if count <= 0:
        return []
    inst = Instrument.for_venue(iid)
    rng = random.Random(f"{state.config.seed}:minutes:{iid}:{now.date()}")
    total = day_volume(state, iid, st)
    weights = [rng.randint(1, 10) for _ in range(count)]
    scale = sum(weights)
    bars: list[MinuteBar] = []
    prev = st.open
    for i in range(count):
        frac = Decimal(i + 1) / count
        close = inst.round_price(st.open + (st.price - st.open) * frac).value
        wiggle = inst.tick_size(close) * rng.randint(0, 2)
        hi, lo = max(prev, close) + wiggle, max(min(prev, close) - wiggle, inst.tick_size(close))
        vol = (total * weights[i] // scale) if i < count - 1 else Decimal(0)
        bars.append(MinuteBar(start + timedelta(minutes=i), prev, hi, lo, close, vol))
        prev = close
    spent = sum((b.volume for b in bars), Decimal(0))
    last = bars[-1]
    bars[-1] = MinuteBar(last.at, last.open, last.high, last.low, last.close, total - spent)
    return bars
