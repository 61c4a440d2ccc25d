"""Overseas endpoints (``/uapi/overseas-price``, ``/uapi/overseas-stock``), reference §5.

Dates on ``inquire-ccnl`` are KST dates here (KIS uses the market's local date - a documented
simplification). Order tr_ids are checked against the exchange and side, so the US virtual
sell must be ``VTTT1001U`` (``VTTT1006U`` is refused, as Soju06/python-kis#15 reports).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from ouroboros.domain.ids import InstrumentId, Venue
from ouroboros.domain.orders import OrderSide
from ouroboros.sandbox.kis import vocab as kx
from ouroboros.sandbox.kis._fmt import hms, num, page, ymd
from ouroboros.sandbox.kis.domestic import _price, _qty, holdings_rows
from ouroboros.sandbox.kis.domestic_quotes import (
    OK,
    ORDER_OK,
    _today,
    bars,
    sign,
    today_volume,
)
from ouroboros.sandbox.kis.engine import Kind, MarketState, Reject, SbOrder
from ouroboros.sandbox.kis.http import Ctx, Reply, Route, route
from ouroboros.sandbox.kis.market import zdiv
from ouroboros.sandbox.kis.sessions import check_open
from ouroboros.sandbox.kis.vocab import KST, tr_ids

P = "/uapi/overseas-price/v1/quotations"
T = "/uapi/overseas-stock/v1/trading"
R = "/uapi/overseas-stock/v1/ranking"
_OVERSEAS = [m for m in kx.MARKETS.values() if not m.domestic]
_US = {Venue.NASDAQ, Venue.NYSE, Venue.AMEX}


def _market(ctx: Ctx, key: str) -> kx.SbMarket:
    try:
        return kx.market_by_code(ctx.p(key))
    except ValueError:
        raise Reject("SBX00004", f"{key} 가 올바르지 않습니다, was {ctx.p(key)!r}.") from None


def _instrument(ctx: Ctx, market: kx.SbMarket, key: str) -> InstrumentId:
    try:
        iid = InstrumentId(ctx.p(key).strip(), market.venue)
    except ValueError:
        raise Reject("APBK0656", "해당 종목정보가 없습니다.") from None
    if not ctx.state.exchange.knows(iid):
        raise Reject("APBK0656", "해당 종목정보가 없습니다.")
    return iid


def _zdiv(market: kx.SbMarket) -> int:
    return zdiv(market.venue)


def _change(st: MarketState, places: int) -> dict[str, str]:
    diff = st.price - st.prev_close
    rate = (diff / st.prev_close * 100) if st.prev_close else Decimal(0)
    return {"sign": sign(diff), "diff": num(diff, places), "rate": num(rate, 2)}


@route("GET", f"{P}/price", *tr_ids("overseas/price"))
def price(ctx: Ctx) -> Reply:
    market = _market(ctx, "EXCD")
    iid = _instrument(ctx, market, "SYMB")
    st = ctx.state.exchange.market(iid)
    z = _zdiv(market)
    out = {
        "rsym": f"D{market.excd}{iid.symbol}",
        "zdiv": str(z),
        "base": num(st.prev_close, z),
        "pvol": "0",
        "last": num(st.price, z),
        **_change(st, z),
        "tvol": num(today_volume(ctx, iid, st)),
        "tamt": num(st.acml_amount, 2),
        "ordy": "매수가능",
    }
    return Reply({**OK, "output": out})


@route("GET", f"{P}/dailyprice", *tr_ids("overseas/dailyprice"))
def dailyprice(ctx: Ctx) -> Reply:
    market = _market(ctx, "EXCD")
    iid = _instrument(ctx, market, "SYMB")
    z = _zdiv(market)
    today = _today(ctx)
    bymd = ctx.p("BYMD").strip()
    end = datetime.strptime(bymd, "%Y%m%d").replace(tzinfo=KST).date() if bymd else today
    history = [b for b in bars(ctx, iid, 600) if b.day <= end]
    chunk = history[-100:]
    rows = [
        {
            "xymd": b.day.strftime("%Y%m%d"),
            "clos": num(b.close, z),
            "sign": "3",
            "diff": num(0, z),
            "rate": "0.00",
            "open": num(b.open, z),
            "high": num(b.high, z),
            "low": num(b.low, z),
            "tvol": num(b.volume),
            "tamt": num(b.volume * b.close, 2),
            "pbid": num(b.close, z),
            "vbid": "0",
            "pask": num(b.close, z),
            "vask": "0",
        }
        for b in reversed(chunk)
    ]
    out1 = {"rsym": f"D{market.excd}{iid.symbol}", "zdiv": str(z), "nrec": str(len(rows))}
    more = len(history) > len(chunk)
    return Reply({**OK, "output1": out1, "output2": rows}, "M" if more else "D")


_ORDER_SIDES: dict[str, tuple[OrderSide, frozenset[str]]] = {}
for _m in _OVERSEAS:
    for _side, _pair in ((OrderSide.BUY, _m.buy), (OrderSide.SELL, _m.sell)):
        for _tr in (_pair.real, _pair.virtual):
            side, codes = _ORDER_SIDES.get(_tr, (_side, frozenset()))
            _ORDER_SIDES[_tr] = (side, codes | {_m.ovrs_excg_cd})
# Legacy US ids (mojito still sends them). Whether KIS accepts them today is unconfirmed; the
# sandbox accepts them on the real-style server, like the legacy domestic ids, and has no
# virtual counterpart for them (none is documented).
_US_CODES = frozenset(kx.MARKETS[v].ovrs_excg_cd for v in _US)
_ORDER_SIDES |= dict.fromkeys(kx.US_LEGACY_BUY, (OrderSide.BUY, _US_CODES))
_ORDER_SIDES |= dict.fromkeys(kx.US_LEGACY_SELL, (OrderSide.SELL, _US_CODES))


@route(
    "POST",
    f"{T}/order",
    {m.buy.real for m in _OVERSEAS}
    | {m.sell.real for m in _OVERSEAS}
    | kx.US_LEGACY_BUY
    | kx.US_LEGACY_SELL,
    {m.buy.virtual for m in _OVERSEAS} | {m.sell.virtual for m in _OVERSEAS},
    order=True,
)
def order(ctx: Ctx) -> Reply:
    account = ctx.account()
    market = _market(ctx, "OVRS_EXCG_CD")
    side, codes = _ORDER_SIDES[ctx.tr_id]
    if market.ovrs_excg_cd not in codes:
        raise Reject("SBX00013", f"tr_id {ctx.tr_id} 는 {market.ovrs_excg_cd} 주문이 아닙니다.")
    iid = _instrument(ctx, market, "PDNO")
    dvsn = ctx.p("ORD_DVSN", "00")
    if dvsn != "00":
        raise Reject("SBX00006", f"샌드박스 해외주문은 ORD_DVSN 00 만 지원합니다, was {dvsn!r}.")
    limit = _price(ctx, "OVRS_ORD_UNPR")
    if limit <= 0:
        raise Reject("SBX00004", "OVRS_ORD_UNPR 가 필요합니다.")
    if side is OrderSide.SELL and ctx.p("SLL_TYPE") not in ("00", ""):
        raise Reject("SBX00004", "SLL_TYPE 는 매도 시 00 입니다.")
    check_open(ctx.state, market.venue)
    placed = ctx.state.exchange.submit(account, iid, side, _qty(ctx), limit, dvsn, "01790")
    out = {"KRX_FWDG_ORD_ORGNO": placed.org_no, "ODNO": placed.odno, "ORD_TMD": hms(placed.created)}
    return Reply({**ORDER_OK, "output": out})


_RVSE = [m.revise_cancel for m in _OVERSEAS]


@route(
    "POST", f"{T}/order-rvsecncl", {t.real for t in _RVSE}, {t.virtual for t in _RVSE}, order=True
)
def order_rvsecncl(ctx: Ctx) -> Reply:
    account = ctx.account()
    market = _market(ctx, "OVRS_EXCG_CD")
    if ctx.body.get("KRX_FWDG_ORD_ORGNO"):
        raise Reject("SBX00004", "해외주식 정정취소에는 KRX_FWDG_ORD_ORGNO 를 보내지 않습니다.")
    odno = ctx.p("ORGN_ODNO")
    original = ctx.state.exchange.orders.get(odno.strip().zfill(10))
    if original is None or original.instrument.venue is not market.venue:
        raise Reject("SBX00003", "원주문번호가 존재하지 않습니다.", rt_cd="7")
    check_open(ctx.state, market.venue)
    kind = ctx.p("RVSE_CNCL_DVSN_CD")
    qty = _qty(ctx) if ctx.p("ORD_QTY", "0").strip() not in ("", "0") else None
    ex = ctx.state.exchange
    if kind == "02":
        row = ex.cancel(account, odno, "01790", qty)
    elif kind == "01":
        row = ex.modify(account, odno, qty, _price(ctx, "OVRS_ORD_UNPR"), "00", "01790")
    else:
        raise Reject("SBX00004", f"RVSE_CNCL_DVSN_CD 는 01/02, was {kind!r}.")
    out = {"KRX_FWDG_ORD_ORGNO": row.org_no, "ODNO": row.odno, "ORD_TMD": hms(row.created)}
    return Reply({**ORDER_OK, "output": out})


def _venues(ctx: Ctx, code: str) -> set[Venue]:
    if code in ("", "%"):
        return {m.venue for m in _OVERSEAS}
    market = kx.market_by_code(code)
    if market.ovrs_excg_cd == "NASD" and not ctx.virtual:
        return set(_US)  # real: NASD means every US market (reference §5.1)
    return {market.venue}


@route("GET", f"{T}/inquire-balance", *tr_ids("overseas/inquire-balance"))
def inquire_balance(ctx: Ctx) -> Reply:
    account = ctx.account()
    venues = _venues(ctx, ctx.p("OVRS_EXCG_CD"))
    currency = ctx.p("TR_CRCY_CD")
    rows = [
        (i, h)
        for i, h in holdings_rows(ctx, account, venues)
        if not currency or kx.MARKETS[i.venue].currency.value == currency
    ]
    size = ctx.state.config.balance_page_size or (20 if ctx.virtual else 50)
    chunk, cursor, cont = page(rows, size, ctx.p("CTX_AREA_NK200"))
    ex = ctx.state.exchange
    out1 = []
    for iid, h in chunk:
        m = kx.MARKETS[iid.venue]
        last = ex.market(iid).price
        out1.append(
            {
                "ovrs_pdno": iid.symbol,
                "ovrs_item_name": f"SANDBOX {iid.symbol}",
                "ovrs_cblc_qty": num(h.quantity),
                "ord_psbl_qty": num(h.quantity - h.reserved),
                "pchs_avg_pric": num(h.average, 4),
                "frcr_pchs_amt1": num(h.cost, 5),
                "now_pric2": num(last, 6),
                "ovrs_stck_evlu_amt": num(last * h.quantity, 5),
                "frcr_evlu_pfls_amt": num(last * h.quantity - h.cost, 5),
                "evlu_pfls_rt": "0.00",
                "ovrs_excg_cd": m.ovrs_excg_cd,
                "tr_crcy_cd": m.currency.value,
                "prdt_type_cd": m.prdt_type_cd,
            }
        )
    cost = sum((h.cost for _, h in rows), Decimal(0))
    out2 = {
        "frcr_pchs_amt1": num(cost, 5),
        "ovrs_rlzt_pfls_amt": "0",
        "ovrs_tot_pfls": "0",
        "rlzt_erng_rt": "0.00",
        "tot_evlu_pfls_amt": "0",
        "tot_pftrt": "0.00",
        "frcr_buy_amt_smtl1": num(cost, 5),
        "frcr_buy_amt_smtl2": num(cost, 5),
    }
    body = {
        **OK,
        "ctx_area_fk200": ctx.p("CTX_AREA_FK200"),
        "ctx_area_nk200": cursor,
        "output1": out1,
        "output2": out2,
    }
    return Reply(body, cont)


def ccnl_row(o: SbOrder) -> dict[str, str]:
    m = kx.MARKETS[o.instrument.venue]
    z = _zdiv(m)
    status = "완료" if o.leaves == 0 else "접수"
    return {
        "ord_dt": ymd(o.created),
        "ord_gno_brno": o.org_no,
        "odno": o.odno,
        "orgn_odno": o.orgn_odno,
        "sll_buy_dvsn_cd": "02" if o.side is OrderSide.BUY else "01",
        "sll_buy_dvsn_cd_name": "매수" if o.side is OrderSide.BUY else "매도",
        "rvse_cncl_dvsn": {Kind.NEW: "00", Kind.MODIFY: "01", Kind.CANCEL: "02"}[o.kind],
        "rvse_cncl_dvsn_name": {Kind.NEW: "", Kind.MODIFY: "정정", Kind.CANCEL: "취소"}[o.kind],
        "pdno": o.instrument.symbol,
        "prdt_name": f"SANDBOX {o.instrument.symbol}",
        "ft_ord_qty": num(o.quantity),
        "ft_ord_unpr3": num(o.limit or 0, z),
        "ft_ccld_qty": num(o.filled),
        "ft_ccld_unpr3": num(o.average, 8),
        "ft_ccld_amt3": num(o.amount, 8),
        "nccs_qty": num(o.leaves),
        "prcs_stat_name": status,
        "rjct_rson": "",
        "ord_tmd": hms(o.created),
        "tr_mket_name": m.ovrs_excg_cd,
        "tr_crcy_cd": m.currency.value,
        "ovrs_excg_cd": m.ovrs_excg_cd,
        "dmst_ord_dt": ymd(o.created),
        "cncl_cfrm_qty": num(o.canceled),
    }


@route("GET", f"{T}/inquire-ccnl", *tr_ids("overseas/inquire-ccnl"))
def inquire_ccnl(ctx: Ctx) -> Reply:
    account = ctx.account()
    if ctx.p("ODNO").strip():
        raise Reject("SBX00004", "ODNO 는 공란이어야 합니다.")
    today = ymd(ctx.state.clock.now())
    start, end = ctx.p("ORD_STRT_DT") or today, ctx.p("ORD_END_DT") or today
    venues = _venues(ctx, ctx.p("OVRS_EXCG_CD"))
    code = ctx.p("PDNO").strip().strip("%")
    side, state = ctx.p("SLL_BUY_DVSN", "00"), ctx.p("CCLD_NCCS_DVSN", "00")
    rows = [
        o
        for o in ctx.state.exchange.orders.values()
        if o.account == account
        and o.instrument.venue in venues
        and start <= ymd(o.created) <= end
        and (not code or o.instrument.symbol == code)
        and (side == "00" or (side == "02") == (o.side is OrderSide.BUY))
        and (state == "00" or (state == "01" and o.filled > 0) or (state == "02" and o.leaves > 0))
    ]
    if ctx.p("SORT_SQN", "DS") == "DS":
        rows.reverse()
    size = ctx.state.config.ccld_page_size or (15 if ctx.virtual else 100)
    chunk, cursor, cont = page(rows, size, ctx.p("CTX_AREA_NK200"))
    body = {
        **OK,
        "ctx_area_fk200": ctx.p("CTX_AREA_FK200"),
        "ctx_area_nk200": cursor,
        "output": [ccnl_row(o) for o in chunk],
    }
    return Reply(body, cont)


def _ranking(ctx: Ctx, key: Any) -> Reply:
    market = _market(ctx, "EXCD")
    z = _zdiv(market)
    ex = ctx.state.exchange
    items = [i for i in ctx.state.prices.instruments if i.venue is market.venue]
    scored = sorted(
        ((key(ex.market(i), today_volume(ctx, i, ex.market(i))), i) for i in items),
        key=lambda t: (t[0], str(t[1])),
    )
    rows = []
    for rank, (_, iid) in enumerate(scored, 1):
        st = ex.market(iid)
        rows.append(
            {
                "rsym": f"D{market.excd}{iid.symbol}",
                "excd": market.excd,
                "symb": iid.symbol,
                "name": f"SANDBOX {iid.symbol}",
                "ename": iid.symbol,
                "last": num(st.price, z),
                **_change(st, z),
                "tvol": num(today_volume(ctx, iid, st)),
                "tamt": num(st.acml_amount, 2),
                "pask": num(st.price, z),
                "pbid": num(st.price, z),
                "rank": str(rank),
                "e_ordyn": "○",
                "n_base": num(st.prev_close, z),
                "n_diff": num(st.price - st.prev_close, z),
                "n_rate": _change(st, z)["rate"],
            }
        )
    out1 = {
        "zdiv": str(z),
        "stat": "",
        "crec": str(len(rows)),
        "trec": str(len(rows)),
        "nrec": str(len(rows)),
    }
    return Reply({**OK, "output1": out1, "output2": rows}, "D")


@route("GET", f"{R}/updown-rate", *tr_ids("overseas/updown-rate"))
def updown_rate(ctx: Ctx) -> Reply:
    rising = ctx.p("GUBN", "1") != "0"

    def key(st: MarketState, _vol: Decimal) -> Decimal:
        rate = (st.price - st.prev_close) / st.prev_close if st.prev_close else Decimal(0)
        return -rate if rising else rate

    return _ranking(ctx, key)


@route("GET", f"{R}/trade-vol", *tr_ids("overseas/trade-vol"))
def trade_vol(ctx: Ctx) -> Reply:
    return _ranking(ctx, lambda _st, vol: -vol)


ROUTES: list[Route] = [
    price,
    dailyprice,
    order,
    order_rvsecncl,
    inquire_balance,
    inquire_ccnl,
    updown_rate,
    trade_vol,
]
