"""The ten markets: identity, currency, time zone, KIS routing codes and calendar.

KIS names exchanges twice: quotes take ``EXCD`` (NAS, NYS, ...) and orders take
``OVRS_EXCG_CD`` (NASD, NYSE, ...). Domestic Korea uses neither: quotes take the market
division code ``FID_COND_MRKT_DIV_CODE`` ``J`` (KRX) and orders the exchange ``EXCG_ID_DVSN_CD``
``KRX``. Both codes are kept on the market so adapters never re-derive them from strings.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final
from zoneinfo import ZoneInfo

from ouroboros.domain.currency import Currency
from ouroboros.domain.ids import Venue
from ouroboros.markets.calendar import MarketCalendar
from ouroboros.markets.codes import MarketCode
from ouroboros.markets.sources import CalendarId, calendar_data
from ouroboros.markets.timeutil import require_aware


@dataclass(frozen=True, slots=True)
class Market:
    """One market. ``calendar_id`` names the calendar it uses (shared within US, CN and VN)."""

    code: MarketCode
    name: str
    venue: Venue
    currency: Currency
    timezone: str
    kis_quote_exchange: str
    kis_order_exchange: str
    calendar_id: CalendarId

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def calendar(self) -> MarketCalendar:
        """This market's calendar (authoritative rows only); built on first use."""
        return get_calendar(self.code)

    def local_time(self, t: dt.datetime) -> dt.datetime:
        """``t`` on the exchange's wall clock, for display at the edges."""
        return require_aware(t).astimezone(self.zone)


_SEOUL, _NEW_YORK, _TOKYO = "Asia/Seoul", "America/New_York", "Asia/Tokyo"
_HONG_KONG, _SHANGHAI, _HO_CHI_MINH = "Asia/Hong_Kong", "Asia/Shanghai", "Asia/Ho_Chi_Minh"

_MARKETS: Final[dict[MarketCode, Market]] = {
    m.code: m
    for m in (
        Market(
            MarketCode.KR,
            "Korea Exchange (KOSPI, KOSDAQ)",
            Venue.KRX,
            Currency.KRW,
            _SEOUL,
            "J",
            "KRX",
            CalendarId.XKRX,
        ),
        Market(
            MarketCode.US_NASDAQ,
            "NASDAQ",
            Venue.NASDAQ,
            Currency.USD,
            _NEW_YORK,
            "NAS",
            "NASD",
            CalendarId.XNYS,
        ),
        Market(
            MarketCode.US_NYSE,
            "New York Stock Exchange",
            Venue.NYSE,
            Currency.USD,
            _NEW_YORK,
            "NYS",
            "NYSE",
            CalendarId.XNYS,
        ),
        Market(
            MarketCode.US_AMEX,
            "NYSE American (AMEX)",
            Venue.AMEX,
            Currency.USD,
            _NEW_YORK,
            "AMS",
            "AMEX",
            CalendarId.XNYS,
        ),
        Market(
            MarketCode.JP,
            "Tokyo Stock Exchange",
            Venue.TSE,
            Currency.JPY,
            _TOKYO,
            "TSE",
            "TKSE",
            CalendarId.XTKS,
        ),
        Market(
            MarketCode.HK,
            "Hong Kong Stock Exchange (SEHK)",
            Venue.HKEX,
            Currency.HKD,
            _HONG_KONG,
            "HKS",
            "SEHK",
            CalendarId.XHKG,
        ),
        Market(
            MarketCode.CN_SHA,
            "Shanghai Stock Exchange (A shares)",
            Venue.SSE,
            Currency.CNY,
            _SHANGHAI,
            "SHS",
            "SHAA",
            CalendarId.XSHG,
        ),
        Market(
            MarketCode.CN_SZA,
            "Shenzhen Stock Exchange (A shares)",
            Venue.SZSE,
            Currency.CNY,
            _SHANGHAI,
            "SZS",
            "SZAA",
            CalendarId.XSHG,
        ),
        Market(
            MarketCode.VN_HNX,
            "Hanoi Stock Exchange",
            Venue.HNX,
            Currency.VND,
            _HO_CHI_MINH,
            "HNX",
            "HASE",
            CalendarId.VN,
        ),
        Market(
            MarketCode.VN_HSX,
            "Ho Chi Minh City Stock Exchange (HOSE)",
            Venue.HOSE,
            Currency.VND,
            _HO_CHI_MINH,
            "HSX",
            "VNSE",
            CalendarId.VN,
        ),
    )
}
_BY_VENUE: Final[dict[Venue, Market]] = {m.venue: m for m in _MARKETS.values()}


def get_market(code: MarketCode | str) -> Market:
    """The market for a code (``MarketCode`` or text such as ``"us_nyse"``)."""
    return _MARKETS[MarketCode.parse(code)]


def all_markets() -> list[Market]:
    """Every market, in ``MarketCode`` order."""
    return [_MARKETS[c] for c in MarketCode]


def market_for_venue(venue: Venue) -> Market:
    """The market trading on ``venue`` (venues and markets correspond one to one)."""
    return _BY_VENUE[venue]


_CALENDARS: dict[tuple[MarketCode, bool], MarketCalendar] = {}
_LOCK = threading.Lock()


def get_calendar(code: MarketCode | str, *, provisional: bool = False) -> MarketCalendar:
    """The calendar of a market, built on first use and cached.

    With ``provisional=True`` the calendar also answers from rows marked provisional
    (estimates for years whose holidays are not announced yet) - for planning and synthetic
    data, never for deciding whether to send a real order.
    """
    market = get_market(code)
    key = (market.code, provisional)
    cached = _CALENDARS.get(key)
    if cached is not None:
        return cached
    calendar = MarketCalendar(
        market.code, calendar_data(market.calendar_id), provisional=provisional
    )
    with _LOCK:
        return _CALENDARS.setdefault(key, calendar)


def open_markets(
    t: dt.datetime, markets: Iterable[MarketCode | str] | None = None
) -> list[MarketCode]:
    """Codes of the markets (all, or those given) in continuous trading at ``t``.

    Raises ``CalendarCoverageError`` if a market's calendar does not cover ``t``: an unknown
    day is not a closed day.
    """
    t = require_aware(t)
    codes = list(MarketCode) if markets is None else [MarketCode.parse(c) for c in markets]
    return [c for c in codes if get_calendar(c).is_open(t)]
