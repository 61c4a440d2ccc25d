"""KIS client throughput against the local sandbox: price queries and order submits per second,
with client-side rate limiting off and on (20/s, the real-server default).

Run: ``.venv/bin/python bench/bench_kis.py`` (``bash bench/run.sh`` runs every bench_*.py).
Figures are requests per second of the whole stack (client + sandbox on one machine).
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from ouroboros.brokers.kis import exchanges as kx
from ouroboros.brokers.kis.client import KisClient
from ouroboros.interfaces.kis_testing import settings_for
from ouroboros.sandbox.kis import KisSandbox, SandboxConfig

PRICE = "/uapi/domestic-stock/v1/quotations/inquire-price"
ORDER = "/uapi/domestic-stock/v1/trading/order-cash"


async def run(client: KisClient, kind: str, count: int, concurrency: int) -> float:
    gate = asyncio.Semaphore(concurrency)

    async def one(i: int) -> None:
        async with gate:
            if kind == "price":
                await client.get(
                    PRICE,
                    kx.DOMESTIC_PRICE,
                    {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "005930"},
                )
            else:
                await client.post_order(
                    ORDER,
                    client.tr(kx.DOMESTIC_BUY),
                    {
                        "CANO": "50000001",
                        "ACNT_PRDT_CD": "01",
                        "PDNO": "005930",
                        "ORD_DVSN": "00",
                        "ORD_QTY": "1",
                        "ORD_UNPR": "60000",
                        "EXCG_ID_DVSN_CD": "KRX",
                    },
                )

    await client.get(
        PRICE, kx.DOMESTIC_PRICE, {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "005930"}
    )  # token, warm-up
    started = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(count)))
    return count / (time.perf_counter() - started)


async def main() -> None:
    config = SandboxConfig(virtual=False, rate_limit=0, starting_cash={})
    from ouroboros.domain.currency import Currency

    config.starting_cash = {Currency.KRW: Decimal(10**13)}
    with KisSandbox(config) as sandbox, tempfile.TemporaryDirectory() as tmp:
        print("KIS client vs local sandbox (real-style), requests/s")
        cases = [("off", 0.0, 400, 200), ("on 20/s", 20.0, 60, 40)]
        for label, rate, n_price, n_order in cases:
            settings = settings_for(sandbox, Path(tmp), rate_limit=rate, virtual=False)
            async with KisClient(settings) as client:
                price_rate = await run(client, "price", n_price, 8)
                order_rate = await run(client, "order", n_order, 8)
            print(
                f"  rate limit {label:8s}: price queries {price_rate:8.1f}/s"
                f"   order submits {order_rate:8.1f}/s"
            )
        stats = sandbox.stats()
        print(
            f"  sandbox saw {stats['requests']} requests, {stats['orders']} orders, "
            f"{stats['rate_limited']} EGW00201"
        )


if __name__ == "__main__":
    asyncio.run(main())
