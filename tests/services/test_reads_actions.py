"""The service layer over a store real ``ouroboros run`` processes wrote."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy.engine import Engine

from ouroboros.errors import ConfigError
from ouroboros.risk.breaker.config import BreakerConfig
from ouroboros.risk.breaker.machine import CircuitBreaker
from ouroboros.services import Actor, NoBreakerState, OperatorActions, PageQuery, ReadService
from ouroboros.services.jsonable import jsonable
from ouroboros.services.keys import account_of, state_keys
from ouroboros.store.repositories import EventStore, SystemStateRepository
from tests.services.run_store import FakeClock

ALICE = Actor("api", "alice")


def test_status_counts_what_the_runs_wrote(store: Engine) -> None:
    status = ReadService(store).status()
    assert status["counts"]["runs"] == 2
    assert status["counts"]["orders"] >= 1
    assert status["latest_run"]["status"] == "completed"
    # both replays start on the same simulated day; the one that ended later is the latest
    assert status["latest_run"]["ended_at"].startswith("2013-03-01")
    assert status["last_event"]["type"]
    assert [a["account"] for a in status["accounts"]] == ["default"]
    assert status["accounts"][0]["trading_enabled"] is True


def test_pages_filter_by_time_and_run(store: Engine) -> None:
    reads = ReadService(store)
    everything = reads.events(PageQuery(limit=1000))
    assert everything.total == len(everything.items) > 10
    first, second = reads.events(PageQuery(limit=5)), reads.events(PageQuery(limit=5, offset=5))
    assert {e["seq"] for e in first.items}.isdisjoint(e["seq"] for e in second.items)
    cut = datetime.fromisoformat(everything.items[-1]["ts"])
    later = reads.events(PageQuery(limit=1000, since=cut))
    earlier = reads.events(PageQuery(limit=1000, until=cut))
    assert later.total + earlier.total == everything.total
    assert all(datetime.fromisoformat(e["ts"]) >= cut for e in later.items)
    run_id = reads.runs(PageQuery()).items[-1]["run_id"]
    only = reads.events(PageQuery(limit=1000, run_id=run_id))
    assert 0 < only.total < everything.total
    assert reads.events(PageQuery(), event_type="playbook.*").total > 0


def test_naive_window_is_refused_with_its_name() -> None:
    with pytest.raises(ValueError, match="since must carry a UTC offset"):
        PageQuery(since=datetime(2013, 3, 1))
    with pytest.raises(ValueError, match="limit must be"):
        PageQuery(limit=0)


def test_playbooks_of_a_session_date_hold_their_scenarios(store: Engine) -> None:
    books = ReadService(store).playbooks(date(2013, 2, 28))
    markets = {b["payload"]["market"] for b in books}
    assert markets == {"JP", "KR", "US_NASDAQ"}
    assert any(s["scenarios"] for b in books for s in b["payload"]["stocks"])
    assert ReadService(store).playbooks(date(2001, 1, 1)) == []


def test_portfolio_has_latest_snapshot_and_money_as_strings(store: Engine) -> None:
    portfolio = ReadService(store).portfolio()
    account = portfolio["accounts"][0]
    assert account["account"] == "default"
    assert Decimal(account["equity"]) > 0
    assert isinstance(account["equity"], str)


def test_decisions_carry_their_context(store: Engine) -> None:
    page = ReadService(store).decisions(PageQuery())
    assert page.total >= 1
    assert "context_snapshot" in page.items[0]
    assert page.items[0]["rationale"]


def test_stop_and_resume_are_stored_per_account_and_audited(
    store: Engine, clock: FakeClock
) -> None:
    actions = OperatorActions(store, clock.now)
    result = actions.set_trading(
        "default", enabled=False, by=ALICE, reason="lunch", trace_id="req-1"
    )
    reads = ReadService(store)
    assert reads.safety("default")["trading_enabled"] is False
    assert reads.safety("other")["trading_enabled"] is True
    assert SystemStateRepository(store).get(state_keys("default").trading) is not None
    event = EventStore(store).read(event_type="operator.trading_disabled")[-1].event
    assert event.payload["by"] == "api:alice"
    assert event.trace_id == "req-1"
    assert event.event_id == result.event_id
    clock.t += timedelta(minutes=1)
    actions.set_trading("default", enabled=True, by=ALICE, trace_id=None)
    assert reads.safety("default")["trading_enabled"] is True
    assert "default" in reads.accounts()


def store_tripped_breaker(store: Engine, at: datetime, account: str = "default") -> None:
    """A breaker tripped by API errors, stored where the service reads it."""
    breaker = CircuitBreaker(BreakerConfig(max_api_errors=1))
    breaker.record_error(at)
    assert breaker.is_tripped
    SystemStateRepository(store).put(state_keys(account).breaker, breaker.to_dict(), at)


def test_breaker_actions_need_a_stored_breaker(store: Engine, clock: FakeClock) -> None:
    actions = OperatorActions(store, clock.now)
    with pytest.raises(NoBreakerState, match="'default'"):
        actions.reset_breaker("default", by=ALICE, trace_id=None)


def test_reset_resumes_a_tripped_breaker_and_audits_it(store: Engine, clock: FakeClock) -> None:
    store_tripped_breaker(store, clock.now())
    reads = ReadService(store)
    assert reads.safety("default")["breaker"]["status"] == "TRIPPED"
    clock.t += timedelta(minutes=1)
    OperatorActions(store, clock.now).reset_breaker("default", by=ALICE, trace_id="t-9")
    assert reads.safety("default")["breaker"]["status"] == "ARMED"
    event = EventStore(store).read(event_type="operator.breaker_reset")[-1].event
    assert (event.payload["by"], event.trace_id) == ("api:alice", "t-9")


def test_tighten_accepts_stricter_and_refuses_looser(store: Engine, clock: FakeClock) -> None:
    store_tripped_breaker(store, clock.now())
    actions = OperatorActions(store, clock.now)
    actions.tighten_breaker("default", {"max_daily_loss_pct": "2"}, by=ALICE, trace_id=None)
    config = ReadService(store).safety("default")["breaker"]["config"]
    assert config["max_daily_loss_pct"] == "2"
    with pytest.raises(ConfigError, match="max_daily_loss_pct"):
        actions.tighten_breaker("default", {"max_daily_loss_pct": "9"}, by=ALICE, trace_id=None)
    with pytest.raises(ConfigError, match="unknown breaker setting"):
        actions.tighten_breaker("default", {"nope": 1}, by=ALICE, trace_id=None)
    with pytest.raises(ConfigError, match="breaker settings"):
        actions.tighten_breaker("default", {"max_daily_loss_pct": []}, by=ALICE, trace_id=None)


def test_keys_are_account_scoped_and_refuse_bad_names() -> None:
    keys = state_keys("kr-main")
    assert keys.trading == "trading_enabled:kr-main"
    assert account_of(keys.breaker) == "kr-main"
    # The safety repository's names: a broker account key carries its environment.
    kis = state_keys("kis-virtual:50000001-01")
    assert kis.breaker == "circuit_breaker:kis-virtual:50000001-01"
    assert account_of(kis.trading) == "kis-virtual:50000001-01"
    with pytest.raises(ConfigError, match="invalid broker account key"):
        state_keys("")
    with pytest.raises(ConfigError, match="too long"):
        state_keys("x" * 60)


def test_secrets_are_masked_in_read_models() -> None:
    out = jsonable(
        {
            "api_token": "s3cret",
            "nested": {"appsecret": "x"},
            "price": Decimal("1.5"),
            "token_count": 812,
            "Password": "p",
        }
    )
    assert out == {
        "api_token": "***",
        "nested": {"appsecret": "***"},
        "price": "1.5",
        "token_count": 812,
        "Password": "***",
    }
    assert jsonable({"rsi": float("nan"), "x": [float("inf"), 1.5]}) == {
        "rsi": None,
        "x": [None, 1.5],
    }
    assert jsonable({"ts": datetime(2013, 3, 1, tzinfo=UTC)}) == {"ts": "2013-03-01T00:00:00+00:00"}
