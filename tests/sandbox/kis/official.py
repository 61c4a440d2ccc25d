"""One call to every REST endpoint the sandbox serves, with the account set up so each list has
rows (a domestic and a US holding, a filled and a resting order in each market).

Used by the field-set test and by ``python -m tests.sandbox.kis.official`` (prints coverage).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

from ouroboros import kisspec
from ouroboros.sandbox.kis import KisSandbox, SandboxConfig

ACCOUNT = {"CANO": "50000001", "ACNT_PRDT_CD": "01"}
DQ = "/uapi/domestic-stock/v1/quotations"
DT = "/uapi/domestic-stock/v1/trading"
OQ = "/uapi/overseas-price/v1/quotations"
OT = "/uapi/overseas-stock/v1/trading"
OR = "/uapi/overseas-stock/v1/ranking"

KR = {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "005930"}
US = {"AUTH": "", "EXCD": "NAS", "SYMB": "AAPL"}

# endpoint name (kisspec) -> (method, path, query or body); the tr_id comes from kisspec
CALLS: dict[str, tuple[str, str, dict[str, str]]] = {
    "domestic/inquire-price": ("GET", f"{DQ}/inquire-price", KR),
    "domestic/inquire-asking-price-exp-ccn": (
        "GET",
        f"{DQ}/inquire-asking-price-exp-ccn",
        KR,
    ),
    "domestic/inquire-daily-price": (
        "GET",
        f"{DQ}/inquire-daily-price",
        {**KR, "FID_PERIOD_DIV_CODE": "D", "FID_ORG_ADJ_PRC": "1"},
    ),
    "domestic/inquire-daily-itemchartprice": (
        "GET",
        f"{DQ}/inquire-daily-itemchartprice",
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
        {**KR, "FID_ETC_CLS_CODE": "", "FID_INPUT_HOUR_1": "153000", "FID_PW_DATA_INCU_YN": "Y"},
    ),
    "domestic/volume-rank": (
        "GET",
        f"{DQ}/volume-rank",
        {"FID_COND_MRKT_DIV_CODE": "J", "FID_COND_SCR_DIV_CODE": "20171", "FID_INPUT_ISCD": "0000"},
    ),
    "domestic/fluctuation": (
        "GET",
        "/uapi/domestic-stock/v1/ranking/fluctuation",
        {"fid_cond_mrkt_div_code": "J", "fid_cond_scr_div_code": "20170", "fid_input_iscd": "0000"},
    ),
    "domestic/search-info": (
        "GET",
        f"{DQ}/search-info",
        {"PDNO": "005930", "PRDT_TYPE_CD": "300"},
    ),
    "domestic/inquire-balance": (
        "GET",
        f"{DT}/inquire-balance",
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
        {**ACCOUNT, "PDNO": "005930", "ORD_UNPR": "70000", "ORD_DVSN": "00"},
    ),
    "domestic/inquire-daily-ccld": (
        "GET",
        f"{DT}/inquire-daily-ccld",
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
        {**ACCOUNT, "INQR_DVSN_1": "0", "INQR_DVSN_2": "0"},
    ),
    "overseas/price": ("GET", f"{OQ}/price", US),
    "overseas/dailyprice": (
        "GET",
        f"{OQ}/dailyprice",
        {**US, "GUBN": "0", "BYMD": "", "MODP": "0"},
    ),
    "overseas/price-detail": ("GET", f"{OQ}/price-detail", US),
    "overseas/inquire-asking-price": ("GET", f"{OQ}/inquire-asking-price", US),
    "overseas/inquire-time-itemchartprice": (
        "GET",
        f"{OQ}/inquire-time-itemchartprice",
        {**US, "NMIN": "1", "PINC": "1", "NEXT": "", "NREC": "120", "FILL": "", "KEYB": ""},
    ),
    "overseas/inquire-balance": (
        "GET",
        f"{OT}/inquire-balance",
        {**ACCOUNT, "OVRS_EXCG_CD": "NASD", "TR_CRCY_CD": "USD"},
    ),
    "overseas/inquire-ccnl": (
        "GET",
        f"{OT}/inquire-ccnl",
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
        {**ACCOUNT, "WCRC_FRCR_DVSN_CD": "02", "NATN_CD": "000", "TR_MKET_CD": "00"},
    ),
    "overseas/inquire-psamount": (
        "GET",
        f"{OT}/inquire-psamount",
        {**ACCOUNT, "OVRS_EXCG_CD": "NASD", "OVRS_ORD_UNPR": "200", "ITEM_CD": "AAPL"},
    ),
    "overseas/inquire-nccs": (
        "GET",
        f"{OT}/inquire-nccs",
        {**ACCOUNT, "OVRS_EXCG_CD": "NASD", "SORT_SQN": "DS"},
    ),
    "overseas/updown-rate": (
        "GET",
        f"{OR}/updown-rate",
        {"EXCD": "NAS", "NDAY": "0", "GUBN": "1", "VOL_RANG": "0", "AUTH": "", "KEYB": ""},
    ),
    "overseas/trade-vol": (
        "GET",
        f"{OR}/trade-vol",
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
    v = "V" if sb.config.virtual else "T"
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
            f"{DT}/order-cash", json=body, headers={**h, "tr_id": f"{v}TTC0012U"}
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
        out[name] = http.post(
            f"{OT}/order", json=body, headers={**h, "tr_id": f"{v}TTT1002U"}
        ).json()
    return out


def tr_id(name: str, virtual: bool) -> str | None:
    ep = kisspec.endpoint(name)
    ids = ep.tr_id_virtual if virtual else ep.tr_id_real
    return ids[0] if ids else None


def call(http: httpx.Client, h: dict[str, str], name: str, tr: str) -> httpx.Response:
    method, path, args = CALLS[name]
    tr_id = tr
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


# Thursday 2026-07-09: 14:00 KST (KRX open) and 11:00 New York (US open)
KRX_OPEN = datetime(2026, 7, 9, 5, 0, tzinfo=UTC)
US_OPEN = datetime(2026, 7, 9, 15, 0, tzinfo=UTC)


def responses(virtual: bool, start: datetime | None = None) -> dict[str, dict[str, Any]]:
    """endpoint name -> the JSON body of one successful call, against a fresh sandbox."""
    out: dict[str, dict[str, Any]] = {}
    with (
        KisSandbox(SandboxConfig(virtual=virtual, rate_limit=0, start=start)) as sb,
        httpx.Client(base_url=sb.base_url) as http,
    ):
        h = headers(sb, http)
        orders = prepare(sb, http, h)
        out["domestic/order-cash"] = orders["kr_fill"]
        out["overseas/order"] = orders["us_fill"]
        for name in CALLS:
            tr = tr_id(name, virtual)
            if tr is not None:
                response = call(http, h, name, tr)
                out[name] = response.json() if response.status_code == 200 else {}
        out |= cancels(sb, http, h, orders)
        sb.advance_clock(61)  # the one-token-a-minute rule
        app = sb.app_credentials
        body = {"grant_type": "client_credentials", "appkey": app.app_key}
        body["appsecret"] = app.app_secret
        out["auth/tokenP"] = http.post("/oauth2/tokenP", json=body).json()
    return out


def cancels(
    sb: KisSandbox, http: httpx.Client, h: dict[str, str], orders: dict[str, Any]
) -> dict[str, dict[str, Any]]:
    """Cancel the two resting orders; the answers of both order-rvsecncl endpoints."""
    v = "V" if sb.config.virtual else "T"
    kr = orders["kr_rest"]["output"]
    body = {**ACCOUNT, "KRX_FWDG_ORD_ORGNO": kr["KRX_FWDG_ORD_ORGNO"], "ORGN_ODNO": kr["ODNO"]}
    body |= {"ORD_DVSN": "00", "RVSE_CNCL_DVSN_CD": "02", "ORD_QTY": "0", "ORD_UNPR": "0"}
    body |= {"QTY_ALL_ORD_YN": "Y", "EXCG_ID_DVSN_CD": "KRX"}
    domestic = http.post(f"{DT}/order-rvsecncl", json=body, headers={**h, "tr_id": f"{v}TTC0013U"})
    us = orders["us_rest"]["output"]
    body = {**ACCOUNT, "OVRS_EXCG_CD": "NASD", "PDNO": "AAPL", "ORGN_ODNO": us["ODNO"]}
    body |= {"RVSE_CNCL_DVSN_CD": "02", "ORD_QTY": "2", "OVRS_ORD_UNPR": "0"}
    body |= {"MGCO_APTM_ODNO": "", "ORD_SVR_DVSN_CD": "0"}
    overseas = http.post(f"{OT}/order-rvsecncl", json=body, headers={**h, "tr_id": f"{v}TTT1004U"})
    return {"domestic/order-rvsecncl": domestic.json(), "overseas/order-rvsecncl": overseas.json()}


def coverage(virtual: bool) -> dict[str, tuple[int, int]]:
    """endpoint -> (official fields present, official fields), each market during its session."""
    result: dict[str, tuple[int, int]] = {}
    kr, us = responses(virtual, KRX_OPEN), responses(virtual, US_OPEN)
    bodies = {k: (kr if k.startswith("domestic") else us)[k] for k in kr}
    for ep in kisspec.endpoints():
        if ep.name not in bodies:
            continue
        n = have = 0
        for o in ep.outputs:
            keys = {k.lower() for k in present(bodies[ep.name], o.name)}
            n += len(o.fields)
            have += sum(1 for f in o.fields if f.lower() in keys)
        result[ep.name] = (have, n)
    return result


if __name__ == "__main__":
    for name, (have, n) in coverage(virtual=False).items():
        print(f"{name:45s} {have:3d}/{n:3d}")
