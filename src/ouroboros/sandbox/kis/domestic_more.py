"""Domestic endpoints beyond the basics: minute bars for the day so far, product info
(search-info, real only) and the cancelable-orders list (inquire-psbl-rvsecncl, real only)."""

from __future__ import annotations

from decimal import Decimal

from ouroboros.domain.ids import InstrumentId, Venue
from ouroboros.domain.orders import OrderSide
from ouroboros.sandbox.kis._fmt import hms, num
from ouroboros.sandbox.kis.domestic_quotes import OK, change_fields, instrument
from ouroboros.sandbox.kis.engine import Kind, Reject
from ouroboros.sandbox.kis.http import Ctx, Reply, Route, route
from ouroboros.sandbox.kis.market import day_volume, minute_bars
from ouroboros.sandbox.kis.vocab import MARKETS, tr_ids

Q = "/uapi/domestic-stock/v1/quotations"
T = "/uapi/domestic-stock/v1/trading"
MINUTE_ROWS = 30  # rows per call (reference §4.4)


@route("GET", f"{Q}/inquire-time-itemchartprice", *tr_ids("domestic/inquire-time-itemchartprice"))
def inquire_time_itemchartprice(ctx: Ctx) -> Reply:
    """Up to 30 one-minute bars at or before ``FID_INPUT_HOUR_1`` (HHMMSS), newest first; an
    hour before the session's first bar asks for the latest ones."""
    iid = instrument(ctx)
    st = ctx.state.exchange.market(iid)
    hour = ctx.p("FID_INPUT_HOUR_1").strip() or "235959"
    if not (len(hour) == 6 and hour.isdigit()):
        raise Reject("SBX00004", f"FID_INPUT_HOUR_1 는 HHMMSS 입니다, was {hour!r}.")
    day = minute_bars(ctx.state, iid, st)
    if day and hour < day[0].at.strftime("%H%M%S"):
        hour = "235959"  # before the open (PK sends 000000): the latest bars, as clients expect
    bars = [b for b in day if b.at.strftime("%H%M%S") <= hour]
    vol = day_volume(ctx.state, iid, st)
    out1 = {
        **change_fields(st),
        "stck_prdy_clpr": num(st.prev_close),
        "acml_vol": num(vol),
        "acml_tr_pbmn": num(st.acml_amount),
        "hts_kor_isnm": f"SANDBOX {iid.symbol}",
        "stck_prpr": num(st.price),
    }
    running = Decimal(0)
    rows = []
    for b in bars:
        running += b.volume * b.close
        rows.append(
            {
                "stck_bsop_date": b.at.strftime("%Y%m%d"),
                "stck_cntg_hour": b.at.strftime("%H%M%S"),
                "stck_prpr": num(b.close),
                "stck_oprc": num(b.open),
                "stck_hgpr": num(b.high),
                "stck_lwpr": num(b.low),
                "cntg_vol": num(b.volume),
                "acml_tr_pbmn": num(running.to_integral_value()),
            }
        )
    return Reply({**OK, "output1": out1, "output2": rows[::-1][:MINUTE_ROWS]})


_BY_PRDT_TYPE = {m.prdt_type_cd: m for m in MARKETS.values()}


@route("GET", f"{Q}/search-info", *tr_ids("domestic/search-info"))
def search_info(ctx: Ctx) -> Reply:
    """Product info for any market: ``PRDT_TYPE_CD`` picks it (300 KRX, 512 NASDAQ, ...)."""
    market = _BY_PRDT_TYPE.get(ctx.p("PRDT_TYPE_CD", "300").strip() or "300")
    if market is None:
        raise Reject(
            "SBX00004", f"PRDT_TYPE_CD 가 올바르지 않습니다, was {ctx.p('PRDT_TYPE_CD')!r}."
        )
    code = ctx.p("PDNO").strip()
    try:
        iid = InstrumentId(code, market.venue)
    except ValueError:
        raise Reject("APBK0656", "해당 종목정보가 없습니다.") from None
    if not ctx.state.exchange.knows(iid):
        raise Reject("APBK0656", "해당 종목정보가 없습니다.")
    name = f"SANDBOX {iid.symbol}"
    std = f"KR7{iid.symbol}00{sum(map(ord, iid.symbol)) % 10}" if market.domestic else ""
    out = {
        "pdno": iid.symbol,
        "prdt_type_cd": market.prdt_type_cd,
        "prdt_name": name,
        "prdt_name120": name,
        "prdt_abrv_name": name,
        "prdt_eng_name": name,
        "prdt_eng_name120": name,
        "prdt_eng_abrv_name": name,
        "std_pdno": std or f"US{sum(map(ord, iid.symbol)):010d}",
        "shtn_pdno": iid.symbol,
        "prdt_sale_stat_cd": "",
        "prdt_risk_grad_cd": "",
        "prdt_clsf_cd": "101210",
        "sale_strt_dt": "",
        "sale_end_dt": "",
        "wrap_asst_type_cd": "",
        "ivst_prdt_type_cd": "",
        "frst_erlm_dt": "19750611",
    }
    return Reply({**OK, "output": out})


@route("GET", f"{T}/inquire-psbl-rvsecncl", *tr_ids("domestic/inquire-psbl-rvsecncl"))
def inquire_psbl_rvsecncl(ctx: Ctx) -> Reply:
    """Open domestic orders that can still be modified or canceled, newest first."""
    account = ctx.account()
    rows = [
        o
        for o in ctx.state.exchange.orders.values()
        if o.account == account and o.instrument.venue is Venue.KRX and o.leaves > 0
    ]
    out = [
        {
            "ord_gno_brno": o.org_no,
            "odno": o.odno,
            "orgn_odno": o.orgn_odno,
            "ord_dvsn_name": "시장가" if o.limit is None else "지정가",
            "pdno": o.instrument.symbol,
            "prdt_name": f"SANDBOX {o.instrument.symbol}",
            "rvse_cncl_dvsn_name": {Kind.NEW: "", Kind.MODIFY: "정정", Kind.CANCEL: "취소"}[o.kind],
            "ord_qty": num(o.quantity),
            "ord_unpr": num(o.limit or 0),
            "ord_tmd": hms(o.created),
            "tot_ccld_qty": num(o.filled),
            "tot_ccld_amt": num(o.amount),
            "psbl_qty": num(o.leaves),
            "sll_buy_dvsn_cd": "02" if o.side is OrderSide.BUY else "01",
            "ord_dvsn_cd": o.ord_dvsn,
            "mgco_aptm_odno": "",
            "excg_dvsn_cd": "01",
            "excg_id_dvsn_cd": "KRX",
            "excg_id_dvsn_name": "한국거래소",
            "stpm_cndt_pric": "0",
            "stpm_efct_occr_yn": "N",
        }
        for o in reversed(rows)
    ]
    body = {**OK, "ctx_area_fk100": "", "ctx_area_nk100": "", "output": out}
    return Reply(body, "D")


ROUTES: list[Route] = [inquire_time_itemchartprice, search_info, inquire_psbl_rvsecncl]
