"""Venue ↔ KIS code tables and every tr_id the adapter sends (reference §4-§5).

Kept here rather than in ``ouroboros.markets`` so the adapter owns the vendor's vocabulary:
quote exchange code ``EXCD``, trade exchange code ``OVRS_EXCG_CD``, currency, country code,
product type and the per-market order tr_ids (real and virtual, with the US virtual sell
exception ``VTTT1001U``). The market table is read from ``ouroboros/kisspec/data/markets.json``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ouroboros import kisspec
from ouroboros.domain.currency import Currency
from ouroboros.domain.ids import Venue
from ouroboros.domain.orders import OrderSide


@dataclass(frozen=True, slots=True)
class TrId:
    """A transaction id pair: the real id and its virtual (모의) counterpart."""

    real: str
    virtual: str

    def pick(self, virtual: bool) -> str:
        return self.virtual if virtual else self.real


@dataclass(frozen=True, slots=True)
class KisMarket:
    """One market as KIS names it. Domestic KRX has no EXCD/OVRS_EXCG_CD."""

    venue: Venue
    excd: str
    ovrs_excg_cd: str
    currency: Currency
    natn_cd: str
    prdt_type_cd: str
    buy: TrId
    sell: TrId
    revise_cancel: TrId
    notice_price_decimals: int  # implied decimals of CNTG_UNPR in H0GSCNI0 notices (US 4)

    @property
    def domestic(self) -> bool:
        return self.venue is Venue.KRX

    def order_tr_id(self, side: OrderSide, virtual: bool) -> str:
        return (self.buy if side is OrderSide.BUY else self.sell).pick(virtual)

    def ws_trade_key(self, symbol: str) -> str:
        """Real-time tr_key: the bare code at home, ``D`` + EXCD + symbol abroad."""
        return symbol if self.domestic else f"D{self.excd}{symbol}"


# Domestic (reference §4): current ids first; legacy ids are accepted by the sandbox.
DOMESTIC_BUY = TrId("TTTC0012U", "VTTC0012U")
DOMESTIC_SELL = TrId("TTTC0011U", "VTTC0011U")
DOMESTIC_REVISE_CANCEL = TrId("TTTC0013U", "VTTC0013U")
DOMESTIC_BUY_LEGACY = TrId("TTTC0802U", "VTTC0802U")
DOMESTIC_SELL_LEGACY = TrId("TTTC0801U", "VTTC0801U")
DOMESTIC_REVISE_CANCEL_LEGACY = TrId("TTTC0803U", "VTTC0803U")
DOMESTIC_BALANCE = TrId("TTTC8434R", "VTTC8434R")
DOMESTIC_PSBL_ORDER = TrId("TTTC8908R", "VTTC8908R")
DOMESTIC_DAILY_CCLD = TrId("TTTC0081R", "VTTC0081R")
DOMESTIC_DAILY_CCLD_OLD = TrId("CTSC9215R", "VTSC9215R")
DOMESTIC_DAILY_CCLD_LEGACY = TrId("TTTC8001R", "VTTC8001R")
DOMESTIC_DAILY_CCLD_OLD_LEGACY = TrId("CTSC9115R", "VTSC9115R")

# Quotes: identical in both environments.
DOMESTIC_PRICE = "FHKST01010100"
DOMESTIC_ORDERBOOK = "FHKST01010200"
DOMESTIC_DAILY_PRICE = "FHKST01010400"
DOMESTIC_CHART = "FHKST03010100"
DOMESTIC_MINUTES = "FHKST03010200"
DOMESTIC_VOLUME_RANK = "FHPST01710000"
DOMESTIC_FLUCTUATION = "FHPST01700000"
OVERSEAS_PRICE = "HHDFS00000300"
OVERSEAS_DAILY_PRICE = "HHDFS76240000"
OVERSEAS_MINUTES = "HHDFS76950200"  # real only
OVERSEAS_UPDOWN_RATE = "HHDFS76290000"
OVERSEAS_TRADE_VOL = "HHDFS76310010"

OVERSEAS_BALANCE = TrId("TTTS3012R", "VTTS3012R")
OVERSEAS_CCNL = TrId("TTTS3035R", "VTTS3035R")
OVERSEAS_PRESENT_BALANCE = TrId("CTRP6504R", "VTRP6504R")

# WebSocket tr_ids (reference §7).
WS_TRADE = "H0STCNT0"
WS_ORDERBOOK = "H0STASP0"
WS_NOTICE = TrId("H0STCNI0", "H0STCNI9")
WS_OVERSEAS_TRADE = "HDFSCNT0"
WS_OVERSEAS_NOTICE = TrId("H0GSCNI0", "H0GSCNI9")


def _market(m: kisspec.Market) -> KisMarket:
    return KisMarket(
        Venue(m.venue),
        m.excd,
        m.ovrs_excg_cd,
        Currency(m.currency),
        m.natn_cd,
        m.prdt_type_cd,
        TrId(*m.buy),
        TrId(*m.sell),
        TrId(*m.revise_cancel),
        m.notice_price_decimals,
    )


# The table itself is data (ouroboros/kisspec/data/markets.json), shared with the sandbox.
MARKETS: dict[Venue, KisMarket] = {Venue(m.venue): _market(m) for m in kisspec.markets()}

BY_EXCD: dict[str, KisMarket] = {m.excd: m for m in MARKETS.values() if m.excd}
BY_OVRS_EXCG_CD: dict[str, KisMarket] = {m.ovrs_excg_cd: m for m in MARKETS.values() if m.excd}


def market_for(venue: Venue) -> KisMarket:
    return MARKETS[venue]


def market_by_code(code: str) -> KisMarket:
    """Look a market up by either its quote (``NAS``) or trade (``NASD``) exchange code."""
    code = code.strip().upper()
    found = BY_EXCD.get(code) or BY_OVRS_EXCG_CD.get(code)
    if found is None:
        raise ValueError(f"unknown KIS exchange code, was {code!r}")
    return found
