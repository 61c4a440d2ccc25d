"""One call to every REST endpoint the sandbox serves, with the account set up so each list has
rows (a domestic and a US holding, a filled and a resting order in each market).

Used by the field-set test and by ``python -m tests.sandbox.kis.official`` (prints coverage).
"""

from __future__ import annotations

from typing import Any

import httpx

from ouroboros.sandbox.kis import KisSandbox

ACCOUNT = {"CANO": "50000001", "ACNT_PRDT_CD": "01"}
DQ = "/uapi/domestic-stock/v1/quotations"
DT = "/uapi/domestic-stock/v1/trading"
OQ = "/uapi/overseas-price/v1/quotations"
OT = "/uapi/overseas-stock/v1/trading"
OR = "/uapi/overseas-stock/v1/ranking"

KR = {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "005930"}
US = {"AUTH": "", "EXCD": "NAS", "SYMB": "AAPL"}

# endpoint name (kisspec) -> (method, path, tr_id, query or body)
CALLS: dict[str, tuple[str, str, str, dict[str, str]]] = {
    "domestic/inquire-price": ("GET", f"{DQ}/inquire-price", "FHKST01010100", KR),
    "domestic/inquire-asking-price-exp-ccn": (
        "GET",
        f"{DQ}/inquire-asking-price-exp-ccn",
        "FHKST01010200",
        KR,
    ),
    "domestic/inquire-daily-price": (
        "GET",
        f"{DQ}/inquire-daily-price",
        "FHKST01010400",
        {**KR, "FID_PERIOD_DIV_CODE": "D", "FID_ORG_ADJ_PRC": "1"},
    ),
    "domestic/inquire-daily-itemchartprice": (
        "GET",
        f"{DQ}/inquire-daily-itemchartprice",
        "FHKST03010100",
        {
            **KR,
            "FID_INPUT_DATE_1": "20000101",
            "FID_INPUT_DATE_2": "",
            "FID_PERIOD_DIV_CODE": "D",
            "FID_ORG_ADJ_PRC": "0",
        },
    ),
    "domestic/inquire-time-itemchartprice": (
        "GET",
        f"{DQ}/inquire-time-itemchartprice",
        "FHKST03010200",
        {**KR, "FID_ETC_CLS_CODE": "", "FID_INPUT_HOUR_1": "153000", "FID_PW_DATA_INCU_YN": "Y"},
    ),
    "domestic/volume-rank": (
        "GET",
        f"{DQ}/volume-rank",
        "FHPST01710000",
        {"FID_COND_MRKT_DIV_CODE": "J", "FID_COND_SCR_DIV_CODE": "20171", "FID_INPUT_ISCD": "0000"},
    ),
    "domestic/fluctuation": (
        "GET",
        "/uapi/domestic-stock/v1/ranking/fluctuation",
        "FHPST01700000",
        {"fid_cond_mrkt_div_code": "J", "fid_cond_scr_div_code": "20170", "fid_input_iscd": "0000"},
    ),
    "domestic/search-info": (
        "GET",
        f"{DQ}/search-info",
        "CTPF1604R",
        {"PDNO": "005930", "PRDT_TYPE_CD": "300"},
    ),
    "domestic/inquire-balance": (
        "GET",
        f"{DT}/inquire-balance",
        "VTTC8434R",
        {
            **ACCOUNT,
            "AFHR_FLPR_YN": "N",
            "OFL_YN": "",
            "INQR_DVSN": "02",
            "UNPR_DVSN": "01",
            "FUND_STTL_ICLD_YN": "N",
            "FNCG_AMT_AUTO_RDPT_YN": "N",
            "PRCS_DVSN": "00",
            "CTX_AREA_FK100": "",
            "CTX_AREA_NK100": "",
        },
    ),
    "domestic/inquire-psbl-order": (
        "GET",
        f"{DT}/inquire-psbl-order",
        "VTTC8908R",
        {**ACCOUNT, "PDNO": "005930", "ORD_UNPR": "70000", "ORD_DVSN": "00"},
    ),
    "domestic/inquire-daily-ccld": (
        "GET",
        f"{DT}/inquire-daily-ccld",
        "VTTC0081R",
        {
            **ACCOUNT,
            "INQR_STRT_DT": "20000101",
            "INQR_END_DT": "20991231",
            "SLL_BUY_DVSN_CD": "00",
            "CCLD_DVSN": "00",
            "INQR_DVSN": "00",
            "INQR_DVSN_3": "00",
            "EXCG_ID_DVSN_CD": "ALL",
            "CTX_AREA_FK100": "",
            "CTX_AREA_NK100": "",
        },
    ),
    "domestic/inquire-psbl-rvsecncl": (
        "GET",
        f"{DT}/inquire-psbl-rvsecncl",
        "TTTC0084R",
        {**ACCOUNT, "INQR_DVSN_1": "0", "INQR_DVSN_2": "0"},
    ),
    "overseas/price": ("GET", f"{OQ}/price", "HHDFS00000300", US),
    "overseas/dailyprice": (
        "GET",
        f"{OQ}/dailyprice",
        "HHDFS76240000",
        {**US, "GUBN": "0", "BYMD": "", "MODP": "0"},
    ),
    "overseas/price-detail": ("GET", f"{OQ}/price-detail", "HHDFS76200200", US),
    "overseas/inquire-asking-price": ("GET", f"{OQ}/inquire-asking-price", "HHDFS76200100", US),
    "overseas/inquire-time-itemchartprice": (
        "GET",
        f"{OQ}/inquire-time-itemchartprice",
        "HHDFS76950200",
        {**US, "NMIN": "1", "PINC": "1", "NEXT": "", "NREC": "120", "FILL": "", "KEYB": ""},
    ),
    "overseas/inquire-balance": (
        "GET",
        f"{OT}/inquire-balance",
        "VTTS3012R",
        {**ACCOUNT, "OVRS_EXCG_CD": "NASD", "TR_CRCY_CD": "USD"},
    ),
    "overseas/inquire-ccnl": (
        "GET",
        f"{OT}/inquire-ccnl",
        "VTTS3035R",
        {
            **ACCOUNT,
            "PDNO": "",
            "ORD_STRT_DT": "20000101",
            "ORD_END_DT": "20991231",
            "SLL_BUY_DVSN": "00",
            "CCLD_NCCS_DVSN": "00",
            "OVRS_EXCG_CD": "",
            "SORT_SQN": "DS",
        },
    ),
    "overseas/inquire-present-balance": (
        "GET",
        f"{OT}/inquire-present-balance",
        "VTRP6504R",
        {**ACCOUNT, "WCRC_FRCR_DVSN_CD": "02", "NATN_CD": "000", "TR_MKET_CD": "00"},
    ),
    "overseas/inquire-psamount": (
        "GET",
        f"{OT}/inquire-psamount",
        "VTTS3007R",
        {**ACCOUNT, "OVRS_EXCG_CD": "NASD", "OVRS_ORD_UNPR": "200", "ITEM_CD": "AAPL"},
    ),
    "overseas/inquire-nccs": (
        "GET",
        f"{OT}/inquire-nccs",
        "VTTS3018R",
        {**ACCOUNT, "OVRS_EXCG_CD": "NASD", "SORT_SQN": "DS"},
    ),
    "overseas/updown-rate": (
        "GET",
        f"{OR}/updown-rate",
        "HHDFS76290000",
        {"EXCD": "NAS", "NDAY": "0", "GUBN": "1", "VOL_RANG": "0", "AUTH": "", "KEYB": ""},
    ),
    "overseas/trade-vol": (
        "GET",
        f"{OR}/trade-vol",
        "HHDFS76310010",
        {"EXCD": "NAS", "NDAY": "0", "VOL_RANG": "0", "AUTH": "", "KEYB": ""},
    ),
}


def headers(sb: KisSandbox, http: httpx.Client) -> dict[str, str]:
    app = sb.app_credentials
    body = {"grant_type": "client_credentials", "appkey": app.app_key, "appsecret": app.app_secret}
    token = http.post("/oauth2/tokenP", json=body).json()["access_token"]
    return {
        "authorization": f"Bearer {token}",
        "appkey": app.app_key,
        "appsecret": app.app_secret,
        "custtype": "P",
    }


def prepare(sb: KisSandbox, http: httpx.Client, h: dict[str, str]) -> dict[str, Any]:
    """A holding and a filled + a resting order in each of KRX and NASDAQ; the order answers."""
    sb.seed_holding("005930.KRX", 10, "65000")
    sb.seed_holding("AAPL.NASDAQ", 5, "180")
    out: dict[str, Any] = {}
    kr_price, us_price = sb.price("005930.KRX"), sb.price("AAPL.NASDAQ")
    for name, limit in (("kr_fill", kr_price * 2), ("kr_rest", kr_price / 2)):
        tick = 100
        body = {
            **ACCOUNT,
            "PDNO": "005930",
            "ORD_DVSN": "00",
            "ORD_QTY": "3",
            "ORD_UNPR": str(int(limit) // tick * tick),
            "EXCG_ID_DVSN_CD": "KRX",
        }
        out[name] = http.post(
            f"{DT}/order-cash", json=body, headers={**h, "tr_id": "VTTC0012U"}
        ).json()
    for name, limit in (("us_fill", us_price * 2), ("us_rest", us_price / 2)):
        body = {
            **ACCOUNT,
            "OVRS_EXCG_CD": "NASD",
            "PDNO": "AAPL",
            "ORD_QTY": "2",
            "OVRS_ORD_UNPR": f"{limit:.2f}",
            "CTAC_TLNO": "",
            "MGCO_APTM_ODNO": "",
            "SLL_TYPE": "",
            "ORD_SVR_DVSN_CD": "0",
            "ORD_DVSN": "00",
        }
        out[name] = http.post(f"{OT}/order", json=body, headers={**h, "tr_id": "VTTT1002U"}).json()
    return out


def call(http: httpx.Client, h: dict[str, str], name: str) -> httpx.Response:
    method, path, tr_id, args = CALLS[name]
    if method == "GET":
        return http.get(path, params=args, headers={**h, "tr_id": tr_id})
    return http.post(path, json=args, headers={**h, "tr_id": tr_id})


def present(body: dict[str, Any], output: str) -> set[str]:
    """Every key of one output (object, or the union over an array's rows)."""
    value = body.get(output) if output else body
    if isinstance(value, dict):
        return set(value)
    if isinstance(value, list):
        return {k for row in value if isinstance(row, dict) for k in row}
    return set()


def coverage() -> dict[str, tuple[int, int]]:
    """endpoint -> (official fields present, official fields) against a fresh sandbox."""
    from ouroboros import kisspec
    from ouroboros.sandbox.kis import SandboxConfig

    result: dict[str, tuple[int, int]] = {}
    with (
        KisSandbox(SandboxConfig(virtual=True, rate_limit=0)) as sb,
        httpx.Client(base_url=sb.base_url) as http,
    ):
        h = headers(sb, http)
        orders = prepare(sb, http, h)
        for ep in kisspec.endpoints():
            if ep.name in ("domestic/order-cash", "overseas/order"):
                body = orders["kr_fill" if ep.name.startswith("domestic") else "us_fill"]
            elif ep.name in CALLS:
                response = call(http, h, ep.name)
                body = response.json() if response.status_code == 200 else {}
            else:
                continue
            n = have = 0
            for o in ep.outputs:
                keys = {k.lower() for k in present(body, o.name)}
                n += len(o.fields)
                have += sum(1 for f in o.fields if f.lower() in keys)
            result[ep.name] = (have, n)
    return result


if __name__ == "__main__":
    for name, (have, n) in coverage().items():
        print(f"{name:45s} {have:3d}/{n:3d}")
