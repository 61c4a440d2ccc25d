"""The sandbox speaks KIS: envelopes, gateway codes, tr_id rules, ticks and lots, sessions."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from ouroboros.sandbox.kis import KisSandbox, SandboxConfig

ORDER = "/uapi/overseas-stock/v1/trading/order"
CASH = "/uapi/domestic-stock/v1/trading/order-cash"


@pytest.fixture
def sandbox() -> Iterator[KisSandbox]:
    with KisSandbox(SandboxConfig(virtual=True, rate_limit=0)) as sb:
        yield sb


def auth(sb: KisSandbox, http: httpx.Client) -> dict[str, str]:
    app = sb.app_credentials
    body = {"grant_type": "client_credentials", "appkey": app.app_key, "appsecret": app.app_secret}
    token = http.post("/oauth2/tokenP", json=body).json()["access_token"]
    return {
        "authorization": f"Bearer {token}",
        "appkey": app.app_key,
        "appsecret": app.app_secret,
        "custtype": "P",
    }


def account(**body: str) -> dict[str, str]:
    return {"CANO": "50000001", "ACNT_PRDT_CD": "01", **body}


def test_token_minute_rule_and_403_envelope(sandbox: KisSandbox) -> None:
    with httpx.Client(base_url=sandbox.base_url) as http:
        auth(sandbox, http)
        app = sandbox.app_credentials
        again = http.post(
            "/oauth2/tokenP",
            json={
                "grant_type": "client_credentials",
                "appkey": app.app_key,
                "appsecret": app.app_secret,
            },
        )
        assert again.status_code == 403
        assert again.json()["error_code"] == "EGW00133"
        sandbox.advance_clock(61)
        assert (
            http.post(
                "/oauth2/tokenP",
                json={
                    "grant_type": "client_credentials",
                    "appkey": app.app_key,
                    "appsecret": app.app_secret,
                },
            ).status_code
            == 200
        )
        bad = http.post(
            "/oauth2/tokenP",
            json={"grant_type": "client_credentials", "appkey": "nope", "appsecret": "x"},
        )
        assert bad.json()["error_code"] == "EGW00103"


def test_domestic_tick_and_lot_and_string_numbers(sandbox: KisSandbox) -> None:
    with httpx.Client(base_url=sandbox.base_url) as http:
        h = {**auth(sandbox, http), "tr_id": "VTTC0802U"}  # legacy id still accepted
        off_tick = http.post(
            CASH,
            headers=h,
            json=account(PDNO="005930", ORD_DVSN="00", ORD_QTY="1", ORD_UNPR="71050"),
        )
        assert off_tick.status_code == 200
        assert off_tick.json()["rt_cd"] != "0"
        ok = http.post(
            CASH,
            headers=h,
            json=account(PDNO="005930", ORD_DVSN="00", ORD_QTY="1", ORD_UNPR="71000"),
        )
        out = ok.json()["output"]
        assert ok.json()["msg_cd"] == "APBK0013"
        assert set(out) == {"KRX_FWDG_ORD_ORGNO", "ODNO", "ORD_TMD"}
        assert all(isinstance(v, str) for v in out.values())
        h["tr_id"] = "VTTS0308U"  # Tokyo buy: lots of 100
        lot = http.post(
            ORDER,
            headers=h,
            json=account(
                OVRS_EXCG_CD="TKSE", PDNO="7203", ORD_QTY="50", OVRS_ORD_UNPR="2650", ORD_DVSN="00"
            ),
        )
        assert lot.json()["rt_cd"] != "0"
        unknown = http.post(
            CASH,
            headers={**h, "tr_id": "VTTC0012U"},
            json=account(PDNO="999999", ORD_DVSN="01", ORD_QTY="1", ORD_UNPR="0"),
        )
        assert unknown.json()["msg_cd"] == "APBK0656"


def test_us_virtual_sell_is_vttt1001u(sandbox: KisSandbox) -> None:
    sandbox.seed_holding("AAPL.NASDAQ", 10, "200.00")
    with httpx.Client(base_url=sandbox.base_url) as http:
        h = auth(sandbox, http)
        body = account(
            OVRS_EXCG_CD="NASD",
            PDNO="AAPL",
            ORD_QTY="1",
            OVRS_ORD_UNPR="227.50",
            SLL_TYPE="00",
            ORD_DVSN="00",
        )
        wrong = http.post(ORDER, headers={**h, "tr_id": "VTTT1006U"}, json=body)
        assert wrong.status_code == 500
        right = http.post(ORDER, headers={**h, "tr_id": "VTTT1001U"}, json=body)
        assert right.json()["rt_cd"] == "0"
        odno = right.json()["output"]["ODNO"]
        cancel = account(
            OVRS_EXCG_CD="NASD",
            PDNO="AAPL",
            ORGN_ODNO=odno,
            RVSE_CNCL_DVSN_CD="02",
            ORD_QTY="0",
            OVRS_ORD_UNPR="0",
            KRX_FWDG_ORD_ORGNO="01790",
        )
        refused = http.post(
            ORDER.replace("order", "order-rvsecncl"),
            headers={**h, "tr_id": "VTTT1004U"},
            json=cancel,
        )
        assert refused.json()["rt_cd"] != "0"  # overseas cancels must not carry the org no (PK#16)


def test_sessions_refuse_closed_markets() -> None:
    with KisSandbox(SandboxConfig(virtual=True, rate_limit=0, enforce_sessions=True)) as sb:
        from ouroboros.domain.ids import Venue
        from ouroboros.sandbox.kis.sessions import is_open

        with httpx.Client(base_url=sb.base_url) as http:
            h = {**auth(sb, http), "tr_id": "VTTC0012U"}
            reply = http.post(
                CASH,
                headers=h,
                json=account(PDNO="005930", ORD_DVSN="00", ORD_QTY="1", ORD_UNPR="71000"),
            )
            open_now = sb.call(lambda: is_open(sb.state, Venue.KRX))
            expected = "APBK0013" if open_now else "APBK0919"
            assert reply.json()["msg_cd"] == expected


def test_gateway_rate_limit_is_a_500_envelope() -> None:
    with (
        KisSandbox(SandboxConfig(virtual=True, rate_limit=1)) as sb,
        httpx.Client(base_url=sb.base_url) as http,
    ):
        h = {**auth(sb, http), "tr_id": "FHKST01010100"}
        params = {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "005930"}
        replies = [
            http.get("/uapi/domestic-stock/v1/quotations/inquire-price", headers=h, params=params)
            for _ in range(3)
        ]
        limited = [r for r in replies if r.status_code == 500]
        assert limited
        assert limited[0].json() == {
            "rt_cd": "1",
            "msg_cd": "EGW00201",
            "msg1": "초당 거래건수를 초과하였습니다.",
        }
