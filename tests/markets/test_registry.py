"""The ten markets: codes, lookups, currencies, KIS routing codes and calendar assignment."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from ouroboros.domain import VENUE_CURRENCY, Venue
from ouroboros.markets import (
    CalendarId,
    MarketCode,
    all_markets,
    get_calendar,
    get_market,
    market_for_venue,
)


def test_there_are_ten_markets_in_code_order() -> None:
    assert [m.code for m in all_markets()] == list(MarketCode)
    assert len(all_markets()) == 10


@pytest.mark.parametrize("text", ["US_NYSE", "us_nyse", "  Us_Nyse ", MarketCode.US_NYSE])
def test_get_market_accepts_codes_and_text(text: str) -> None:
    assert get_market(text).code is MarketCode.US_NYSE


def test_unknown_market_is_named_with_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"unknown market, was 'US'.*US_NYSE"):
        get_market("US")


@pytest.mark.parametrize(
    ("code", "venue", "quote", "order", "calendar", "tz"),
    [
        (MarketCode.KR, Venue.KRX, "J", "KRX", CalendarId.XKRX, "Asia/Seoul"),
        (MarketCode.US_NASDAQ, Venue.NASDAQ, "NAS", "NASD", CalendarId.XNYS, "America/New_York"),
        (MarketCode.US_NYSE, Venue.NYSE, "NYS", "NYSE", CalendarId.XNYS, "America/New_York"),
        (MarketCode.US_AMEX, Venue.AMEX, "AMS", "AMEX", CalendarId.XNYS, "America/New_York"),
        (MarketCode.JP, Venue.TSE, "TSE", "TKSE", CalendarId.XTKS, "Asia/Tokyo"),
        (MarketCode.HK, Venue.HKEX, "HKS", "SEHK", CalendarId.XHKG, "Asia/Hong_Kong"),
        (MarketCode.CN_SHA, Venue.SSE, "SHS", "SHAA", CalendarId.XSHG, "Asia/Shanghai"),
        (MarketCode.CN_SZA, Venue.SZSE, "SZS", "SZAA", CalendarId.XSHG, "Asia/Shanghai"),
        (MarketCode.VN_HNX, Venue.HNX, "HNX", "HASE", CalendarId.VN, "Asia/Ho_Chi_Minh"),
        (MarketCode.VN_HSX, Venue.HOSE, "HSX", "VNSE", CalendarId.VN, "Asia/Ho_Chi_Minh"),
    ],
)
def test_market_facts(
    code: MarketCode, venue: Venue, quote: str, order: str, calendar: CalendarId, tz: str
) -> None:
    m = get_market(code)
    assert (m.venue, m.kis_quote_exchange, m.kis_order_exchange) == (venue, quote, order)
    assert (m.calendar_id, m.timezone) == (calendar, tz)
    assert m.currency is VENUE_CURRENCY[venue]
    assert ZoneInfo(m.timezone) == m.zone
    assert market_for_venue(venue) is m


def test_get_calendar_is_built_once_and_names_its_market() -> None:
    cal = get_calendar("us_amex")
    assert cal is get_calendar(MarketCode.US_AMEX)
    assert cal.market is MarketCode.US_AMEX
    assert get_market("US_AMEX").calendar is cal
    assert cal.timezone == "America/New_York"
