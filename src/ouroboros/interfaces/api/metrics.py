"""``/metrics`` in the Prometheus text format, built from the store on each scrape."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from ouroboros.services.metrics import MetricsSnapshot, read_metrics

router = APIRouter(tags=["system"])

LATENCIES = {
    "trading_agent_latency_seconds": "Time from a market event to the agent's decision",
    "trading_llm_call_duration_seconds": "Duration of one LLM call",
    "trading_cycle_duration_seconds": "Duration of one trading cycle",
}


def families(snap: MetricsSnapshot) -> Iterator[Metric]:
    for name, doc in LATENCIES.items():
        yield HistogramMetricFamily(
            name, doc + " (not recorded yet)", buckets=[("+Inf", 0)], sum_value=0
        )
    orders = CounterMetricFamily("trading_orders", "Orders stored, by status", labels=["status"])
    for status, n in sorted(snap.orders_by_status.items()):
        orders.add_metric([status], n)
    yield orders
    simple = (
        ("trading_fills", "Fills stored", snap.fills),
        ("trading_order_rejections", "Orders the venue rejected", snap.rejections),
        ("trading_venue_errors", "Venue errors and unknown outcomes", snap.venue_errors),
        ("trading_market_data_fallbacks", "Market data fallbacks", snap.market_data_fallbacks),
        (
            "trading_hard_constraint_violations",
            "Intents or orders a hard risk limit denied",
            snap.hard_constraint_violations,
        ),
    )
    for name, doc, value in simple:
        yield CounterMetricFamily(name, doc, value=value)
    yield GaugeMetricFamily(
        "circuit_breaker_triggers", "Circuit breaker trips recorded", value=snap.breaker_trips
    )
    if snap.heartbeat is not None:
        yield GaugeMetricFamily(
            "trading_heartbeat_timestamp_seconds", "Time of the newest event", value=snap.heartbeat
        )
    equity = GaugeMetricFamily(
        "trading_equity",
        "Latest equity in the account's base currency",
        labels=["account", "currency"],
    )
    drawdown = GaugeMetricFamily(
        "current_drawdown", "Fraction below the run's equity peak", labels=["account"]
    )
    losses = GaugeMetricFamily(
        "consecutive_losses", "Losing trades in a row, newest first", labels=["account"]
    )
    for acc in snap.accounts:
        equity.add_metric([acc.account, acc.base_currency], float(acc.equity))
        drawdown.add_metric([acc.account], float(acc.drawdown))
        losses.add_metric([acc.account], acc.consecutive_losses)
    yield from (equity, drawdown, losses)


class _StoreCollector(Collector):
    def __init__(self, snap: MetricsSnapshot) -> None:
        self._snap = snap

    def collect(self) -> Iterator[Metric]:
        return families(self._snap)


def render(snap: MetricsSnapshot) -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_StoreCollector(snap))
    return generate_latest(registry)


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
def metrics(request: Request) -> Response:
    return Response(render(read_metrics(request.app.state.engine)), media_type=CONTENT_TYPE_LATEST)
