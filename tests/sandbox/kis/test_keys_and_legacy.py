"""Realistic credentials and the legacy US order tr_ids."""

from __future__ import annotations

import httpx

from ouroboros.sandbox.kis import KisSandbox, SandboxConfig
from tests.sandbox.kis.official import ACCOUNT, headers


def test_default_credentials_have_kis_lengths_and_follow_the_seed() -> None:
    app = SandboxConfig(seed=3).effective_apps()[0]
    assert (len(app.app_key), len(app.app_secret)) == (36, 180)
    assert app.app_key.startswith("PS")
    assert app.app_key.isalnum()
    assert SandboxConfig(seed=3).effective_apps()[0] == app
    assert SandboxConfig(seed=4).effective_apps()[0].app_key != app.app_key
    assert SandboxConfig(virtual=False, seed=3).effective_apps()[0].app_key != app.app_key
    given = SandboxConfig(app_key="K" * 36, app_secret="S" * 180).effective_apps()[0]
    assert (given.app_key, given.app_secret) == ("K" * 36, "S" * 180)


def _us_order(http: httpx.Client, h: dict[str, str], tr_id: str, sell: bool) -> dict[str, str]:
    body = {
        **ACCOUNT,
        "OVRS_EXCG_CD": "NASD",
        "PDNO": "AAPL",
        "ORD_QTY": "1",
        "OVRS_ORD_UNPR": "100.00",
        "SLL_TYPE": "00" if sell else "",
        "ORD_SVR_DVSN_CD": "0",
        "ORD_DVSN": "00",
    }
    response = http.post(
        "/uapi/overseas-stock/v1/trading/order", json=body, headers={**h, "tr_id": tr_id}
    )
    return dict(response.json())


def test_legacy_us_ids_are_accepted_by_the_real_style_server_only() -> None:
    with (
        KisSandbox(SandboxConfig(virtual=False, rate_limit=0)) as sb,
        httpx.Client(base_url=sb.base_url) as http,
    ):
        sb.seed_holding("AAPL.NASDAQ", 5, "180")
        h = headers(sb, http)
        assert _us_order(http, h, "JTTT1002U", sell=False)["rt_cd"] == "0"
        assert _us_order(http, h, "JTTT1006U", sell=True)["rt_cd"] == "0"
        sides = sorted(o.side for o in sb.orders())
        assert sides == ["BUY", "SELL"]
    with (
        KisSandbox(SandboxConfig(virtual=True, rate_limit=0)) as sb,
        httpx.Client(base_url=sb.base_url) as http,
    ):
        refused = http.post(
            "/uapi/overseas-stock/v1/trading/order",
            json={},
            headers={**headers(sb, http), "tr_id": "JTTT1002U"},
        )
        assert refused.status_code == 500
        assert "모의투자 TR" in refused.json()["msg1"]


def test_quoting_does_not_move_the_seeded_market() -> None:
    """The same seed gives the same walk whether or not REST quotes were served in between."""
    from datetime import date

    from ouroboros.domain.ids import InstrumentId
    from ouroboros.sandbox.kis.prices import RandomWalkPrices

    iid = InstrumentId.parse("005930.KRX")
    quiet, busy = RandomWalkPrices(seed=5), RandomWalkPrices(seed=5)
    walk = [quiet.start(iid).price]
    seen = [busy.start(iid).price]
    for _ in range(20):
        busy.history(iid, date(2026, 7, 9), 250)  # what every inquire-price now does
        walk.append(quiet.next(iid, walk[-1]).price)
        seen.append(busy.next(iid, seen[-1]).price)
    assert seen == walk
    assert busy.history(iid, date(2026, 7, 9), 5) == quiet.history(iid, date(2026, 7, 9), 5)
