"""Overseas endpoints beyond the basics: present balance (with positions), buying power,
unfilled orders, price detail, the asking-price quote and minute bars.

Field sets follow the official samples (``kisspec``); prices carry the market's ZDIV decimals
and dates/times are the exchange's local ones where KIS says so (``xymd``/``xhms``).
"""

from __future__ import annotations

from decimal import Decimal

from ouroboros.domain.currency import Currency
from ouroboros.domain.orders import OrderSide
from ouroboros.sandbox.kis import vocab as kx
from ouroboros.sandbox.kis._fmt import hms, num, ymd
from ouroboros.sandbox.kis.domestic import holdings_rows
from ouroboros.sandbox.kis.domestic_quotes import OK
from ouroboros.sandbox.kis.engine import Reject
from ouroboros.sandbox.kis.http import Ctx, Reply, Route, route
from ouroboros.sandbox.kis.market import book, day_volume, minute_bars, today, zdiv
from ouroboros.sandbox.kis.overseas import P, T, _instrument, _market, _venues, ccnl_row
from ouroboros.sandbox.kis.vocab import tr_ids

# KRW per unit, a fixed sandbox table (KIS quotes its own first-bulletin rate, frst_bltn_exrt).
EXRT: dict[Currency, Decimal] = {
    Currency.USD: Decimal("1380.00"),
    Currency.HKD: Decimal("176.50"),
    Currency.CNY: Decimal("190.20"),
    Currency.JPY: Decimal("9.2500"),
    Currency.VND: Decimal("0.0545"),
}


def _position(ctx: Ctx, account: str) -> list[dict[str, str]]:
    ex = ctx.state.exchange
    venues = {m.venue for m in kx.MARKETS.values() if not m.domestic}
    rows = []
    for iid, h in holdings_rows(ctx, account, venues):
        m = kx.MARKETS[iid.venue]
        last = ex.market(iid).price
        value = last * h.quantity
        rate = EXRT[m.currency]
        rows.append(
            {
                "prdt_name": f"SANDBOX {iid.symbol}",
                "cblc_qty13": num(h.quantity, 8),
                "thdt_buy_ccld_qty1": "0",
                "thdt_sll_ccld_qty1": "0",
                "ccld_qty_smtl1": num(h.quantity, 8),
                "ord_psbl_qty1": num(h.quantity - h.reserved, 8),
                "frcr_pchs_amt": num(h.cost, 6),
                "frcr_evlu_amt2": num(value, 6),
                "evlu_pfls_amt2": num(value - h.cost, 6),
                "evlu_pfls_rt1": num((value - h.cost) / h.cost * 100 if h.cost else 0, 2),
                "pdno": iid.symbol,
                "bass_exrt": num(rate, 8),
                "buy_crcy_cd": m.currency.value,
                "ovrs_now_pric1": num(last, 8),
                "avg_unpr3": num(h.average, 8),
                "tr_mket_name": m.ovrs_excg_cd,
                "natn_kor_name": "",
                "pchs_rmnd_wcrc_amt": num((h.cost * rate).to_integral_value()),
                "unit_amt": "1",
                "std_pdno": iid.symbol,
                "prdt_type_cd": m.prdt_type_cd,
                "ovrs_excg_cd": m.ovrs_excg_cd,
                "item_lnkg_excg_cd": m.ovrs_excg_cd,
            }
        )
    return rows


def _krw(amount: Decimal, currency: Currency) -> Decimal:
    return amount * EXRT[currency]


@route("GET", f"{T}/inquire-present-balance", *tr_ids("overseas/inquire-present-balance"))
def inquire_present_balance(ctx: Ctx) -> Reply:
    account = ctx.account()
    acct = ctx.state.exchange.accounts[account]
    out1 = _position(ctx, account)
    out2 = [
        {
            "crcy_cd": cur.value,
            "frcr_dncl_amt_2": num(cash, cur.minor_units),
            "frcr_drwg_psbl_amt_1": num(acct.available(cur), cur.minor_units),
            "frst_bltn_exrt": num(EXRT[cur], 8),
            "frcr_buy_amt_smtl": "0",
            "frcr_sll_amt_smtl": "0",
            "frcr_evlu_amt2": num(cash, cur.minor_units),
            "nxdy_frcr_drwg_psbl_amt": num(acct.available(cur), cur.minor_units),
        }
        for cur, cash in sorted(acct.cash.items(), key=lambda x: x[0].value)
        if cur in EXRT
    ]
    cost = sum((Decimal(r["pchs_rmnd_wcrc_amt"]) for r in out1), Decimal(0))
    value = sum(
        (_krw(Decimal(r["frcr_evlu_amt2"]), Currency(r["buy_crcy_cd"])) for r in out1), Decimal(0)
    )
    cash_krw = sum((_krw(c, cur) for cur, c in acct.cash.items() if cur in EXRT), Decimal(0))
    out3 = {
        "pchs_amt_smtl_amt": num(cost.to_integral_value()),
        "evlu_amt_smtl_amt": num(value.to_integral_value()),
        "tot_evlu_pfls_amt": num((value - cost).to_integral_value()),
        "tot_asst_amt": num((value + cash_krw).to_integral_value()),
        "tot_dncl_amt": num(cash_krw.to_integral_value()),
        "frcr_evlu_tota": num(value.to_integral_value()),
        "evlu_erng_rt1": num((value - cost) / cost * 100 if cost else 0, 2),
        "wdrw_psbl_tot_amt": num(cash_krw.to_integral_value()),
    }
    return Reply({**OK, "output1": out1, "output2": out2, "output3": out3})


@route("GET", f"{T}/inquire-psamount", *tr_ids("overseas/inquire-psamount"))
def inquire_psamount(ctx: Ctx) -> Reply:
    account = ctx.account()
    market = _market(ctx, "OVRS_EXCG_CD")
    iid = _instrument(ctx, market, "ITEM_CD")
    try:
        price = Decimal(ctx.p("OVRS_ORD_UNPR") or "0")
    except ArithmeticError:
        raise Reject("SBX00004", "OVRS_ORD_UNPR 가 올바르지 않습니다.") from None
    price = price if price > 0 else ctx.state.exchange.market(iid).price
    cash = ctx.state.exchange.accounts[account].available(market.currency)
    qty = (cash / price).to_integral_value(rounding="ROUND_FLOOR") if price > 0 else Decimal(0)
    out = {
        "tr_crcy_cd": market.currency.value,
        "ord_psbl_frcr_amt": num(cash, 2),
        "sll_ruse_psbl_amt": "0",
        "ovrs_ord_psbl_amt": num(cash, 2),
        "max_ord_psbl_qty": num(qty),
        "echm_af_ord_psbl_amt": "0",
        "echm_af_ord_psbl_qty": "0",
        "ord_psbl_qty": num(qty),
        "exrt": num(EXRT[market.currency], 8),
        "frcr_ord_psbl_amt1": num(cash, 2),
        "ovrs_max_ord_psbl_qty": num(qty),
    }
    return Reply({**OK, "output": out})


@route("GET", f"{T}/inquire-nccs", *tr_ids("overseas/inquire-nccs"))
def inquire_nccs(ctx: Ctx) -> Reply:
    account = ctx.account()
    venues = _venues(ctx, ctx.p("OVRS_EXCG_CD"))
    rows = [
        o
        for o in ctx.state.exchange.orders.values()
        if o.account == account and o.instrument.venue in venues and o.leaves > 0
    ]
    out = []
    for o in reversed(rows) if ctx.p("SORT_SQN", "DS") == "DS" else rows:
        base = ccnl_row(o)
        m = kx.MARKETS[o.instrument.venue]
        out.append(
            {
                **{k: base[k] for k in ("ord_dt", "ord_gno_brno", "odno", "orgn_odno", "pdno")},
                "sll_buy_dvsn_cd": "02" if o.side is OrderSide.BUY else "01",
                "rvse_cncl_dvsn_cd": base["rvse_cncl_dvsn"],
                "rjct_rson": "",
                "ord_tmd": base["ord_tmd"],
                "tr_crcy_cd": m.currency.value,
                "natn_cd": m.natn_cd,
                **{k: base[k] for k in ("ft_ord_qty", "ft_ccld_qty", "nccs_qty")},
                **{k: base[k] for k in ("ft_ord_unpr3", "ft_ccld_unpr3", "ft_ccld_amt3")},
                "ovrs_excg_cd": m.ovrs_excg_cd,
            }
        )
    body = {**OK, "ctx_area_fk200": "", "ctx_area_nk200": "", "output": out}
    return Reply(body, "D")


@route("GET", f"{P}/price-detail", *tr_ids("overseas/price-detail"))
def price_detail(ctx: Ctx) -> Reply:
    market = _market(ctx, "EXCD")
    iid = _instrument(ctx, market, "SYMB")
    st = ctx.state.exchange.market(iid)
    z = zdiv(iid.venue)
    hist = ctx.state.prices.history(iid, today(ctx.state), 250)
    h52, l52 = max(b.high for b in hist), min(b.low for b in hist)
    tick = book(iid, st).asks[0] - st.price
    out = {
        "rsym": market.ws_trade_key(iid.symbol),
        "pvol": num(hist[-1].volume),
        "open": num(st.open, z),
        "high": num(st.high, z),
        "low": num(st.low, z),
        "last": num(st.price, z),
        "base": num(st.prev_close, z),
        "uplp": "0",
        "dnlp": "0",
        "h52p": num(max(h52, st.high), z),
        "h52d": ymd(ctx.state.clock.now()),
        "l52p": num(min(l52, st.low), z),
        "l52d": ymd(ctx.state.clock.now()),
        "curr": market.currency.value,
        "zdiv": str(z),
        "vnit": "1",
        "e_ordyn": "매매 가능",
        "e_hogau": num(tick, z),
        "tvol": num(day_volume(ctx.state, iid, st)),
        "tamt": num(st.acml_amount, 2),
    }
    return Reply({**OK, "output": out})


@route("GET", f"{P}/inquire-asking-price", *tr_ids("overseas/inquire-asking-price"))
def inquire_asking_price(ctx: Ctx) -> Reply:
    market = _market(ctx, "EXCD")
    iid = _instrument(ctx, market, "SYMB")
    st = ctx.state.exchange.market(iid)
    z = zdiv(iid.venue)
    b = book(iid, st)
    local = market.local(ctx.state.clock.now())
    out1 = {
        "rsym": market.ws_trade_key(iid.symbol),
        "zdiv": str(z),
        "curr": market.currency.value,
        "base": num(st.prev_close, z),
        "open": num(st.open, z),
        "high": num(st.high, z),
        "low": num(st.low, z),
        "last": num(st.price, z),
        "dymd": local.strftime("%Y%m%d"),
        "dhms": local.strftime("%H%M%S"),
        "bvol": num(sum(b.bid_sizes, Decimal(0))),
        "avol": num(sum(b.ask_sizes, Decimal(0))),
        "bdvl": "0",
        "advl": "0",
        "code": iid.symbol,
    }
    out2 = {
        "pbid1": num(b.bids[0], z),
        "pask1": num(b.asks[0], z),
        "vbid1": num(b.bid_sizes[0]),
        "vask1": num(b.ask_sizes[0]),
        "dbid1": "0",
        "dask1": "0",
    }
    return Reply({**OK, "output1": out1, "output2": out2, "output3": {}})


@route(
    "GET",
    f"{P}/inquire-time-itemchartprice",
    *tr_ids("overseas/inquire-time-itemchartprice"),
)
def inquire_time_itemchartprice(ctx: Ctx) -> Reply:
    market = _market(ctx, "EXCD")
    iid = _instrument(ctx, market, "SYMB")
    st = ctx.state.exchange.market(iid)
    z = zdiv(iid.venue)
    limit = min(int(ctx.p("NREC") or "120"), 120)
    bars = minute_bars(ctx.state, iid, st)[::-1][:limit]  # newest first
    rows = [
        {
            "tymd": b.at.strftime("%Y%m%d"),
            "xymd": b.at.strftime("%Y%m%d"),
            "xhms": b.at.strftime("%H%M%S"),
            "kymd": ymd(b.at),
            "khms": hms(b.at),
            "open": num(b.open, z),
            "high": num(b.high, z),
            "low": num(b.low, z),
            "last": num(b.close, z),
            "evol": num(b.volume),
            "eamt": num((b.volume * b.close).to_integral_value()),
        }
        for b in bars
    ]
    out1 = {
        "rsym": market.ws_trade_key(iid.symbol),
        "zdiv": str(z),
        "nrec": str(len(rows)),
        "next": "0",
        "more": "0",
    }
    return Reply({**OK, "output1": out1, "output2": rows}, "D")


ROUTES: list[Route] = [
    inquire_present_balance,
    inquire_psamount,
    inquire_nccs,
    price_detail,
    inquire_asking_price,
    inquire_time_itemchartprice,
]
