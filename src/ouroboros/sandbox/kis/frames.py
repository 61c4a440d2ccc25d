"""Values for every column of the sandbox's market-data frames (H0STCNT0, H0STASP0, HDFSCNT0,
HDFSASP0).

Built from :mod:`ouroboros.sandbox.kis.market`, the same view the REST quotes use, so a
frame's ACML_VOL equals ``inquire-price``'s ``acml_vol`` and its book is REST's book.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from ouroboros.domain.ids import InstrumentId
from ouroboros.sandbox.kis._fmt import hms, num, ymd
from ouroboros.sandbox.kis.engine import MarketState
from ouroboros.sandbox.kis.market import book, day_volume, zdiv
from ouroboros.sandbox.kis.state import SandboxState
from ouroboros.sandbox.kis.vocab import MARKETS


def _sign(diff: Decimal) -> str:
    return "2" if diff > 0 else "5" if diff < 0 else "3"


def _rate(diff: Decimal, base: Decimal) -> str:
    return num(diff / base * 100 if base else Decimal(0), 2)


def domestic_trade(
    state: SandboxState, iid: InstrumentId, st: MarketState, now: datetime
) -> dict[str, str]:
    b = book(iid, st)
    vol = day_volume(state, iid, st)
    diff = st.price - st.prev_close
    amount = vol * st.price
    half = (vol / 2).to_integral_value()
    return {
        "MKSC_SHRN_ISCD": iid.symbol,
        "STCK_CNTG_HOUR": hms(now),
        "STCK_PRPR": num(st.price),
        "PRDY_VRSS_SIGN": _sign(diff),
        "PRDY_VRSS": num(diff),
        "PRDY_CTRT": _rate(diff, st.prev_close),
        "WGHN_AVRG_STCK_PRC": num((st.open + st.high + st.low + st.price) / 4, 2),
        "STCK_OPRC": num(st.open),
        "STCK_HGPR": num(st.high),
        "STCK_LWPR": num(st.low),
        "ASKP1": num(b.asks[0]),
        "BIDP1": num(b.bids[0]),
        "CNTG_VOL": num(min(st.volume, vol)),
        "ACML_VOL": num(vol),
        "ACML_TR_PBMN": num(amount.to_integral_value()),
        "SELN_CNTG_CSNU": num((half / 10).to_integral_value()),
        "SHNU_CNTG_CSNU": num((half / 10).to_integral_value()),
        "NTBY_CNTG_CSNU": "0",
        "CTTR": "100.00",
        "SELN_CNTG_SMTN": num(half),
        "SHNU_CNTG_SMTN": num(vol - half),
        "CCLD_DVSN": "1",
        "SHNU_RATE": "50.00",
        "PRDY_VOL_VRSS_ACML_VOL_RATE": "100.00",
        "OPRC_HOUR": "090000",
        "OPRC_VRSS_PRPR_SIGN": _sign(st.price - st.open),
        "OPRC_VRSS_PRPR": num(st.price - st.open),
        "HGPR_HOUR": hms(now),
        "HGPR_VRSS_PRPR_SIGN": _sign(st.price - st.high),
        "HGPR_VRSS_PRPR": num(st.price - st.high),
        "LWPR_HOUR": "090000",
        "LWPR_VRSS_PRPR_SIGN": _sign(st.price - st.low),
        "LWPR_VRSS_PRPR": num(st.price - st.low),
        "BSOP_DATE": ymd(now),
        "NEW_MKOP_CLS_CODE": "20",
        "TRHT_YN": "N",
        "ASKP_RSQN1": num(b.ask_sizes[0]),
        "BIDP_RSQN1": num(b.bid_sizes[0]),
        "TOTAL_ASKP_RSQN": num(sum(b.ask_sizes, Decimal(0))),
        "TOTAL_BIDP_RSQN": num(sum(b.bid_sizes, Decimal(0))),
        "VOL_TNRT": "0.01",
        "PRDY_SMNS_HOUR_ACML_VOL": num(vol),
        "PRDY_SMNS_HOUR_ACML_VOL_RATE": "100.00",
        "HOUR_CLS_CODE": "0",
        "MRKT_TRTM_CLS_CODE": "",
        "VI_STND_PRC": num(st.prev_close),
    }


def domestic_book(
    state: SandboxState, iid: InstrumentId, st: MarketState, now: datetime
) -> dict[str, str]:
    b = book(iid, st)
    out = {"MKSC_SHRN_ISCD": iid.symbol, "BSOP_HOUR": hms(now), "HOUR_CLS_CODE": "0"}
    for i in range(10):
        out[f"ASKP{i + 1}"] = num(b.asks[i])
        out[f"BIDP{i + 1}"] = num(b.bids[i])
        out[f"ASKP_RSQN{i + 1}"] = num(b.ask_sizes[i])
        out[f"BIDP_RSQN{i + 1}"] = num(b.bid_sizes[i])
    out.update(
        TOTAL_ASKP_RSQN=num(sum(b.ask_sizes, Decimal(0))),
        TOTAL_BIDP_RSQN=num(sum(b.bid_sizes, Decimal(0))),
        OVTM_TOTAL_ASKP_RSQN="0",
        OVTM_TOTAL_BIDP_RSQN="0",
        ANTC_CNPR="0",
        ANTC_CNQN="0",
        ANTC_VOL="0",
        ANTC_CNTG_VRSS="0",
        ANTC_CNTG_VRSS_SIGN="3",
        ANTC_CNTG_PRDY_CTRT="0.00",
        ACML_VOL=num(day_volume(state, iid, st)),
        TOTAL_ASKP_RSQN_ICDC="0",
        TOTAL_BIDP_RSQN_ICDC="0",
        OVTM_TOTAL_ASKP_ICDC="0",
        OVTM_TOTAL_BIDP_ICDC="0",
        STCK_DEAL_CLS_CODE="0",
    )
    return out


def overseas_trade(
    state: SandboxState, iid: InstrumentId, st: MarketState, now: datetime
) -> dict[str, str]:
    market = MARKETS[iid.venue]
    z = zdiv(iid.venue)
    local = market.local(now)
    b = book(iid, st)
    vol = day_volume(state, iid, st)
    diff = st.price - st.prev_close
    half = (vol / 2).to_integral_value()
    return {
        "RSYM": market.ws_trade_key(iid.symbol),
        "SYMB": iid.symbol,
        "ZDIV": str(z),
        "TYMD": local.strftime("%Y%m%d"),
        "XYMD": local.strftime("%Y%m%d"),
        "XHMS": local.strftime("%H%M%S"),
        "KYMD": ymd(now),
        "KHMS": hms(now),
        "OPEN": num(st.open, z),
        "HIGH": num(st.high, z),
        "LOW": num(st.low, z),
        "LAST": num(st.price, z),
        "SIGN": _sign(diff),
        "DIFF": num(abs(diff), z),
        "RATE": _rate(diff, st.prev_close),
        "PBID": num(b.bids[0], z),
        "PASK": num(b.asks[0], z),
        "VBID": num(b.bid_sizes[0]),
        "VASK": num(b.ask_sizes[0]),
        "EVOL": num(min(st.volume, vol)),
        "TVOL": num(vol),
        "TAMT": num((vol * st.price).to_integral_value()),
        "BIVL": num(half),
        "ASVL": num(vol - half),
        "STRN": "100.00",
        "MTYP": "1",
    }


def overseas_book(
    state: SandboxState, iid: InstrumentId, st: MarketState, now: datetime
) -> dict[str, str]:
    """HDFSASP0: level 1 of the same book, with the exchange-local and Korean clocks."""
    market = MARKETS[iid.venue]
    z = zdiv(iid.venue)
    local = market.local(now)
    b = book(iid, st)
    return {
        "RSYM": market.ws_trade_key(iid.symbol),
        "SYMB": iid.symbol,
        "ZDIV": str(z),
        "XYMD": local.strftime("%Y%m%d"),
        "XHMS": local.strftime("%H%M%S"),
        "KYMD": ymd(now),
        "KHMS": hms(now),
        "BVOL": num(sum(b.bid_sizes, Decimal(0))),
        "AVOL": num(sum(b.ask_sizes, Decimal(0))),
        "BDVL": "0",
        "ADVL": "0",
        "PBID1": num(b.bids[0], z),
        "PASK1": num(b.asks[0], z),
        "VBID1": num(b.bid_sizes[0]),
        "VASK1": num(b.ask_sizes[0]),
        "DBID1": "0",
        "DASK1": "0",
    }
