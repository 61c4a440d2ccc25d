"""The REST client against the sandbox: tokens, pacing, retries, re-auth and pagination."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from ouroboros.brokers.kis import exchanges as kx
from ouroboros.brokers.kis.client import KisClient
from ouroboros.brokers.kis.errors import (
    KisAuthError,
    KisOrderRejected,
    KisOutcomeUnknown,
    KisTokenIssueLimited,
    KisWrongDomain,
)
from ouroboros.sandbox.kis import KisSandbox, SandboxApp, SandboxConfig
from tests.brokers.kis.conftest import FAST_RETRY, make_client

PRICE = "/uapi/domestic-stock/v1/quotations/inquire-price"
ORDER = "/uapi/domestic-stock/v1/trading/order-cash"
BALANCE = "/uapi/domestic-stock/v1/trading/inquire-balance"
CCLD = "/uapi/domestic-stock/v1/trading/inquire-daily-ccld"
SAMSUNG = {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "005930"}


def order_body(qty: int = 1, price: str = "71000") -> dict[str, str]:
    return {
        "CANO": "50000001",
        "ACNT_PRDT_CD": "01",
        "PDNO": "005930",
        "ORD_DVSN": "00",
        "ORD_QTY": str(qty),
        "ORD_UNPR": price,
        "EXCG_ID_DVSN_CD": "KRX",
    }


async def price(client: KisClient) -> str:
    response = await client.get(PRICE, kx.DOMESTIC_PRICE, SAMSUNG)
    return str(response.one()["stck_prpr"])


async def test_token_is_cached_on_disk_and_shared_by_instances(
    sandbox: KisSandbox, tmp_path: Path
) -> None:
    async with make_client(sandbox, tmp_path) as first:
        assert await price(first) == "71000"
    async with make_client(sandbox, tmp_path) as second:
        await price(second)
        assert second.tokens.issued == 0
    assert sandbox.stats()["tokens_issued"] == 1
    files = list((tmp_path / "tokens").glob("token_*.json"))
    assert len(files) == 1
    assert stat.S_IMODE(os.stat(files[0]).st_mode) == 0o600


async def test_expired_token_reauthenticates_once_respecting_the_minute_rule(
    sandbox: KisSandbox, tmp_path: Path
) -> None:
    async with make_client(sandbox, tmp_path, fake_sleep=True) as client:
        await price(client)
        before = sandbox.state.clock.now()
        sandbox.expire_tokens()
        await price(client)
        assert client.stats.reauthenticated == 1
        assert client.tokens.issued == 2
        # the second issue had to wait out the minute (the fake sleep moved the sandbox clock)
        assert (sandbox.state.clock.now() - before).total_seconds() >= 59


async def test_minute_rule_fails_clearly_when_waiting_is_not_allowed(
    sandbox: KisSandbox, tmp_path: Path
) -> None:
    async with make_client(sandbox, tmp_path, token_max_wait=0) as client:
        await price(client)
        sandbox.expire_tokens()
        with pytest.raises(KisTokenIssueLimited, match="one a minute"):
            await price(client)


async def test_server_side_egw00133_is_waited_out(sandbox: KisSandbox, tmp_path: Path) -> None:
    # two "machines" without a shared token file: the second issuance inside the minute is refused
    async with make_client(sandbox, tmp_path / "a") as first:
        await price(first)
    async with make_client(sandbox, tmp_path / "b", fake_sleep=True) as second:
        assert await price(second) == "71000"
    assert sandbox.stats()["tokens_issued"] == 1  # same token within 6 h (OTA behaviour)


async def test_rate_limited_requests_back_off_and_succeed(
    sandbox: KisSandbox, tmp_path: Path
) -> None:
    sandbox.queue_fault("rate_limit", count=3)
    async with make_client(sandbox, tmp_path) as client:
        assert await price(client) == "71000"
        assert client.stats.rate_limited == 3


async def test_rate_limited_order_is_resent_safely(sandbox: KisSandbox, tmp_path: Path) -> None:
    sandbox.queue_fault("rate_limit", count=2, path_contains="order-cash")
    async with make_client(sandbox, tmp_path) as client:
        response = await client.post_order(ORDER, "VTTC0012U", order_body())
        assert response.one()["ODNO"]
    assert len(sandbox.orders()) == 1


async def test_client_pacing_keeps_under_the_server_limit(tmp_path: Path) -> None:
    with KisSandbox(SandboxConfig(virtual=True, rate_limit=4)) as sb:
        async with make_client(sb, tmp_path, rate_limit=4) as client:
            for _ in range(6):
                await price(client)
            assert client.stats.rate_limited == 0


@pytest.mark.parametrize("fault", ["5xx", "5xx_after", "timeout_after", "malformed"])
async def test_order_with_unknown_outcome_is_never_resent(
    sandbox: KisSandbox, tmp_path: Path, fault: str
) -> None:
    sandbox.set_fault_plan(timeout_delay=1.0)
    sandbox.queue_fault(fault, path_contains="order-cash")
    async with make_client(sandbox, tmp_path, timeout=0.3) as client:
        with pytest.raises(KisOutcomeUnknown):
            await client.post_order(ORDER, "VTTC0012U", order_body())
    expected = 0 if fault == "5xx" else 1
    assert len(sandbox.orders()) == expected


@pytest.mark.parametrize("fault", ["5xx", "timeout", "malformed"])
async def test_queries_are_retried_after_transient_failures(
    sandbox: KisSandbox, tmp_path: Path, fault: str
) -> None:
    sandbox.set_fault_plan(timeout_delay=1.0)
    sandbox.queue_fault(fault, count=2, path_contains="inquire-price")
    async with make_client(sandbox, tmp_path, timeout=0.3) as client:
        assert await price(client) == "71000"
        assert client.stats.retried == 2


async def test_pagination_walks_every_balance_page(tmp_path: Path) -> None:
    universe = {f"{100000 + i:06d}.KRX": "10000" for i in range(45)}
    with KisSandbox(SandboxConfig(virtual=True, rate_limit=0, universe=universe)) as sb:
        for symbol in universe:
            sb.seed_holding(symbol, 3, "10000")
        async with make_client(sb, tmp_path) as client:
            params = {"CANO": "50000001", "ACNT_PRDT_CD": "01", "INQR_DVSN": "02"}
            pages = [p async for p in client.paginate(BALANCE, "VTTC8434R", params)]
    assert [p.tr_cont for p in pages] == ["F", "M", "D"]
    symbols = [row["pdno"] for p in pages for row in p.rows("output1")]
    assert len(symbols) == 45
    assert len(set(symbols)) == 45


async def test_pagination_walks_the_daily_order_list(sandbox: KisSandbox, tmp_path: Path) -> None:
    async with make_client(sandbox, tmp_path) as client:
        for i in range(32):
            await client.post_order(ORDER, "VTTC0012U", order_body(qty=i + 1, price="60000"))
        params = {"CANO": "50000001", "ACNT_PRDT_CD": "01", "INQR_DVSN": "01"}
        pages = [p async for p in client.paginate(CCLD, "VTTC0081R", params)]
    assert len(pages) == 3  # virtual pages hold 15 rows
    quantities = [int(r["ord_qty"]) for p in pages for r in p.rows("output1")]
    assert quantities == list(range(1, 33))


async def test_real_tr_id_on_the_virtual_server_is_a_config_error(
    sandbox: KisSandbox, tmp_path: Path
) -> None:
    async with make_client(sandbox, tmp_path) as client:
        with pytest.raises(KisWrongDomain):
            await client.post_order(ORDER, "TTTC0012U", order_body())
    assert sandbox.orders() == []


async def test_virtual_key_on_the_real_server_is_refused(tmp_path: Path) -> None:
    apps = (
        SandboxApp("PSREAL", "real-secret", virtual=False),
        SandboxApp("PSVIRT", "virt-secret", virtual=True, accounts=("50000002-01",)),
    )
    with KisSandbox(SandboxConfig(virtual=False, rate_limit=0, apps=apps)) as sb:
        client = make_client(
            sb,
            tmp_path,
            app_key="PSVIRT",
            app_secret="virt-secret",
            account_no="50000002-01",
            virtual=False,
        )
        async with client:
            with pytest.raises(KisAuthError, match="EGW02004"):
                await price(client)


async def test_hashkey_is_sent_when_configured(tmp_path: Path) -> None:
    with KisSandbox(SandboxConfig(virtual=True, rate_limit=0, require_hashkey=True)) as sb:
        async with make_client(sb, tmp_path / "a", use_hashkey=True) as client:
            await client.post_order(ORDER, "VTTC0012U", order_body())
        async with make_client(sb, tmp_path / "a") as client:
            with pytest.raises(KisOrderRejected):
                await client.post_order(ORDER, "VTTC0012U", order_body())
    assert FAST_RETRY.attempts > 1
