"""A trading session against a broker: reconcile, trade through the engine, reconcile again.

The composition every broker-backed mode shares (the KIS wiring lives in
``interfaces/kis_session.py``: the engine names no broker package):

1. **Start reconciliation** - our books for the account (earlier sessions in the database)
   against the broker's orders, fills, positions and cash. Adoptable differences are taken
   over (missed fills booked into the run that owned the order); anything irreconcilable
   refuses the session with a :class:`~ouroboros.execution.reconcile.ReconciliationError`,
   after the run row and every difference are on record.
2. **The session** - the engine (``backtest.run``) with a :class:`BrokerVenue`: each order row
   is flushed to the database before the broker sees it; fills come back from the broker.
   The run's capital is the account's cash; holdings the account already had are the
   *baseline* (explained by earlier runs, not traded by this one).
3. **End reconciliation** - after the venue settles, our ledger against the broker's books;
   adoptable differences are booked into this run, the rest fail it. Then ``audit verify``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.engine import Engine as SqlEngine

from ouroboros.domain.currency import Currency
from ouroboros.domain.fx import StaticFxRates
from ouroboros.domain.ids import InstrumentId
from ouroboros.domain.money import Money
from ouroboros.domain.orders import OrderStatus
from ouroboros.domain.portfolio import Portfolio
from ouroboros.engine.backtest import RunConfig, RunOutcome
from ouroboros.engine.backtest import run as run_engine
from ouroboros.engine.broker_books import SESSION_EVENT, PriorBooks, adopt_into_prior, load_prior
from ouroboros.engine.recording import StoreSink, start_run
from ouroboros.engine.runs import recorded
from ouroboros.engine.safety import REPLAY_THROUGH_BROKER
from ouroboros.engine.sizing import Sizing
from ouroboros.engine.timeline import MarketFeed, StepSummary
from ouroboros.errors import ConfigError, RetryError
from ouroboros.execution.broker_venue import BrokerVenue, BrokerVenueConfig
from ouroboros.execution.fees import FeeModel, market_fees, with_costs
from ouroboros.execution.ports import BrokerPort
from ouroboros.execution.reconcile import (
    BrokerBooks,
    OurBooks,
    Reconciliation,
    reconcile,
)
from ouroboros.execution.tracking import storable
from ouroboros.risk import RiskSettings
from ouroboros.store import AuditReport, CapitalEvent, CapitalEventKind, RunMode, verify
from ouroboros.strategy.base import DecisionPolicy


@dataclass(frozen=True)
class BrokerSessionSpec:
    run_id: str
    broker_key: str
    """Names the account in the books (``fills.broker``; at most 32 characters)."""
    mode: RunMode
    config_hash: str
    sizing: Sizing = field(default_factory=Sizing)
    venue: BrokerVenueConfig = field(
        default_factory=lambda: BrokerVenueConfig(stamp_with_engine_time=True)
    )
    settle_at_end: timedelta = timedelta(seconds=10)
    """How long to wait after the last step for orders still open to settle."""
    min_confidence: float = 0.0
    report_attempts: int = 3
    risk: RiskSettings | None = None
    """Risk limits and breaker (None: the engine's defaults)."""

    def __post_init__(self) -> None:
        if len(self.broker_key) > 32:
            raise ConfigError(f"broker key must be at most 32 characters, was {self.broker_key!r}")


@dataclass
class BrokerSessionOutcome:
    run_id: str
    start: Reconciliation
    end: Reconciliation | None = None
    outcome: RunOutcome | None = None
    audit: AuditReport | None = None
    orders_sent: int = 0
    orders_rejected: int = 0
    fills: int = 0
    venue_errors: int = 0
    escalations: int = 0
    open_at_end: list[str] = field(default_factory=list)
    elapsed_s: float = 0.0

    @property
    def ok(self) -> bool:
        return (
            self.end is not None
            and not self.end.irreconcilable
            and self.audit is not None
            and self.audit.ok
        )


class _Counter:
    """Counts notices by kind on their way to the sink (the outcome's figures)."""

    def __init__(self, sink: StoreSink) -> None:
        self.sink = sink
        self.kinds: dict[str, int] = {}

    def __call__(self, kind: str, ts: datetime, payload: dict[str, Any]) -> None:
        self.kinds[kind] = self.kinds.get(kind, 0) + 1
        self.sink.emit(kind, ts, payload)


def fetch_books(
    runner: asyncio.Runner,
    broker: BrokerPort,
    since: datetime,
    attempts: int = 3,
    fees: FeeModel = market_fees,
) -> BrokerBooks:
    """The broker's orders, fills, positions and cash (queries are retried on transient
    errors: they change nothing at the broker). Fills carry their costs as the venue books
    them (``fees`` when the broker reports none)."""

    async def books() -> BrokerBooks:
        orders = await broker.order_reports(since)
        fills = await broker.fill_reports(since)
        positions = await broker.position_reports()
        balances = await broker.balance_reports()
        caps = broker.capabilities
        costed_fills = [with_costs(storable(f), caps, fees) for f in fills]
        return BrokerBooks(orders, costed_fills, positions, balances)

    for attempt in range(1, attempts + 1):
        try:
            return runner.run(books())
        except RetryError:
            if attempt == attempts:
                raise
            runner.run(asyncio.sleep(0.5 * attempt))
    raise AssertionError("unreachable")


@dataclass
class _Start:
    """A session after its start reconciliation: the run row is open and on record."""

    prior: PriorBooks
    since: datetime
    reconciliation: Reconciliation
    baseline: dict[InstrumentId, Decimal]
    deposits: list[Money]
    started_at: datetime
    sink: StoreSink


def run_broker_session(
    store: SqlEngine,
    broker: BrokerPort,
    runner: asyncio.Runner,
    feeds: Sequence[MarketFeed],
    policy: DecisionPolicy,
    spec: BrokerSessionSpec,
    *,
    clock: Callable[[], datetime],
    pause: Callable[[float], Coroutine[Any, Any, None]] = asyncio.sleep,
    error_probe: Callable[[], int] | None = None,
    on_step: Callable[[StepSummary], None] | None = None,
    on_error: Callable[[datetime], None] | None = None,
) -> BrokerSessionOutcome:
    """Reconcile, trade ``feeds`` with ``policy`` through ``broker``, reconcile, audit."""
    started = time.perf_counter()
    wall = clock()
    begun = _start(store, broker, runner, feeds, spec, wall)
    sink = begun.sink
    result = BrokerSessionOutcome(spec.run_id, begun.reconciliation)
    with recorded(store, spec.run_id, begun.started_at, interrupt_fails=True) as finish:
        try:
            begun.reconciliation.raise_if_irreconcilable("session start")
            adopt_into_prior(store, begun.prior, begun.reconciliation.adoptions, wall)
            notices = _Counter(sink)
            venue = BrokerVenue(
                broker,
                runner,
                clock,
                config=spec.venue,
                before_submit=lambda _order: sink.flush(),
                on_error=on_error or (lambda _now: None),
                notify=notices,
                pause=pause,
                error_probe=error_probe,
                reports_since=begun.since,
            )
            config = _config(spec, begun.deposits, begun.prior.adopted_pnl)
            config = replace(config, safety=sink.safety(clock))  # the account's, wall clock
            outcome = run_engine(feeds, policy, config, sink=sink, on_step=on_step, venue=venue)
            finish.at, end = _settle_and_reconcile(broker, runner, spec, begun, venue, outcome)
            finish.ok = not end.irreconcilable
        except BaseException:
            sink.flush()
            raise
    mine = list(venue.orders())
    result.end = end
    result.outcome = outcome
    result.audit = verify(store, spec.run_id)
    result.orders_sent = sum(1 for o in mine if o.venue_order_id is not None)
    result.orders_rejected = sum(1 for o in mine if o.status is OrderStatus.REJECTED)
    result.fills = len(outcome.result.fills)
    result.venue_errors = venue.errors
    result.escalations = notices.kinds.get("venue.escalated", 0)
    result.open_at_end = [o.client_order_id.value for o in mine if o.status.is_open]
    result.elapsed_s = time.perf_counter() - started
    return result


def _start(
    store: SqlEngine,
    broker: BrokerPort,
    runner: asyncio.Runner,
    feeds: Sequence[MarketFeed],
    spec: BrokerSessionSpec,
    wall: datetime,
) -> _Start:
    """Our books for the account against the broker's, then the run row with the account's
    cash as its capital and the start reconciliation on record (refusing comes after)."""
    since = wall - timedelta(days=1)
    prior = load_prior(store, spec.broker_key)
    theirs = fetch_books(runner, broker, since, spec.report_attempts, spec.venue.fees)
    broker.drain_events()  # what the queries booked is in the reports already
    listed = {r.client_order_id for r in theirs.orders if r.client_order_id is not None}
    earlier = prior.relevant_orders(listed)
    ours = OurBooks(earlier, prior.fills_for(earlier), prior.positions, prior.cash)
    start = reconcile(ours, theirs, wall, adopt_cash=True)
    deposits = _deposits(feeds, start.broker_cash)
    started_at = min(f.open_times[f.warmup_rows] for f in feeds)
    start_run(store, spec.run_id, spec.mode, spec.config_hash, started_at, deposits)
    # The account owns the breaker and the kill switch (engine/safety.py).
    sink = StoreSink(store, spec.run_id, broker=spec.broker_key, scope=spec.broker_key)
    sink.emit(
        SESSION_EVENT,
        started_at,
        {
            "broker": spec.broker_key,
            "name": broker.capabilities.name,
            "session": REPLAY_THROUGH_BROKER,
            "wall_time": wall.isoformat(),
            "earlier_runs": prior.run_ids,
            "deposits": [str(m) for m in deposits],
        },
    )
    _record(sink, "start", start, started_at)
    sink.flush()
    baseline = {p.instrument_id: p.quantity for p in theirs.positions}
    return _Start(prior, since, start, baseline, deposits, started_at, sink)


def _config(
    spec: BrokerSessionSpec, deposits: Sequence[Money], closed_before: Sequence[Money]
) -> RunConfig:
    config = RunConfig(
        cash=deposits[0],
        extra_cash=tuple(deposits[1:]),
        sizing=spec.sizing,
        fill_model=spec.venue.fill_model,
        fx=StaticFxRates(deposits[0].currency, {}),
        run_id=spec.run_id,
        min_confidence=spec.min_confidence,
        live=spec.mode is RunMode.LIVE,
        closed_before=tuple(closed_before),
    )
    return config.with_risk(spec.risk) if spec.risk is not None else config


def _settle_and_reconcile(
    broker: BrokerPort,
    runner: asyncio.Runner,
    spec: BrokerSessionSpec,
    begun: _Start,
    venue: BrokerVenue,
    outcome: RunOutcome,
) -> tuple[datetime, Reconciliation]:
    """Let open orders settle, book what arrived late, reconcile with the broker and book
    the adoptions - all through the engine's books; returns the end time and the result."""
    engine = outcome.engine
    if engine is None:
        raise RuntimeError("the engine run returned no engine to settle with")
    last = outcome.result.equity_times[-1] if outcome.result.equity_times else begun.started_at
    engine.settle(venue.settle(spec.settle_at_end), last)
    theirs = fetch_books(runner, broker, begun.since, spec.report_attempts, spec.venue.fees)
    broker.drain_events()
    prior = begun.prior
    earlier = prior.relevant_orders(
        {r.client_order_id for r in theirs.orders if r.client_order_id is not None}
    )
    portfolio = engine.portfolio
    ours = OurBooks(
        [*earlier, *venue.orders()],
        [*prior.fills_for(earlier), *engine.books.fills],
        {i: p.quantity for i, p in portfolio.positions.items() if p.quantity},
        {c: portfolio.cash_of(c).amount for c in {d.currency for d in begun.deposits}},
    )
    end = reconcile(
        ours,
        theirs,
        last,
        adopt_cash=False,
        baseline=begun.baseline,
        fee_tolerance=spec.venue.fee_tolerance,
    )
    engine.settle(list(end.adoptions), last)
    if _adjust_fees(begun.sink, portfolio, end, last):
        engine.remark(last)
    _record(begun.sink, "end", end, last)
    begun.sink.flush()
    return last, end


def _deposits(feeds: Sequence[MarketFeed], cash: Mapping[Currency, Decimal]) -> list[Money]:
    currencies = sorted({i.currency for f in feeds for i in f.instruments}, key=lambda c: c.value)
    if len(currencies) != 1:
        raise ConfigError(
            "a broker session trades one currency for now (one market), was "
            f"{', '.join(c.value for c in currencies)}"
        )
    currency = currencies[0]
    amount = cash.get(currency)
    if amount is None or amount <= 0:
        raise ConfigError(
            f"the broker reports no {currency.value} cash for the account (was {amount}); "
            "a session needs cash to trade"
        )
    return [Money(amount, currency)]


def _adjust_fees(sink: StoreSink, portfolio: Portfolio, rec: Reconciliation, at: datetime) -> bool:
    """Book the fee adjustments the end reconciliation adopted: a capital event each (kind
    ``FEE_CHARGE`` or ``FEE_REFUND``), the same cash move in the portfolio."""
    for currency, gap in sorted(rec.fee_adjustments.items(), key=lambda item: item[0].value):
        kind = CapitalEventKind.FEE_REFUND if gap > 0 else CapitalEventKind.FEE_CHARGE
        event = CapitalEvent(
            sink.run_id,
            kind,
            Money(abs(gap), currency),
            at,
            event_id=f"{sink.run_id}-fee-adjustment-{currency.value}",
            note="broker costs against the modelled fees, adopted at reconciliation",
        )
        sink.writer.add_capital_event(event)
        portfolio.adjust_fees(Money(gap, currency))
    return bool(rec.fee_adjustments)


def _record(sink: StoreSink, when: str, rec: Reconciliation, at: datetime) -> None:
    for diff in rec.differences:
        sink.emit("reconcile.difference", at, {"at": when, **diff.as_payload()})
    sink.emit(
        f"reconcile.{when}",
        at,
        {
            "differences": len(rec.differences),
            "adopted": len(rec.adoptions),
            "irreconcilable": len(rec.irreconcilable),
            "agrees": rec.agrees,
            "broker_cash": {c.value: str(v) for c, v in rec.broker_cash.items()},
            "notes": list(rec.notes),
        },
    )


__all__ = [
    "BrokerSessionOutcome",
    "BrokerSessionSpec",
    "fetch_books",
    "run_broker_session",
]
