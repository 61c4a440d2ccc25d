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


def _pair(endpoint: str) -> TrId:
    """The current (first-listed) real and virtual tr_id of an endpoint, from kisspec."""
    ep = kisspec.endpoint(endpoint)
    return TrId(ep.tr_id_real[0], ep.tr_id_virtual[0])


def _quote(endpoint: str) -> str:
    """A quote tr_id (the same in both environments), from kisspec."""
    return kisspec.endpoint(endpoint).tr_id_real[0]


# Domestic (reference §4): the client sends the current ids; legacy ones are listed in kisspec.
DOMESTIC_BALANCE = _pair("domestic/inquire-balance")
DOMESTIC_PSBL_ORDER = _pair("domestic/inquire-psbl-order")
DOMESTIC_DAILY_CCLD = _pair("domestic/inquire-daily-ccld")

DOMESTIC_PRICE = _quote("domestic/inquire-price")
DOMESTIC_ORDERBOOK = _quote("domestic/inquire-asking-price-exp-ccn")
DOMESTIC_DAILY_PRICE = _quote("domestic/inquire-daily-price")
DOMESTIC_CHART = _quote("domestic/inquire-daily-itemchartprice")
DOMESTIC_MINUTES = _quote("domestic/inquire-time-itemchartprice")
DOMESTIC_VOLUME_RANK = _quote("domestic/volume-rank")
DOMESTIC_FLUCTUATION = _quote("domestic/fluctuation")
OVERSEAS_PRICE = _quote("overseas/price")
OVERSEAS_DAILY_PRICE = _quote("overseas/dailyprice")
OVERSEAS_MINUTES = _quote("overseas/inquire-time-itemchartprice")  # real only
OVERSEAS_UPDOWN_RATE = _quote("overseas/updown-rate")
OVERSEAS_TRADE_VOL = _quote("overseas/trade-vol")

OVERSEAS_BALANCE = _pair("overseas/inquire-balance")
OVERSEAS_CCNL = _pair("overseas/inquire-ccnl")
OVERSEAS_PRESENT_BALANCE = _pair("overseas/inquire-present-balance")

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
DOMESTIC_BUY = MARKETS[Venue.KRX].buy
DOMESTIC_SELL = MARKETS[Venue.KRX].sell
DOMESTIC_REVISE_CANCEL = MARKETS[Venue.KRX].revise_cancel

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
