"""``/metrics`` parsed with prometheus-client's own text parser, over a store real runs wrote."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.engine import Engine

from ouroboros.domain.currency import Currency
from ouroboros.interfaces.api import ApiSecurity, create_app
from ouroboros.services.metrics import read_metrics
from ouroboros.store import EventRecord, RunMode, RunRecord, SnapshotRecord
from ouroboros.store.repositories import EventStore, RunRepository, SnapshotRepository
from tests.services.run_store import FakeClock

SEED_003 = {
    "trading_agent_latency_seconds",
    "trading_llm_call_duration_seconds",
    "trading_market_data_fallbacks",
    "trading_hard_constraint_violations",
    "trading_cycle_duration_seconds",
    "circuit_breaker_triggers",
    "current_drawdown",
    "consecutive_losses",
}


def scrape(store: Engine, clock: FakeClock) -> dict[str, list[tuple[str, dict[str, str], float]]]:
    app = create_app(store, security=ApiSecurity("t"), now=clock.now)
    with TestClient(app) as client:
        response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        f.name: [(s.name, s.labels, s.value) for s in f.samples]
        for f in text_string_to_metric_families(response.text)
    }


def test_seed_003_names_and_store_counts(store: Engine, clock: FakeClock) -> None:
    families = scrape(store, clock)
    assert families.keys() >= SEED_003 | {"trading_orders", "trading_fills", "trading_equity"}
    samples = {(n, tuple(sorted(lab.items()))): v for fam in families.values() for n, lab, v in fam}
    with store.connect() as conn:
        fills = conn.execute(sa.text("SELECT count(*) FROM fills")).scalar_one()
        filled = conn.execute(
            sa.text("SELECT count(*) FROM orders WHERE status = 'FILLED'")
        ).scalar_one()
    assert fills > 0
    assert samples[("trading_fills_total", ())] == fills
    assert samples[("trading_orders_total", (("status", "FILLED"),))] == filled
    assert samples[("trading_agent_latency_seconds_count", ())] == 0
    equity = [s for s in families["trading_equity"] if s[1]["account"] == "default"]
    assert equity[0][1]["currency"] == "USD"
    assert equity[0][2] > 0
    assert families["trading_heartbeat_timestamp_seconds"][0][2] > 0


def test_drawdown_and_breaker_trips_follow_the_store(store: Engine, clock: FakeClock) -> None:
    run = RunRecord("r-metrics", RunMode.PAPER, "h", clock.now() + timedelta(days=1))
    RunRepository(store).start(run)
    snaps = SnapshotRepository(store)
    for i, equity in enumerate(("100", "120", "90")):
        at = run.started_at + timedelta(minutes=i)
        snaps.add(SnapshotRecord(run.run_id, at, Currency.KRW, {}, Decimal(equity)))
    EventStore(store).append(
        [EventRecord("breaker.BreakerTripped", {"reason": "x"}, run.started_at)]
    )
    snap = read_metrics(store)
    assert snap.breaker_trips == 1
    (gauge,) = snap.accounts
    assert gauge.drawdown == Decimal("0.25")
    families = scrape(store, clock)
    assert families["current_drawdown"][0][2] == 0.25
    assert families["circuit_breaker_triggers"][0][2] == 1
