"""``generate(spec)``: a deterministic synthetic market, per market on its real calendar.

Determinism: every random draw comes from a ``numpy`` generator seeded by
``SeedSequence(seed, spawn_key=(market, stream))``, so a market's data depends only on the
seed, the market and the spec, not on which other markets were asked for or on the clock.
The universe (tickers, sectors, start prices) uses a stream that ignores the interval, so daily
and minute data of one seed describe the same companies.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from ouroboros.data.calendars import CalendarLike, SessionLike
from ouroboros.data.frame import BAR_FIELDS, DAILY, MINUTE
from ouroboros.data.panel import Panel
from ouroboros.data.synthetic.bars import daily_ohlc, minute_ohlc, snap_bars
from ouroboros.data.synthetic.model import ModelParams, simulate_returns, simulate_volume
from ouroboros.data.synthetic.patterns import (
    DAILY_SHAPE,
    MINUTE_SHAPE,
    PATTERN_KIND,
    PlantedPattern,
    plant_patterns,
)
from ouroboros.data.synthetic.sessions import daily_grid, minute_grid, pick_sessions
from ouroboros.data.synthetic.universe import (
    MARKET_ORDER,
    MAX_SYMBOLS_PER_MARKET,
    Universe,
    make_universe,
    profile_for,
)
from ouroboros.domain import Instrument

DEFAULT_END = date(2025, 12, 31)
_STREAM_UNIVERSE, _STREAM_RETURNS, _STREAM_BARS, _STREAM_PATTERNS = range(4)


MAX_DAYS = 25_000
"""About a century of daily sessions: longer requests are typos (and overflow dates)."""


@dataclass(frozen=True, slots=True)
class SyntheticSpec:
    """What to generate. ``symbols`` and ``days`` (sessions) are *per market*; with no
    ``start`` the series ends on the last session on or before ``end``. ``patterns`` is the
    number of planted events per market (None: about one per symbol per five years of daily
    bars, or per ten sessions of minute bars; 0: none)."""

    markets: tuple[str, ...] = ("US_NASDAQ",)
    symbols: int = 20
    days: int = 252
    seed: int = 0
    interval: str = DAILY
    start: date | None = None
    end: date = DEFAULT_END
    patterns: int | None = None

    def __post_init__(self) -> None:
        if not self.markets:
            raise ValueError("at least one market is needed")
        for code in self.markets:
            profile_for(code)
        if self.interval not in (DAILY, MINUTE):
            raise ValueError(f"interval must be 1d or 1m, was {self.interval!r}")
        if self.seed < 0:
            raise ValueError(f"seed must be >= 0, was {self.seed}")
        if not 1 <= self.symbols <= MAX_SYMBOLS_PER_MARKET:
            raise ValueError(
                f"symbols must be 1..{MAX_SYMBOLS_PER_MARKET} per market, was {self.symbols}"
            )
        if not 1 <= self.days <= MAX_DAYS:
            raise ValueError(f"days must be 1..{MAX_DAYS} sessions per market, was {self.days}")
        if self.patterns is not None and self.patterns < 0:
            raise ValueError(f"patterns must be >= 0, was {self.patterns}")

    def describe(self) -> str:
        """The canonical source spec string of this request."""
        parts = [
            f"markets={'+'.join(self.markets)}",
            f"symbols={self.symbols}",
            f"days={self.days}",
            f"seed={self.seed}",
            f"interval={self.interval}",
        ]
        parts.append(f"start={self.start}" if self.start else f"end={self.end}")
        if self.patterns is not None:
            parts.append(f"patterns={self.patterns}")
        return "synthetic:" + ",".join(parts)


@dataclass(frozen=True, slots=True)
class SyntheticMarket:
    """One market's generated bars (a Panel with symbols sorted) and what was planted."""

    market: str
    universe: Universe
    sessions: list[SessionLike]
    panel: Panel
    patterns: list[PlantedPattern]


@dataclass(frozen=True, slots=True)
class SyntheticData:
    spec: SyntheticSpec
    params: ModelParams
    markets: dict[str, SyntheticMarket] = field(default_factory=dict)

    @property
    def instruments(self) -> list[Instrument]:
        return [ins for m in self.markets.values() for ins in m.universe.instruments]

    @property
    def patterns(self) -> list[PlantedPattern]:
        return [p for m in self.markets.values() for p in m.patterns]

    def frame(self) -> pd.DataFrame:
        """The long frame of all markets (grouped by market, then symbol, then time)."""
        return pd.concat([panel_to_long(m.panel) for m in self.markets.values()], ignore_index=True)


def panel_to_long(panel: Panel) -> pd.DataFrame:
    """Symbol-major long frame of a gap-free panel, without a pivot or a sort."""
    n_t, n_s = panel.shape
    stamps = np.tile(panel.index.as_unit("ns").asi8, n_s).view("datetime64[ns]")
    data: dict[str, object] = {
        "ts": pd.DatetimeIndex(stamps).tz_localize("UTC"),
        "symbol": np.repeat(np.asarray(panel.symbols, dtype=object), n_t),
    }
    for name in BAR_FIELDS:
        data[name] = np.ascontiguousarray(getattr(panel, name).T).ravel()
    return pd.DataFrame(data)


def generate(
    spec: SyntheticSpec,
    calendar_for: Callable[[str], CalendarLike],
    params: ModelParams | None = None,
) -> SyntheticData:
    """Generate every market of ``spec`` on the calendar ``calendar_for(market_code)``."""
    p = params or ModelParams()
    data = SyntheticData(spec=spec, params=p)
    for code in dict.fromkeys(c.strip().upper() for c in spec.markets):
        data.markets[code] = _generate_market(code, spec, calendar_for(code), p)
    return data


def _rng(spec: SyntheticSpec, code: str, stream: int, interval_bound: bool) -> np.random.Generator:
    key = (MARKET_ORDER.index(code), stream, (1 if spec.interval == MINUTE else 0) * interval_bound)
    return np.random.default_rng(np.random.SeedSequence(spec.seed, spawn_key=key))


def _generate_market(
    code: str, spec: SyntheticSpec, calendar: CalendarLike, p: ModelParams
) -> SyntheticMarket:
    profile = profile_for(code)
    universe = make_universe(profile, spec.symbols, _rng(spec, code, _STREAM_UNIVERSE, False))
    sessions = pick_sessions(calendar, code, spec.days, spec.start, spec.end)
    daily = spec.interval == DAILY
    grid = daily_grid(sessions) if daily else minute_grid(calendar, sessions)
    rng = _rng(spec, code, _STREAM_RETURNS, True)
    returns = simulate_returns(rng, universe, grid.scale, p)
    volume = simulate_volume(rng, universe, returns, grid.scale)
    shape = DAILY_SHAPE if daily else MINUTE_SHAPE
    count = spec.patterns
    if count is None:
        count = -(-spec.symbols * spec.days // (1260 if daily else 10))
    events = plant_patterns(
        _rng(spec, code, _STREAM_PATTERNS, True),
        returns.log_returns,
        volume,
        grid.segment,
        count,
        shape,
        profile.daily_limit,
    )
    lot = float(universe.lot)
    volume = np.maximum(np.rint(volume / lot), 1.0) * lot
    bar_rng = _rng(spec, code, _STREAM_BARS, True)
    raw = (
        daily_ohlc(bar_rng, universe, returns)
        if daily
        else minute_ohlc(bar_rng, universe, returns, grid.segment)
    )
    prices = snap_bars(raw, universe, grid.bar_dates)
    symbols = universe.symbols
    order = np.argsort(np.asarray(symbols))
    panel = Panel(
        index=grid.labels,
        symbols=tuple(symbols[k] for k in order),
        interval=spec.interval,
        volume=np.ascontiguousarray(volume[:, order]),
        **{k: np.ascontiguousarray(v[:, order]) for k, v in prices.items()},
    )
    patterns = [
        PlantedPattern(
            kind=PATTERN_KIND,
            symbol=symbols[e.symbol_index],
            market=code,
            interval=spec.interval,
            start=_label(grid.labels[e.bar_index], daily),
            end=_label(grid.labels[min(e.bar_index + shape.horizon, len(grid.labels) - 1)], daily),
            bar_index=e.bar_index,
            lookback=shape.lookback,
            horizon=shape.horizon,
            margin=shape.margin,
            drift_per_bar=shape.drift_per_bar,
            volume_multiple=shape.volume_multiple,
        )
        for e in events
    ]
    return SyntheticMarket(code, universe, sessions, panel, patterns)


def _label(stamp: pd.Timestamp, daily: bool) -> str:
    return stamp.date().isoformat() if daily else stamp.isoformat()
