"""Operator API and dashboard load times over a 10,000-trade store.

Builds a SQLite store with the repositories (one run; 10,000 closed trades across KR/US/JP,
10,000 equity snapshots, 10,000 decisions with context, 20,000 events), then times each read
route and dashboard page in-process through FastAPI's TestClient (ASGI, no network): p50 and
p95 of 20 requests after one warm-up. Run: ``bash bench/run.sh bench/bench_api.py``.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from fastapi.testclient import TestClient

from ouroboros.domain.currency import Currency
from ouroboros.domain.ids import InstrumentId
from ouroboros.domain.money import Money, Price, Quantity
from ouroboros.domain.orders import OrderSide
from ouroboros.interfaces.api import ApiSecurity, create_app
from ouroboros.store import (
    DecisionRecord,
    EventRecord,
    RunMode,
    RunRecord,
    RunStatus,
    SnapshotRecord,
    TradeRecord,
    make_engine,
    upgrade,
)
from ouroboros.store.repositories import (
    DecisionLog,
    EventStore,
    RunRepository,
    SnapshotRepository,
    TradeRepository,
)
from ouroboros.store.session import transaction

N = 10_000
START = datetime(2020, 1, 2, tzinfo=UTC)
SYMBOLS = (
    ("005930.KRX", Currency.KRW, "KR"),
    ("AAPL.NASDAQ", Currency.USD, "US_NASDAQ"),
    ("7203.TSE", Currency.JPY, "JP"),
)
ROUTES = (
    "/health",
    "/api/status",
    "/api/portfolio",
    "/api/trades?limit=100",
    "/api/trades?limit=100&offset=9900",
    "/api/trades?limit=1000&since=2021-01-01T00:00:00Z",
    "/api/decisions?limit=100",
    "/api/events?limit=100&offset=19000",
    "/api/equity?limit=1000",
    "/metrics",
    "/",
    "/trades?offset=9900",
    "/decisions",
    "/runs",
    "/safety",
)


def build(url: str) -> None:
    engine = make_engine(url)
    upgrade(engine)
    run = RunRecord("bench-run", RunMode.BACKTEST, "bench", START)
    RunRepository(engine).start(run)
    with transaction(engine) as conn:
        trades, snaps, decisions, events = (
            TradeRepository(conn),
            SnapshotRepository(conn),
            DecisionLog(conn),
            EventStore(conn),
        )
        equity = Decimal(100_000)
        batch: list[EventRecord] = []
        for i in range(N):
            code, currency, market = SYMBOLS[i % 3]
            at = START + timedelta(hours=6 * i)
            pnl = Decimal((i * 37) % 201 - 98)
            trades.add(
                TradeRecord(
                    run.run_id,
                    InstrumentId.parse(code),
                    OrderSide.BUY,
                    Quantity.of(10),
                    Price.of(100),
                    Price.of(100 + pnl / 10),
                    at - timedelta(hours=3),
                    at,
                    Money(pnl, currency),
                    Money(Decimal(1), currency),
                )
            )
            equity += pnl
            snaps.add(SnapshotRecord(run.run_id, at, Currency.USD, {Currency.USD: equity}, equity))
            decisions.log(
                DecisionRecord(
                    f"d{i:06d}",
                    at,
                    market,
                    code,
                    "BUY",
                    0.6,
                    "trend-pullback matched",
                    {"close": "100", "rsi_14": 41.0},
                    {"bars": 60},
                    run_id=run.run_id,
                )
            )
            batch += [
                EventRecord("order.created", {"i": i}, at, run_id=run.run_id),
                EventRecord("order.filled", {"i": i}, at, run_id=run.run_id),
            ]
        events.append(batch)
    RunRepository(engine).finish(run.run_id, RunStatus.COMPLETED, START + timedelta(hours=6 * N))
    engine.dispose()


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        t0 = time.perf_counter()
        build(url)
        print(f"built a {N:,}-trade store in {time.perf_counter() - t0:.1f} s")
        engine = make_engine(url)
        app = create_app(engine, security=ApiSecurity("bench"), now=lambda: START)
        with TestClient(app) as client:
            print(f"{'route':52} {'p50 ms':>8} {'p95 ms':>8} {'bytes':>9}")
            for route in ROUTES:
                client.get(route)
                times = []
                size = 0
                for _ in range(20):
                    t = time.perf_counter()
                    response = client.get(route)
                    times.append((time.perf_counter() - t) * 1000)
                    if response.status_code != 200:
                        print(f"{route}: HTTP {response.status_code}", file=sys.stderr)
                        return 1
                    size = len(response.content)
                times.sort()
                p95 = times[int(len(times) * 0.95) - 1]
                print(f"{route:52} {statistics.median(times):8.1f} {p95:8.1f} {size:9,}")
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
