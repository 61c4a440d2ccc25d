"""Domestic quote and ranking endpoints (``/uapi/domestic-stock/v1``), reference §4.1-4.4, §4.10.

Field names are KIS's, verbatim; every number is a string."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from ouroboros.domain.ids import InstrumentId, Venue
from ouroboros.domain.instrument import Instrument
from ouroboros.sandbox.kis._fmt import hms, num
from ouroboros.sandbox.kis.engine import MarketState, Reject
from ouroboros.sandbox.kis.http import Ctx, Reply, Route, route
from ouroboros.sandbox.kis.market import LEVELS, book, day_volume
from ouroboros.sandbox.kis.prices import DailyBar
from ouroboros.sandbox.kis.vocab import KST, TrId, tr_ids

Q = "/uapi/domestic-stock/v1/quotations"
T = "/uapi/domestic-stock/v1/trading"
OK = {"rt_cd": "0", "msg_cd": "MCA00000", "msg1": "정상처리 되었습니다."}
ORDER_OK = {"rt_cd": "0", "msg_cd": "APBK0013", "msg1": "주문 전송 완료 되었습니다."}


def _pair(*ids: TrId) -> tuple[set[str], set[str]]:
    return {i.real for i in ids}, {i.virtual for i in ids}


def instrument(ctx: Ctx, key: str = "FID_INPUT_ISCD") -> InstrumentId:
    code = ctx.p(key).strip()
    if not code:
        raise Reject("SBX00004", f"{key} 가 없습니다.")
    try:
        iid = InstrumentId(code.removeprefix("Q"), Venue.KRX)
    except ValueError:
        raise Reject("APBK0656", "해당 종목정보가 없습니다.") from None
    if not ctx.state.exchange.knows(iid):
        raise Reject("APBK0656", "해당 종목정보가 없습니다.")
    return iid


def sign(change: Decimal) -> str:
    return "2" if change > 0 else "5" if change < 0 else "3"


def change_fields(state: MarketState) -> dict[str, str]:
    diff = state.price - state.prev_close
    rate = (diff / state.prev_close * 100).quantize(Decimal("0.01")) if state.prev_close else 0
    return {
        "prdy_vrss": num(diff),
        "prdy_vrss_sign": sign(diff),
        "prdy_ctrt": num(Decimal(rate), 2),
    }


def today_volume(ctx: Ctx, iid: InstrumentId, state: MarketState) -> Decimal:
    """A base volume from the seeded history plus what traded in the sandbox today."""
    return day_volume(ctx.state, iid, state)


def _today(ctx: Ctx) -> date:
    return ctx.state.clock.now().astimezone(KST).date()


def _extreme(bars: list[DailyBar], price: Decimal, high: bool) -> tuple[Decimal, str, str]:
    """(price, YYYYMMDD, % of the current price vs it) of the high/low over ``bars``."""
    bar = max(bars, key=lambda b: b.high) if high else min(bars, key=lambda b: b.low)
    level = bar.high if high else bar.low
    return level, bar.day.strftime("%Y%m%d"), num((price - level) / level * 100, 2)


def ranges(ctx: Ctx, iid: InstrumentId, st: MarketState) -> dict[str, str]:
    """250-day, 52-week and year-to-date highs and lows with their dates (from the history)."""
    days = bars(ctx, iid, 260)
    this_year = [b for b in days if b.day.year == _today(ctx).year] or days[-1:]
    out: dict[str, str] = {}
    for prefix, window in (("d250", days[-250:]), ("w52", days[-260:]), ("dryy", this_year)):
        for high, tag in ((True, "hgpr"), (False, "lwpr")):
            level, day, rate = _extreme(window, st.price, high)
            if prefix == "d250":
                out |= {f"d250_{tag}": num(level), f"d250_{tag}_date": day}
                out[f"d250_{tag}_vrss_prpr_rate"] = rate
            elif prefix == "w52":
                out |= {f"w52_{tag}": num(level), f"w52_{tag}_date": day}
                out[f"w52_{tag}_vrss_prpr_ctrt"] = rate
            else:
                out |= {f"stck_dryy_{tag}": num(level), f"dryy_{tag}_date": day}
                out[f"dryy_{tag}_vrss_prpr_rate"] = rate
    return out


@route("GET", f"{Q}/inquire-price", *tr_ids("domestic/inquire-price"))
def inquire_price(ctx: Ctx) -> Reply:
    iid = instrument(ctx)
    st = ctx.state.exchange.market(iid)
    inst = Instrument.for_venue(iid)
    upper = inst.round_price(st.prev_close * Decimal("1.3")).value
    lower = inst.round_price(st.prev_close * Decimal("0.7")).value
    out = {
        "stck_prpr": num(st.price),
        **change_fields(st),
        "acml_vol": num(today_volume(ctx, iid, st)),
        "acml_tr_pbmn": num(st.acml_amount),
        "stck_oprc": num(st.open),
        "stck_hgpr": num(st.high),
        "stck_lwpr": num(st.low),
        "stck_mxpr": num(upper),
        "stck_llam": num(lower),
        "stck_sdpr": num(st.prev_close),
        "aspr_unit": num(inst.tick_size(st.price)),
        "hts_deal_qty_unit_val": "1",
        "per": "12.34",
        "pbr": "1.20",
        "eps": "5000.00",
        "bps": "50000.00",
        "hts_avls": "4000000",
        "lstn_stcn": "5969782550",
        **ranges(ctx, iid, st),
        "hts_frgn_ehrt": "52.31",
        "frgn_ntby_qty": "0",
        "marg_rate": "20.00",
        "temp_stop_yn": "N",
        "iscd_stat_cls_code": "55",
        "vi_cls_code": "N",
        "stck_shrn_iscd": iid.symbol,
        "bstp_kor_isnm": "전기.전자",
        "rprs_mrkt_kor_name": "KOSPI",
        **STOCK_STATUS,
        "wghn_avrg_stck_prc": num((st.open + st.high + st.low + st.price) / 4, 2),
        "prdy_vrss_vol_rate": "100.00",
        "rstc_wdth_prc": num(upper - st.prev_close),
    }
    return Reply({**OK, "output": out})


# An ordinary listed common stock: no warning, halt, short-sale overheating or VI (codes as in
# PK's maps: mrkt_warn_cls_code 00 none / 01 caution / 02 warning / 03 risk).
STOCK_STATUS = {
    "mrkt_warn_cls_code": "00",
    "short_over_yn": "N",
    "invt_caful_yn": "N",
    "sltr_yn": "N",
    "mang_issu_cls_code": "N",
    "ovtm_vi_cls_code": "N",
    "ssts_yn": "Y",
    "elw_pblc_yn": "N",
    "crdt_able_yn": "Y",
    "oprc_rang_cont_yn": "N",
    "clpr_rang_cont_yn": "N",
    "grmn_rate_cls_code": "40",
    "new_hgpr_lwpr_cls_code": "",
    "stac_month": "12",
    "stck_fcam": "100",
    "fcam_cnnm": "100",
    "cpfn": "7780",
    "cpfn_cnnm": "7,780 억",
}


@route("GET", f"{Q}/inquire-asking-price-exp-ccn", *tr_ids("domestic/inquire-asking-price-exp-ccn"))
def inquire_orderbook(ctx: Ctx) -> Reply:
    iid = instrument(ctx)
    st = ctx.state.exchange.market(iid)
    b = book(iid, st)
    out1: dict[str, str] = {"aspr_acpt_hour": hms(ctx.state.clock.now())}
    for i in range(1, LEVELS + 1):
        out1[f"askp{i}"] = num(b.asks[i - 1])
        out1[f"bidp{i}"] = num(b.bids[i - 1])
        out1[f"askp_rsqn{i}"] = num(b.ask_sizes[i - 1])
        out1[f"bidp_rsqn{i}"] = num(b.bid_sizes[i - 1])
        out1[f"askp_rsqn_icdc{i}"] = "0"
        out1[f"bidp_rsqn_icdc{i}"] = "0"
    out1.update(
        total_askp_rsqn=num(sum(b.ask_sizes, Decimal(0))),
        total_bidp_rsqn=num(sum(b.bid_sizes, Decimal(0))),
        ovtm_total_askp_rsqn="0",
        ntby_aspr_rsqn="0",
        new_mkop_cls_code="20",
    )
    out2 = {
        "antc_cnpr": num(st.price),
        "antc_cntg_vrss": "0",
        "antc_cntg_vrss_sign": "3",
        "antc_cntg_prdy_ctrt": "0.00",
        "antc_vol": "0",
        "stck_prpr": num(st.price),
        "stck_oprc": num(st.open),
        "stck_hgpr": num(st.high),
        "stck_lwpr": num(st.low),
        "stck_sdpr": num(st.prev_close),
        "stck_shrn_iscd": iid.symbol,
        "vi_cls_code": "N",
    }
    return Reply({**OK, "output1": out1, "output2": out2})


def bars(ctx: Ctx, iid: InstrumentId, days: int) -> list[DailyBar]:
    """History up to yesterday plus today's live bar, oldest first."""
    today = _today(ctx)
    past = ctx.state.prices.history(iid, today - timedelta(days=1), days)
    st = ctx.state.exchange.market(iid)
    live = DailyBar(today, st.open, st.high, st.low, st.price, today_volume(ctx, iid, st))
    return [*past, live] if today.weekday() < 5 else past


def aggregate(rows: list[DailyBar], period: str) -> list[DailyBar]:
    if period == "D":
        return rows
    out: dict[tuple[int, int], list[DailyBar]] = {}
    for bar in rows:
        key = (
            (bar.day.isocalendar()[0], bar.day.isocalendar()[1])
            if period == "W"
            else ((bar.day.year, bar.day.month) if period == "M" else (bar.day.year, 0))
        )
        out.setdefault(key, []).append(bar)
    return [
        DailyBar(
            g[-1].day,
            g[0].open,
            max(b.high for b in g),
            min(b.low for b in g),
            g[-1].close,
            sum((b.volume for b in g), Decimal(0)),
        )
        for g in out.values()
    ]


@route("GET", f"{Q}/inquire-daily-price", *tr_ids("domestic/inquire-daily-price"))
def inquire_daily_price(ctx: Ctx) -> Reply:
    iid = instrument(ctx)
    period = ctx.p("FID_PERIOD_DIV_CODE", "D") or "D"
    span = {"D": 40, "W": 220, "M": 950}.get(period, 40)
    rows = aggregate(bars(ctx, iid, span), period)[-30:]
    out, prev = [], None
    for bar in rows:
        diff = bar.close - prev.close if prev else Decimal(0)
        out.append(
            {
                "stck_bsop_date": bar.day.strftime("%Y%m%d"),
                "stck_oprc": num(bar.open),
                "stck_hgpr": num(bar.high),
                "stck_lwpr": num(bar.low),
                "stck_clpr": num(bar.close),
                "acml_vol": num(bar.volume),
                "prdy_vrss": num(diff),
                "prdy_vrss_sign": sign(diff),
                "prdy_ctrt": "0.00",
                "prdy_vrss_vol_rate": "0.00",
                "hts_frgn_ehrt": "0.00",
                "frgn_ntby_qty": "0",
                "flng_cls_code": "00",
                "acml_prtt_rate": "0.00",
            }
        )
        prev = bar
    return Reply({**OK, "output": list(reversed(out))})


def _date(text: str, default: date) -> date:
    try:
        return datetime.strptime(text.strip(), "%Y%m%d").replace(tzinfo=KST).date()
    except ValueError:
        return default


@route("GET", f"{Q}/inquire-daily-itemchartprice", *tr_ids("domestic/inquire-daily-itemchartprice"))
def inquire_chart(ctx: Ctx) -> Reply:
    iid = instrument(ctx)
    today = _today(ctx)
    end = min(_date(ctx.p("FID_INPUT_DATE_2"), today), today)
    start = _date(ctx.p("FID_INPUT_DATE_1"), end - timedelta(days=365))
    period = ctx.p("FID_PERIOD_DIV_CODE", "D") or "D"
    span = max(1, (end - start).days * 5 // 7 + 5)
    rows = [
        b
        for b in aggregate(bars(ctx, iid, min(span + (today - end).days, 4000)), period)
        if start <= b.day <= end
    ][-100:]
    st = ctx.state.exchange.market(iid)
    out1 = {
        "stck_prpr": num(st.price),
        **change_fields(st),
        "stck_prdy_clpr": num(st.prev_close),
        "acml_vol": num(today_volume(ctx, iid, st)),
        "acml_tr_pbmn": num(st.acml_amount),
        "hts_kor_isnm": f"SANDBOX {iid.symbol}",
        "stck_shrn_iscd": iid.symbol,
        "stck_mxpr": num(st.prev_close * Decimal("1.3")),
        "stck_llam": "0",
        "per": "12.34",
        "eps": "5000.00",
        "pbr": "1.20",
        "hts_avls": "4000000",
        "lstn_stcn": "5969782550",
    }
    out2 = [
        {
            "stck_bsop_date": b.day.strftime("%Y%m%d"),
            "stck_clpr": num(b.close),
            "stck_oprc": num(b.open),
            "stck_hgpr": num(b.high),
            "stck_lwpr": num(b.low),
            "acml_vol": num(b.volume),
            "acml_tr_pbmn": num(b.volume * b.close),
            "flng_cls_code": "00",
            "prtt_rate": "0.00",
            "mod_yn": "N",
            "prdy_vrss_sign": "3",
            "prdy_vrss": "0",
            "revl_issu_reas": "",
        }
        for b in reversed(rows)
    ]
    return Reply({**OK, "output1": out1, "output2": out2})


def _ranking_rows(ctx: Ctx) -> list[dict[str, Any]]:
    rows = []
    for iid in ctx.state.prices.instruments:
        if iid.venue is Venue.KRX:
            st = ctx.state.exchange.market(iid)
            rows.append({"iid": iid, "st": st, "vol": today_volume(ctx, iid, st)})
    return rows


@route("GET", f"{Q}/volume-rank", *tr_ids("domestic/volume-rank"))
def volume_rank(ctx: Ctx) -> Reply:
    rows = sorted(_ranking_rows(ctx), key=lambda r: (-r["vol"], str(r["iid"])))[:30]
    out = [
        {
            "hts_kor_isnm": f"SANDBOX {r['iid'].symbol}",
            "mksc_shrn_iscd": r["iid"].symbol,
            "data_rank": str(i),
            "stck_prpr": num(r["st"].price),
            **change_fields(r["st"]),
            "acml_vol": num(r["vol"]),
            "prdy_vol": num(r["vol"]),
            "lstn_stcn": "100000000",
            "avrg_vol": num(r["vol"]),
            "vol_inrt": "0.00",
            "vol_tnrt": "0.00",
            "avrg_tr_pbmn": "0",
            "tr_pbmn_tnrt": "0.00",
            "acml_tr_pbmn": num(r["st"].acml_amount),
        }
        for i, r in enumerate(rows, 1)
    ]
    return Reply({**OK, "output": out})


@route("GET", "/uapi/domestic-stock/v1/ranking/fluctuation", *tr_ids("domestic/fluctuation"))
def fluctuation(ctx: Ctx) -> Reply:
    def rate(r: dict[str, Any]) -> Decimal:
        st: MarketState = r["st"]
        return (st.price - st.prev_close) / st.prev_close if st.prev_close else Decimal(0)

    falling = ctx.p("FID_RANK_SORT_CLS_CODE", "0000") in ("0001", "1")
    rows = sorted(
        _ranking_rows(ctx), key=lambda r: (rate(r) if falling else -rate(r), str(r["iid"]))
    )
    count = int(ctx.p("FID_INPUT_CNT_1", "0") or 0) or 30
    out = [
        {
            "stck_shrn_iscd": r["iid"].symbol,
            "data_rank": str(i),
            "hts_kor_isnm": f"SANDBOX {r['iid'].symbol}",
            "stck_prpr": num(r["st"].price),
            **change_fields(r["st"]),
            "acml_vol": num(r["vol"]),
            "stck_hgpr": num(r["st"].high),
            "stck_lwpr": num(r["st"].low),
            "oprc_vrss_prpr_rate": "0.00",
            "prd_rsfl": "0",
            "prd_rsfl_rate": "0.00",
            "cnnt_ascn_dynu": "0",
            "cnnt_down_dynu": "0",
        }
        for i, r in enumerate(rows[:count], 1)
    ]
    return Reply({**OK, "output": out})


QUOTE_ROUTES: list[Route] = [
    inquire_price,
    inquire_orderbook,
    inquire_daily_price,
    inquire_chart,
    volume_rank,
    fluctuation,
]
