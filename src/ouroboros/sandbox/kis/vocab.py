"""The sandbox's view of KIS's vocabulary: markets, tr_ids, frame layouts, field sets.

Everything here is read from ``ouroboros.kisspec`` (the official samples kept as data), never
from the client in ``ouroboros.brokers``: if the client gets a code wrong, the sandbox answers
as KIS would and a test sees the difference.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo

from ouroboros import kisspec
from ouroboros.domain.currency import Currency
from ouroboros.domain.ids import Venue

KST = kisspec.KST


@dataclass(frozen=True, slots=True)
class TrId:
    real: str
    virtual: str

    def pick(self, virtual: bool) -> str:
        return self.virtual if virtual else self.real


@dataclass(frozen=True, slots=True)
class SbMarket:
    venue: Venue
    excd: str
    ovrs_excg_cd: str
    currency: Currency
    natn_cd: str
    prdt_type_cd: str
    buy: TrId
    sell: TrId
    revise_cancel: TrId
    tz: tzinfo
    notice_price_decimals: int

    @property
    def domestic(self) -> bool:
        return self.venue is Venue.KRX

    def ws_trade_key(self, symbol: str) -> str:
        return symbol if self.domestic else f"D{self.excd}{symbol}"

    def local(self, ts: datetime) -> datetime:
        """``ts`` on the exchange's own clock (XYMD/XHMS are exchange-local)."""
        return ts.astimezone(self.tz)


MARKETS: dict[Venue, SbMarket] = {
    Venue(m.venue): SbMarket(
        Venue(m.venue),
        m.excd,
        m.ovrs_excg_cd,
        Currency(m.currency),
        m.natn_cd,
        m.prdt_type_cd,
        TrId(*m.buy),
        TrId(*m.sell),
        TrId(*m.revise_cancel),
        ZoneInfo(m.tz),
        m.notice_price_decimals,
    )
    for m in kisspec.markets()
}
_BY_CODE = {c: m for m in MARKETS.values() if m.excd for c in (m.excd, m.ovrs_excg_cd)}


def market_by_code(code: str) -> SbMarket:
    found = _BY_CODE.get(code.strip().upper())
    if found is None:
        raise ValueError(f"unknown KIS exchange code, was {code!r}")
    return found


def tr_ids(endpoint: str) -> tuple[set[str], set[str]]:
    """(real, virtual) tr_ids an endpoint accepts, from the official data."""
    ep = kisspec.endpoint(endpoint)
    return set(ep.tr_id_real), set(ep.tr_id_virtual)


_LEGACY = kisspec.legacy_order_tr_ids()
_KRX = MARKETS[Venue.KRX]
DOMESTIC_BUY, DOMESTIC_SELL, DOMESTIC_REVISE_CANCEL = _KRX.buy, _KRX.sell, _KRX.revise_cancel
DOMESTIC_BUY_LEGACY = TrId(*_LEGACY["domestic_buy"])
DOMESTIC_SELL_LEGACY = TrId(*_LEGACY["domestic_sell"])
US_LEGACY_BUY = set(_LEGACY["us_buy"])
US_LEGACY_SELL = set(_LEGACY["us_sell"])

WS_TRADE, WS_ORDERBOOK = "H0STCNT0", "H0STASP0"
WS_OVERSEAS_TRADE, WS_OVERSEAS_BOOK = "HDFSCNT0", "HDFSASP0"
WS_NOTICE = TrId("H0STCNI0", "H0STCNI9")
WS_OVERSEAS_NOTICE = TrId("H0GSCNI0", "H0GSCNI9")
ENCRYPTED = frozenset({"H0STCNI0", "H0STCNI9", "H0GSCNI0", "H0GSCNI9"})
COLUMNS: dict[str, tuple[str, ...]] = {t: kisspec.columns(t) for t in kisspec.frame_ids()}
