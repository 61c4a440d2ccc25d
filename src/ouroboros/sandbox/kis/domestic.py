"""Domestic trading and account endpoints (``/uapi/domestic-stock/v1/trading``), reference
§4.5-4.9: cash orders (current and legacy tr_ids), modify/cancel, balance with FK100/NK100 paging,
buying power and the daily order/execution list."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ouroboros.domain.currency import Currency
from ouroboros.domain.ids import InstrumentId, Venue
from ouroboros.domain.orders import OrderSide
from ouroboros.sandbox.kis import vocab as kx
from ouroboros.sandbox.kis._fmt import hms, num, page, ymd
from ouroboros.sandbox.kis.domestic_quotes import OK, ORDER_OK, QUOTE_ROUTES, instrument
from ouroboros.sandbox.kis.engine import Kind, Reject, SbOrder, Status
from ouroboros.sandbox.kis.http import Ctx, Reply, Route, route
from ouroboros.sandbox.kis.sessions import check_open
from ouroboros.sandbox.kis.vocab import tr_ids

T = "/uapi/domestic-stock/v1/trading"

_BUY = {
    kx.DOMESTIC_BUY.real,
    kx.DOMESTIC_BUY.virtual,
    kx.DOMESTIC_BUY_LEGACY.real,
    kx.DOMESTIC_BUY_LEGACY.virtual,
}
_ORDER_REAL, _ORDER_VIRTUAL = tr_ids("domestic/order-cash")


def order_output(ctx: Ctx, order: SbOrder) -> Reply:
    out = {"KRX_FWDG_ORD_ORGNO": order.org_no, "ODNO": order.odno, "ORD_TMD": hms(order.created)}
    return Reply({**ORDER_OK, "output": out})


def _qty(ctx: Ctx, key: str = "ORD_QTY") -> Decimal:
    text = ctx.p(key).strip()
    if not text.isdigit():
        raise Reject("SBX00004", f"{key} 는 숫자여야 합니다, was {text!r}.")
    return Decimal(text)


def _price(ctx: Ctx, key: str) -> Decimal:
    try:
        return Decimal(ctx.p(key, "0").strip() or "0")
    except ArithmeticError:
        raise Reject("SBX00004", f"{key} 는 숫자여야 합니다.") from None


@route("POST", f"{T}/order-cash", _ORDER_REAL, _ORDER_VIRTUAL, order=True)
def order_cash(ctx: Ctx) -> Reply:
    account = ctx.account()
    iid = instrument(ctx, "PDNO")
    side = OrderSide.BUY if ctx.tr_id in _BUY else OrderSide.SELL
    dvsn = ctx.p("ORD_DVSN")
    if dvsn not in ("00", "01"):
        raise Reject("SBX00006", f"샌드박스는 ORD_DVSN 00/01 만 지원합니다, was {dvsn!r}.")
    price = _price(ctx, "ORD_UNPR")
    if dvsn == "00" and price <= 0:
        raise Reject("SBX00004", "지정가 주문은 ORD_UNPR 가 필요합니다.")
    check_open(ctx.state, iid.venue)
    order = ctx.state.exchange.submit(
        account, iid, side, _qty(ctx), None if dvsn == "01" else price, dvsn, ctx.state.org_no
    )
    return order_output(ctx, order)


_RVSE_REAL, _RVSE_VIRTUAL = tr_ids("domestic/order-rvsecncl")


@route("POST", f"{T}/order-rvsecncl", _RVSE_REAL, _RVSE_VIRTUAL, order=True)
def order_rvsecncl(ctx: Ctx) -> Reply:
    account = ctx.account()
    if not ctx.p("KRX_FWDG_ORD_ORGNO"):
        raise Reject("SBX00004", "KRX_FWDG_ORD_ORGNO 가 없습니다.")
    odno = ctx.p("ORGN_ODNO")
    kind = ctx.p("RVSE_CNCL_DVSN_CD")
    all_qty = ctx.p("QTY_ALL_ORD_YN", "Y") == "Y"
    qty = None if all_qty else _qty(ctx)
    check_open(ctx.state, Venue.KRX)
    ex = ctx.state.exchange
    if kind == "02":
        return order_output(ctx, ex.cancel(account, odno, ctx.state.org_no, qty))
    if kind == "01":
        dvsn = ctx.p("ORD_DVSN", "00")
        price = None if dvsn == "01" else _price(ctx, "ORD_UNPR")
        return order_output(ctx, ex.modify(account, odno, qty, price, dvsn, ctx.state.org_no))
    raise Reject("SBX00004", f"RVSE_CNCL_DVSN_CD 는 01/02, was {kind!r}.")


def holdings_rows(
    ctx: Ctx, account: str, venue_filter: set[Venue]
) -> list[tuple[InstrumentId, Any]]:
    acct = ctx.state.exchange.accounts[account]
    traded_today = {
        o.instrument
        for o in ctx.state.exchange.orders.values()
        if o.account == account and o.filled and ymd(o.created) == ymd(ctx.state.clock.now())
    }
    return sorted(
        (
            (iid, h)
            for iid, h in acct.holdings.items()
            if iid.venue in venue_filter and (h.quantity > 0 or iid in traded_today)
        ),
        key=lambda x: str(x[0]),
    )


@route("GET", f"{T}/inquire-balance", *tr_ids("domestic/inquire-balance"))
def inquire_balance(ctx: Ctx) -> Reply:
    account = ctx.account()
    ex = ctx.state.exchange
    acct = ex.accounts[account]
    rows = holdings_rows(ctx, account, {Venue.KRX})
    size = ctx.state.config.balance_page_size or (20 if ctx.virtual else 50)
    chunk, cursor, cont = page(rows, size, ctx.p("CTX_AREA_NK100"))
    out1 = []
    for iid, h in chunk:
        price = ex.market(iid).price
        value = price * h.quantity
        out1.append(
            {
                "pdno": iid.symbol,
                "prdt_name": f"SANDBOX {iid.symbol}",
                "trad_dvsn_name": "현금",
                "hldg_qty": num(h.quantity),
                "ord_psbl_qty": num(h.quantity - h.reserved),
                "pchs_avg_pric": num(h.average, 4),
                "pchs_amt": num(h.cost, 0),
                "prpr": num(price),
                "evlu_amt": num(value),
                "evlu_pfls_amt": num(value - h.cost, 0),
                "evlu_pfls_rt": "0.00",
                "evlu_erng_rt": "0.00",
                "fltt_rt": "0.00",
                "bfdy_cprs_icdc": "0",
                "thdt_buyqty": "0",
                "thdt_sll_qty": "0",
                "bfdy_buy_qty": "0",
                "bfdy_sll_qty": "0",
                "loan_dt": "",
                "loan_amt": "0",
                "expd_dt": "",
            }
        )
    cash = acct.cash.get(Currency.KRW, Decimal(0))
    stocks = sum((ex.market(i).price * h.quantity for i, h in rows), Decimal(0))
    cost = sum((h.cost for _, h in rows), Decimal(0))
    out2 = [
        {
            "dnca_tot_amt": num(cash, 0),
            "nxdy_excc_amt": num(cash, 0),
            "prvs_rcdl_excc_amt": num(cash, 0),
            "cma_evlu_amt": "0",
            "thdt_buy_amt": "0",
            "thdt_sll_amt": "0",
            "thdt_tlex_amt": "0",
            "scts_evlu_amt": num(stocks, 0),
            "tot_evlu_amt": num(cash + stocks, 0),
            "nass_amt": num(cash + stocks, 0),
            "pchs_amt_smtl_amt": num(cost, 0),
            "evlu_amt_smtl_amt": num(stocks, 0),
            "evlu_pfls_smtl_amt": num(stocks - cost, 0),
            "tot_loan_amt": "0",
            "bfdy_tot_asst_evlu_amt": num(cash + stocks, 0),
            "asst_icdc_amt": "0",
            "asst_icdc_erng_rt": "0.00",
        }
    ]
    body = {
        **OK,
        "ctx_area_fk100": ctx.p("CTX_AREA_FK100") or account.replace("-", ""),
        "ctx_area_nk100": cursor,
        "output1": out1,
        "output2": out2,
    }
    return Reply(body, cont)


@route("GET", f"{T}/inquire-psbl-order", *tr_ids("domestic/inquire-psbl-order"))
def inquire_psbl_order(ctx: Ctx) -> Reply:
    account = ctx.account()
    cash = ctx.state.exchange.accounts[account].available(Currency.KRW)
    price = _price(ctx, "ORD_UNPR")
    code = ctx.p("PDNO").strip()
    if price <= 0 and code:
        price = ctx.state.exchange.market(instrument(ctx, "PDNO")).price
    qty = (cash // price) if price > 0 else Decimal(0)
    out = {
        "ord_psbl_cash": num(cash, 0),
        "ord_psbl_sbst": "0",
        "ruse_psbl_amt": "0",
        "psbl_qty_calc_unpr": num(price),
        "nrcvb_buy_amt": num(cash, 0),
        "nrcvb_buy_qty": num(qty),
        "max_buy_amt": num(cash, 0),
        "max_buy_qty": num(qty),
        "cma_evlu_amt": "0",
        "ovrs_re_use_amt_wcrc": "0",
        "ord_psbl_frcr_amt_wcrc": "0",
    }
    return Reply({**OK, "output": out})


_CCLD_REAL, _CCLD_VIRTUAL = tr_ids("domestic/inquire-daily-ccld")


def ccld_row(o: SbOrder, orders: dict[str, SbOrder]) -> dict[str, str]:
    original = orders.get(o.orgn_odno)
    canceled_qty = o.canceled if o.status in (Status.CANCELED, Status.REPLACED) or o.canceled else 0
    return {
        "ord_dt": ymd(o.created),
        "ord_gno_brno": o.org_no,
        "odno": o.odno,
        "orgn_odno": o.orgn_odno,
        "ord_dvsn_name": "시장가" if o.limit is None else "지정가",
        "ord_dvsn_cd": o.ord_dvsn,
        "sll_buy_dvsn_cd": "02" if o.side is OrderSide.BUY else "01",
        "sll_buy_dvsn_cd_name": "매수" if o.side is OrderSide.BUY else "매도",
        "pdno": o.instrument.symbol,
        "prdt_name": f"SANDBOX {o.instrument.symbol}",
        "ord_qty": num(o.quantity),
        "ord_unpr": num(o.limit or 0),
        "ord_tmd": hms(o.created),
        "tot_ccld_qty": num(o.filled),
        "avg_prvs": num(o.average, 4),
        "cncl_yn": "Y" if o.kind is Kind.CANCEL else "N",
        "tot_ccld_amt": num(o.amount),
        "rmn_qty": num(o.leaves),
        "rjct_qty": "0",
        "cnc_cfrm_qty": num(canceled_qty),
        "excg_dvsn_cd": "01",
        "excg_id_dvsn_Cd": "KRX",  # capital C, as KIS spells it (OTA chk_inquire_daily_ccld)
        "rvse_cncl_dvsn_name": {Kind.NEW: "", Kind.MODIFY: "정정", Kind.CANCEL: "취소"}[o.kind],
        "orgn_ord_tmd": hms(original.created) if original else "",
    }


@route("GET", f"{T}/inquire-daily-ccld", _CCLD_REAL, _CCLD_VIRTUAL)
def inquire_daily_ccld(ctx: Ctx) -> Reply:
    account = ctx.account()
    today = ymd(ctx.state.clock.now())
    start, end = ctx.p("INQR_STRT_DT") or today, ctx.p("INQR_END_DT") or today
    side = ctx.p("SLL_BUY_DVSN_CD", "00")
    ccld = ctx.p("CCLD_DVSN", "00")
    code, odno = ctx.p("PDNO").strip(), ctx.p("ODNO").strip()
    orders = ctx.state.exchange.orders
    rows = [
        o
        for o in orders.values()
        if o.account == account
        and o.instrument.venue is Venue.KRX
        and start <= ymd(o.created) <= end
        and (side == "00" or (side == "02") == (o.side is OrderSide.BUY))
        and (ccld == "00" or (ccld == "01" and o.filled > 0) or (ccld == "02" and o.leaves > 0))
        and (not code or o.instrument.symbol == code)
        and (not odno or o.odno == odno.zfill(10))
    ]
    if ctx.p("INQR_DVSN", "00") == "00":
        rows.reverse()
    size = ctx.state.config.ccld_page_size or (15 if ctx.virtual else 100)
    chunk, cursor, cont = page(rows, size, ctx.p("CTX_AREA_NK100"))
    out2 = {
        "tot_ord_qty": num(sum((o.quantity for o in rows), Decimal(0))),
        "tot_ccld_qty": num(sum((o.filled for o in rows), Decimal(0))),
        "tot_ccld_amt": num(sum((o.amount for o in rows), Decimal(0))),
        "prsm_tlex_smtl": "0",
        "pchs_avg_pric": "0",
    }
    body = {
        **OK,
        # KIS answers the search key it used (the sample feeds it back on the next page)
        "ctx_area_fk100": ctx.p("CTX_AREA_FK100") or f"{account.replace('-', '^')}^{start}^{end}",
        "ctx_area_nk100": cursor,
        "output1": [ccld_row(o, orders) for o in chunk],
        "output2": out2,
    }
    return Reply(body, cont)


ROUTES: list[Route] = [
    *QUOTE_ROUTES,
    order_cash,
    order_rvsecncl,
    inquire_balance,
    inquire_psbl_order,
    inquire_daily_ccld,
]
