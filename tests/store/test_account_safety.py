"""Safety state belongs to the account: broker sessions through the paper broker, recorded in a
real SQLite file and in PostgreSQL, share the account's circuit breaker and kill switch.

The wall clock is injected (and the venue's waits advance it instead of sleeping), so the
breaker's cooldown is measured on it while the decisions replay sixty past sessions.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.engine import Engine as SqlEngine

from ouroboros.domain import Currency, Instrument, Money, Portfolio
from ouroboros.domain.fx import StaticFxRates
from ouroboros.engine.backtest import RunConfig, daily_feed
from ouroboros.engine.backtest import run as run_engine
from ouroboros.engine.broker_books import SESSION_EVENT
from ouroboros.engine.broker_session import BrokerSessionSpec, run_broker_session
from ouroboros.engine.loop import MarketFeed
from ouroboros.engine.recording import StoreSink, start_run
from ouroboros.engine.safety import REPLAY_THROUGH_BROKER, open_gate
from ouroboros.engine.sizing import Sizing
from ouroboros.execution.broker_venue import BrokerVenueConfig
from ouroboros.execution.fees import DEFAULT_FEES
from ouroboros.execution.order_manager import MutableSink
from ouroboros.execution.paper import PaperBroker, PaperVenue
from ouroboros.execution.simulator import FillModel, FillSimulator
from ouroboros.risk import BreakerConfig, CircuitBreaker, IntentSource, RiskSettings
from ouroboros.store import EventStore, RunMode, RunRepository, make_engine, new_id
from ouroboros.store.repositories.safety import SafetyStateRepository, account_scope, run_scope
from ouroboros.strategy.sma_cross import SmaCross
from tests.engine.test_engine import random_panel

ACCOUNT = "paper-test:0001"
WALL0 = datetime(2026, 12, 4, 2, 0, tzinfo=UTC)  # 11:00 in Seoul: trading day 2026-12-04
TRIP_ON_ERRORS = {"API_ERROR_THRESHOLD": "2", "BREAKER_AUTO_RESUME": "none"}


class Wall:
    """The injected wall clock; the venue's pauses move it instead of sleeping."""

    def __init__(self, start: datetime) -> None:
        self.t = start

    def now(self) -> datetime:
        return self.t

    async def pause(self, seconds: float) -> None:
        self.t += timedelta(seconds=seconds)


class Probe:
    """Broker errors the adapter absorbed: one more with every call while ``failing``."""

    def __init__(self) -> None:
        self.count = 0
        self.failing = False

    def __call__(self) -> int:
        if self.failing:
            self.count += 1
        return self.count


@dataclass
class Account:
    store: SqlEngine
    wall: Wall
    venue: PaperVenue
    feeds: list[MarketFeed]
    probe: Probe = field(default_factory=Probe)

    def session(self, settings: dict[str, str] | None = None) -> str:
        run_id = "p" + new_id()[:12]
        spec = BrokerSessionSpec(
            run_id=run_id,
            broker_key=ACCOUNT,
            mode=RunMode.PAPER,
            config_hash="safety",
            sizing=Sizing.parse("fixed:10"),
            venue=BrokerVenueConfig(stamp_with_engine_time=True, settle_wait=timedelta(seconds=1)),
            settle_at_end=timedelta(seconds=1),
            risk=RiskSettings.from_mapping(settings or {}),
        )
        with asyncio.Runner() as runner:
            broker = PaperBroker(self.venue)
            runner.run(broker.connect())
            run_broker_session(
                self.store,
                broker,
                runner,
                self.feeds,
                SmaCross(fast=2, slow=5),
                spec,
                clock=self.wall.now,
                pause=self.wall.pause,
                error_probe=self.probe,
            )
        return run_id

    def events(self, run_id: str, prefix: str) -> list[tuple[str, dict[str, Any]]]:
        stored = EventStore(self.store).read(run_id=run_id)
        return [
            (s.event.type, dict(s.event.payload)) for s in stored if s.event.type.startswith(prefix)
        ]

    def buys(self, run_id: str) -> list[dict[str, Any]]:
        return [p for k, p in self.events(run_id, "risk.") if p["side"] == "BUY"]

    def stored_breaker(self) -> CircuitBreaker:
        entry = SafetyStateRepository(self.store).breaker(account_scope(ACCOUNT))
        assert entry is not None
        return CircuitBreaker.from_dict(entry.value)


@pytest.fixture
def account(migrated_url: str) -> Iterator[Account]:
    store = make_engine(migrated_url)
    panel = random_panel(4, 60, seed=3)
    instruments = [Instrument.for_venue(s) for s in panel.symbols]
    books = Portfolio(Currency.USD)
    books.deposit(Money.of(1_000_000, "USD"))
    simulator = FillSimulator(
        {i.id: i for i in instruments},
        lambda inst: DEFAULT_FEES[inst.venue],
        FillModel(participation_rate=Decimal(1)),
        books,
        id_prefix="PAPER",
    )
    wall = Wall(WALL0)
    venue = PaperVenue(simulator, wall.now)
    for j, inst in enumerate(instruments):
        venue.trade_at(inst.id, Decimal(str(panel.close[0, j])), Decimal(10**9))
    try:
        yield Account(store, wall, venue, [daily_feed("US_NYSE", panel, instruments)])
    finally:
        store.dispose()


def codes(decision: dict[str, Any]) -> set[str]:
    return {c["code"] for c in decision["checks"]}


def test_a_trip_holds_in_the_next_session_on_the_account_even_with_looser_settings(
    account: Account,
) -> None:
    account.probe.failing = True
    first = account.session(TRIP_ON_ERRORS)
    trips = account.events(first, "breaker.BreakerTripped")
    assert [p["causes"] for _, p in trips] == [["API_ERRORS"]]
    assert account.stored_breaker().is_tripped
    sent_before = len(account.venue.orders)
    assert sent_before >= 1  # the errors came with orders the first session sent

    account.probe.failing = False
    account.wall.t += timedelta(hours=2)  # later the same trading day, default (looser) limits
    second = account.session()
    restored = account.events(second, "breaker.restored")
    assert [p["status"] for _, p in restored] == ["TRIPPED"]
    buys = account.buys(second)
    assert buys
    assert all(b["verdict"] == "DENY" and "CIRCUIT_BREAKER" in codes(b) for b in buys)
    assert len(account.venue.orders) == sent_before  # no new order reached the broker
    kept = account.stored_breaker()
    assert kept.is_tripped
    assert kept.config.max_api_errors == 2  # tightened-only: the looser 5 was not adopted
    assert kept.config.auto_resume == frozenset()


def test_a_disabled_account_sends_nothing_to_the_broker(account: Account) -> None:
    SafetyStateRepository(account.store).set_trading_enabled(
        account_scope(ACCOUNT), False, WALL0, by="test", reason="kill switch drill"
    )
    run_id = account.session()
    decisions = [p for _, p in account.events(run_id, "risk.")]
    assert decisions
    assert all(d["verdict"] == "DENY" and "TRADING_ENABLED" in codes(d) for d in decisions)
    assert account.venue.orders == {}
    session = account.events(run_id, SESSION_EVENT)
    assert [p["session"] for _, p in session] == [REPLAY_THROUGH_BROKER]

    # Switched back on, the account trades again.
    SafetyStateRepository(account.store).set_trading_enabled(
        account_scope(ACCOUNT), True, WALL0, by="test"
    )
    account.session()
    assert account.venue.orders


def test_the_breaker_cooldown_in_a_broker_session_follows_the_wall_clock(
    account: Account,
) -> None:
    errors_trip = {"API_ERROR_THRESHOLD": "2", "COOLDOWN_MINUTES": "30"}
    account.probe.failing = True
    first = account.session(errors_trip)
    assert account.events(first, "breaker.BreakerTripped")
    tripped_at = account.stored_breaker().state.tripped_at
    assert tripped_at is not None
    assert WALL0 <= tripped_at < WALL0 + timedelta(minutes=5)  # wall time, not replayed time

    # Sixty replayed sessions later, but ten wall minutes: the cooldown is not served.
    account.probe.failing = False
    account.wall.t = tripped_at + timedelta(minutes=10)
    second = account.session()
    assert not account.events(second, "breaker.BreakerCoolingDown")
    buys = account.buys(second)
    assert buys
    assert all("CIRCUIT_BREAKER" in codes(b) for b in buys if b["verdict"] == "DENY")
    assert all(b["verdict"] == "DENY" for b in buys)

    # Thirty-one wall minutes after the trip it is served and the error burst has cleared.
    account.wall.t = tripped_at + timedelta(minutes=31)
    third = account.session()
    cooled = account.events(third, "breaker.BreakerCoolingDown")
    resumed = account.events(third, "breaker.BreakerResumed")
    assert cooled
    assert resumed
    assert datetime.fromisoformat(cooled[0][1]["at"]) >= tripped_at + timedelta(minutes=31)
    assert any(b["verdict"] != "DENY" for b in account.buys(third))
    assert not account.stored_breaker().is_tripped


STRICT = {"TRADING_CONSECUTIVE_LOSS_HALT": "1", "BREAKER_AUTO_RESUME": "none"}


def _replay(store: SqlEngine, run_id: str) -> Any:
    panel = random_panel(8, 200, seed=4)
    feeds = [daily_feed("US_NYSE", panel, [Instrument.for_venue(s) for s in panel.symbols])]
    cash = Money.of(1_000_000, "USD")
    start_run(store, run_id, RunMode.REPLAY, "cfg", feeds[0].open_times[0], [cash])
    sink = StoreSink(store, run_id, every_steps=7)
    config = RunConfig(
        cash=cash, sizing=Sizing.parse("fixed:10"), run_id=run_id, safety=sink.safety()
    ).with_risk(RiskSettings.from_mapping(STRICT))
    return run_engine(feeds, SmaCross(fast=5, slow=20), config, sink=MutableSink(sink))


def test_a_replay_keeps_its_breaker_in_its_own_entry_not_in_the_cursor(
    migrated_url: str,
) -> None:
    store = make_engine(migrated_url)
    try:
        _replay(store, "r-one")
        record = RunRepository(store).get("r-one")
        assert record is not None
        assert record.cursor is not None
        assert "breaker" not in record.cursor  # one record of the breaker: its scope's entry
        entry = SafetyStateRepository(store).breaker(run_scope("r-one"))
        assert entry is not None
        assert CircuitBreaker.from_dict(entry.value).is_tripped
        assert SafetyStateRepository(store).breaker(account_scope(ACCOUNT)) is None

        # The kill switch of a run scope stops that run's orders, and only that run's.
        SafetyStateRepository(store).set_trading_enabled(
            run_scope("r-two"), False, WALL0, by="test"
        )
        assert _replay(store, "r-two").result.fills == []
    finally:
        store.dispose()


def test_a_breaker_change_after_the_last_step_is_written_by_the_final_flush(
    migrated_url: str,
) -> None:
    """Venue errors while a session settles trip the breaker after the engine's last step: the
    session's closing flush still records the trip."""
    store = make_engine(migrated_url)
    try:
        start_run(store, "k-settle", RunMode.PAPER, "cfg", WALL0, [Money.of(1, "USD")])
        sink = StoreSink(store, "k-settle", broker=ACCOUNT, scope=ACCOUNT)
        book = Portfolio(Currency.USD)
        gate = open_gate(
            RiskSettings.from_mapping({}).to_limits(),
            BreakerConfig(max_api_errors=2),
            IntentSource.TA,
            book,
            StaticFxRates(Currency.USD, {}),
            sink,
            live=False,
            safety=sink.safety(lambda: WALL0),
            now=WALL0,
        )
        gate.record_error(WALL0)
        gate.record_error(WALL0)
        sink.flush()
        assert account_breaker(store).is_tripped
    finally:
        store.dispose()


def account_breaker(store: SqlEngine) -> CircuitBreaker:
    entry = SafetyStateRepository(store).breaker(account_scope(ACCOUNT))
    assert entry is not None
    return CircuitBreaker.from_dict(entry.value)
