"""Who is in a synthetic market: per-market price/volume levels and made-up instruments.

Tickers follow each venue's format but sit in ranges no real listing uses where possible
(KRX ``99xxxx``, TSE ``0xxx`` (real codes start at 1301), SSE ``609xxx``, SZSE ``309xxx``, HKEX
``99xxx``, HOSE/HNX ``Zxx``; US ``SYNxxx``), and every name says *Synthetic*: nothing here may be
mistaken for a real company.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ouroboros.domain import DEFAULT_BUY_LOT, Instrument, InstrumentId, Venue

MAX_SYMBOLS_PER_MARKET = 999
SECTORS = (
    "Information Technology",
    "Financials",
    "Health Care",
    "Consumer Discretionary",
    "Consumer Staples",
    "Industrials",
    "Energy",
    "Materials",
    "Utilities",
    "Communication Services",
    "Real Estate",
)
_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def _vn(n: int) -> str:
    """1 -> ZAA, 2 -> ZAB, ... (letters first, then digits)."""
    k = n - 1
    return "Z" + _ALNUM[(k // 36) % 36] + _ALNUM[k % 36]


@dataclass(frozen=True, slots=True)
class MarketProfile:
    """Levels that make a market look like itself.

    ``price_range`` and ``daily_volume_range`` (shares) are log-uniform start levels;
    ``market_vol`` is the annualised volatility of the market factor; ``daily_limit`` the
    exchange's daily price limit as a fraction (None where there is none).
    """

    code: str
    venue: Venue
    price_range: tuple[float, float]
    daily_volume_range: tuple[float, float]
    market_vol: float
    daily_limit: float | None
    ticker: Callable[[int], str]


PROFILES: dict[str, MarketProfile] = {
    p.code: p
    for p in (
        MarketProfile(
            "KR", Venue.KRX, (5_000, 300_000), (5e4, 5e6), 0.20, 0.30, lambda n: f"99{n:04d}"
        ),
        MarketProfile(
            "US_NASDAQ", Venue.NASDAQ, (8, 400), (2e5, 2e7), 0.20, None, lambda n: f"SYN{n:03d}"
        ),
        MarketProfile(
            "US_NYSE", Venue.NYSE, (10, 300), (2e5, 1e7), 0.17, None, lambda n: f"SYN{n:03d}"
        ),
        MarketProfile(
            "US_AMEX", Venue.AMEX, (3, 60), (5e4, 2e6), 0.22, None, lambda n: f"SYN{n:03d}"
        ),
        MarketProfile(
            "JP", Venue.TSE, (400, 12_000), (2e4, 5e6), 0.19, None, lambda n: f"0{n:03d}"
        ),
        MarketProfile("HK", Venue.HKEX, (1.5, 300), (1e5, 2e7), 0.24, None, lambda n: f"99{n:03d}"),
        MarketProfile(
            "CN_SHA", Venue.SSE, (4, 120), (1e6, 5e7), 0.24, 0.10, lambda n: f"609{n:03d}"
        ),
        MarketProfile(
            "CN_SZA", Venue.SZSE, (4, 100), (1e6, 5e7), 0.26, 0.10, lambda n: f"309{n:03d}"
        ),
        MarketProfile("VN_HNX", Venue.HNX, (8_000, 60_000), (5e4, 2e6), 0.22, 0.10, _vn),
        MarketProfile("VN_HSX", Venue.HOSE, (10_000, 120_000), (1e5, 5e6), 0.22, 0.07, _vn),
    )
}
MARKET_ORDER = tuple(PROFILES)


def profile_for(code: str) -> MarketProfile:
    try:
        return PROFILES[code.strip().upper()]
    except KeyError:
        raise ValueError(
            f"unknown market, was {code!r} (known: {', '.join(MARKET_ORDER)})"
        ) from None


@dataclass(frozen=True, slots=True)
class Universe:
    """One market's synthetic instruments and their per-symbol model parameters."""

    profile: MarketProfile
    instruments: tuple[Instrument, ...]
    sector_index: npt.NDArray[np.int64]
    start_price: npt.NDArray[np.float64]
    base_volume: npt.NDArray[np.float64]
    beta: npt.NDArray[np.float64]
    sector_loading: npt.NDArray[np.float64]
    idio_vol: npt.NDArray[np.float64]

    @property
    def symbols(self) -> tuple[str, ...]:
        return tuple(str(i.id) for i in self.instruments)

    @property
    def lot(self) -> int:
        return DEFAULT_BUY_LOT[self.profile.venue]


def make_universe(profile: MarketProfile, n: int, rng: np.random.Generator) -> Universe:
    """``n`` instruments, sectors dealt round-robin in a shuffled order (every sector is used
    once ``n`` >= 11, and sector sizes differ by at most one)."""
    if not 1 <= n <= MAX_SYMBOLS_PER_MARKET:
        raise ValueError(f"symbols per market must be 1..{MAX_SYMBOLS_PER_MARKET}, was {n}")
    sector_perm = rng.permutation(len(SECTORS))
    sector_index = sector_perm[np.arange(n) % len(SECTORS)].astype(np.int64)
    instruments = tuple(
        Instrument.for_venue(
            InstrumentId(profile.ticker(k + 1), profile.venue),
            name=f"Synthetic {profile.code} {SECTORS[s]} #{k + 1:03d}",
            sector=SECTORS[s],
        )
        for k, s in enumerate(sector_index)
    )
    lo_p, hi_p = np.log(profile.price_range)
    lo_v, hi_v = np.log(profile.daily_volume_range)
    return Universe(
        profile=profile,
        instruments=instruments,
        sector_index=sector_index,
        start_price=np.exp(rng.uniform(lo_p, hi_p, n)),
        base_volume=np.exp(rng.uniform(lo_v, hi_v, n)),
        beta=np.clip(rng.normal(1.0, 0.25, n), 0.3, 1.8),
        sector_loading=rng.uniform(0.6, 1.2, n),
        idio_vol=np.clip(np.exp(rng.normal(np.log(0.26), 0.3, n)), 0.12, 0.55),
    )
