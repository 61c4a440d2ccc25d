"""Recorded-style frames in the official layouts (kisspec, from the OTA samples) through the
client's parser, and the overseas notice price conventions with the sanity check."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from ouroboros import kisspec
from ouroboros.brokers.kis.crypto import encrypt
from ouroboros.brokers.kis.notices import apply_notice, checked_fill_price
from ouroboros.brokers.kis.orderstore import OrderRecord, OrderStore
from ouroboros.brokers.kis.realtime import (
    BookTop,
    ExecutionNotice,
    TradeTick,
    notice_price,
    parse_frame,
)
from ouroboros.brokers.kis.realtime_fields import COLUMNS
from ouroboros.brokers.kis.tracker import FillTracker
from ouroboros.domain.events import OrderFilled
from ouroboros.domain.ids import InstrumentId, Venue
from ouroboros.domain.orders import OrderSide
from ouroboros.interfaces.kis_testing import sandbox_database

NOW = datetime(2026, 7, 9, 14, 0, tzinfo=UTC)

# One HDFSCNT0 record as KIS sends it: RSYM first, exchange-local XYMD/XHMS (New York, EDT),
# Korean KYMD/KHMS, prices with ZDIV (4) decimals.
AAPL = (
    "DNASAAPL^AAPL^4^20260709^20260709^095959^20260709^225959^148.0000^149.5000^147.2500^"
    "148.0100^2^1.0100^0.69^148.0000^148.0200^300^200^15^1523400^225432100^700000^823400^"
    "117.63^1"
)
MSFT = AAPL.replace("DNASAAPL^AAPL^", "DNASMSFT^MSFT^").replace("148.0100", "420.5000")


def test_client_layouts_are_the_official_ones() -> None:
    for tr_id, columns in COLUMNS.items():
        assert tuple(columns) == kisspec.columns(tr_id), tr_id
    assert len(COLUMNS["HDFSCNT0"]) == 26
    assert COLUMNS["HDFSCNT0"][:3] == ["RSYM", "SYMB", "ZDIV"]
    assert (len(COLUMNS["H0STCNT0"]), len(COLUMNS["H0STASP0"])) == (46, 59)
    assert (len(COLUMNS["H0STCNI0"]), len(COLUMNS["H0GSCNI0"])) == (26, 25)


def test_hdfscnt0_multi_record_frame_reads_each_record_in_place() -> None:
    assert len(AAPL.split("^")) == 26
    frame = f"0|HDFSCNT0|002|{AAPL}^{MSFT}"
    ticks = parse_frame(frame, {}, "DNASAAPL", NOW)
    assert ticks == [
        TradeTick(
            InstrumentId("AAPL", Venue.NASDAQ),
            Decimal("148.0100"),
            Decimal(15),
            Decimal(1523400),
            datetime(2026, 7, 9, 13, 59, 59, tzinfo=UTC),  # KYMD/KHMS 22:59:59 KST
        ),
        TradeTick(
            InstrumentId("MSFT", Venue.NASDAQ),
            Decimal("420.5000"),
            Decimal(15),
            Decimal(1523400),
            datetime(2026, 7, 9, 13, 59, 59, tzinfo=UTC),
        ),
    ]


H0STCNT0 = (
    "005930^093354^71900^5^-100^-0.14^72023.83^72100^72400^71700^71900^71800^1^3052507^"
    "219853241700^5105^6937^1832^84.90^1366314^1159996^1^0.39^20.56^090020^5^-200^090820^5^"
    "-500^092619^2^200^20260709^20^N^65945^216924^1118750^2199206^0.05^2424142^125.92^0^^72100"
)


def test_h0stcnt0_record() -> None:
    assert len(H0STCNT0.split("^")) == 46
    [tick] = parse_frame(f"0|H0STCNT0|001|{H0STCNT0}", {}, "005930", NOW)
    assert tick == TradeTick(
        InstrumentId("005930", Venue.KRX),
        Decimal(71900),
        Decimal(1),
        Decimal(3052507),
        datetime(2026, 7, 9, 0, 33, 54, tzinfo=UTC),
    )


def test_h0stasp0_record_ten_levels() -> None:
    asks = [str(71900 + 100 * i) for i in range(10)]
    bids = [str(71800 - 100 * i) for i in range(10)]
    sizes = [str(1000 + i) for i in range(10)]
    tail = ["51000", "62000", "0", "0", "0", "0", "0", "0", "0", "0.00", "3052507"]
    tail += ["0", "0", "0", "0", "0"]
    values = ["005930", "093354", "0", *asks, *bids, *sizes, *sizes, *tail]
    assert len(values) == 59
    [top] = parse_frame("0|H0STASP0|001|" + "^".join(values), {}, "005930", NOW)
    assert isinstance(top, BookTop)
    assert (top.ask, top.bid, top.ask_size) == (Decimal(71900), Decimal(71800), Decimal(1000))


def _notice(tr_id: str, values: dict[str, str]) -> ExecutionNotice:
    key, iv = "k" * 32, "i" * 16
    payload = "^".join(values.get(c, "") for c in kisspec.columns(tr_id))
    [message] = parse_frame(
        f"1|{tr_id}|001|{encrypt(key, iv, payload)}", {tr_id: (key, iv)}, "", NOW
    )
    assert isinstance(message, ExecutionNotice)
    return message


US_FILL = {
    "CUST_ID": "user01",
    "ACNT_NO": "5000000101",
    "ODER_NO": "0000012345",
    "OODER_NO": "",
    "SELN_BYOV_CLS": "02",
    "RCTF_CLS": "0",
    "ODER_KIND2": "2",
    "STCK_SHRN_ISCD": "AAPL",
    "CNTG_QTY": "3",
    "CNTG_UNPR": "001480100",
    "STCK_CNTG_HOUR": "225959",
    "RFUS_YN": "0",
    "CNTG_YN": "2",
    "ACPT_YN": "2",
    "BRNC_NO": "01790",
    "ODER_QTY": "3",
    "ODER_COND": "6",
}


def test_h0gscni0_fill_documented_price_form() -> None:
    n = _notice("H0GSCNI9", US_FILL)
    assert (n.odno, n.side, n.is_fill, n.refused, n.quantity) == (
        "0000012345",
        OrderSide.BUY,
        True,
        False,
        Decimal(3),
    )
    assert n.price_text == "001480100"
    assert notice_price(n.price_text, 4) == Decimal("148.0100")  # US: 4 implied decimals
    assert notice_price("148.0100", 4) == Decimal("148.0100")  # plain decimal: unambiguous
    assert notice_price("0000071000", 0) == Decimal(71000)  # domestic: whole won
    with pytest.raises(ValueError, match="CNTG_UNPR"):
        notice_price("1.2.3", 4)


def test_refusal_is_read_from_the_documented_zero_one_flag() -> None:
    assert _notice("H0GSCNI0", {**US_FILL, "RFUS_YN": "1", "CNTG_YN": "1"}).refused
    assert _notice("H0STCNI0", {**US_FILL, "RFUS_YN": "1", "CNTG_YN": "1"}).refused
    assert not _notice("H0STCNI0", {**US_FILL, "RFUS_YN": "0"}).refused


def _record(limit: str) -> OrderRecord:
    return OrderRecord(
        "cid-1",
        "AAPL.NASDAQ",
        "BUY",
        "LIMIT",
        "3",
        limit,
        "00",
        "2026-07-09T13:00:00+00:00",
        state="acked",
        odnos=["0000012345"],
        limit_price=limit,
    )


def test_a_fill_price_off_by_orders_of_magnitude_is_refused_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    good = _notice("H0GSCNI9", US_FILL)
    assert checked_fill_price(good, _record("148.50")) == Decimal("148.0100")
    # "148" without a point reads as 0.0148 under the documented convention: refused
    wrong = _notice("H0GSCNI9", {**US_FILL, "CNTG_UNPR": "148"})
    with caplog.at_level(logging.ERROR, "ouroboros.brokers.kis.notices"):
        assert checked_fill_price(wrong, _record("148.50")) is None
    assert "notice price refused" in caplog.text


def test_refused_notice_price_is_never_booked(tmp_path: Path) -> None:
    store = OrderStore(sandbox_database(tmp_path), "kis-virtual:50000001-01", lambda: NOW)
    store.put(_record("148.50"))
    tracker = FillTracker(store, lambda: NOW)
    wrong = _notice("H0GSCNI9", {**US_FILL, "CNTG_UNPR": "1480100000"})  # 148,010.0000
    assert apply_notice(store, tracker, wrong)
    assert not [e for e in tracker.events if isinstance(e, OrderFilled)]
    assert apply_notice(store, tracker, _notice("H0GSCNI9", US_FILL))
    [filled] = [e for e in tracker.events if isinstance(e, OrderFilled)]
    assert filled.fill.price.value == Decimal("148.0100")
