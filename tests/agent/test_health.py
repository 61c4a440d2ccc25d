"""Heartbeat, network monitor and live-tick validation on an injected clock."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from ouroboros.agent.events import (
    BrokerRecovered,
    BrokerUnreachable,
    HeartbeatMissed,
    HeartbeatRecovered,
    ListSink,
)
from ouroboros.agent.health import HeartbeatTracker, NetworkMonitor, Reachability, missed_beats
from ouroboros.agent.settings import load_config
from ouroboros.agent.tickcheck import TickProblem, TickRules, validate_tick

T0 = dt.datetime(2026, 11, 19, 1, 0, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)


def at(minutes: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


# -- heartbeat -----------------------------------------------------------------------------


def test_a_beat_is_missed_one_interval_after_it_was_due() -> None:
    assert missed_beats(T0, at(1), MINUTE) == 0  # the next beat is due now
    assert missed_beats(T0, at(1.99), MINUTE) == 0  # late, not yet missed
    assert missed_beats(T0, at(2), MINUTE) == 1
    assert missed_beats(T0, at(4.5), MINUTE) == 3
    assert missed_beats(None, at(100), MINUTE) == 0
    with pytest.raises(ValueError, match="invalid heartbeat interval"):
        missed_beats(T0, at(1), dt.timedelta(0))


def test_the_alert_hook_fires_once_after_three_missed_beats_and_recovery_is_reported() -> None:
    sink = ListSink()
    alerts: list[HeartbeatMissed] = []
    hb = HeartbeatTracker(MINUTE, 3, sink, on_alert=alerts.append)
    for minute in range(5):
        hb.beat(at(minute))
        assert hb.check(at(minute + 0.5)) is None
    last = at(4)
    assert hb.check(at(6.9)) is None  # two missed
    event = hb.check(at(8))  # three missed (due at 5, 6, 7)
    assert event is not None
    assert event.missed == 3
    assert event.last_beat == last
    assert hb.check(at(9)) is None  # one alert per outage
    assert alerts == [event]
    recovered = hb.beat(at(9))
    assert recovered is not None
    assert recovered.missed == 4
    assert not hb.alerting
    assert [type(e) for e in sink.events] == [HeartbeatMissed, HeartbeatRecovered]


def test_a_restart_reports_the_beats_missed_while_down() -> None:
    sink = ListSink()
    hb = HeartbeatTracker(MINUTE, 3, sink, last_beat=at(0))  # the stored last beat
    recovered = hb.beat(at(30))  # the first beat after a 30-minute outage
    assert recovered is not None
    assert recovered.missed == 29
    assert [type(e) for e in sink.events] == [HeartbeatMissed, HeartbeatRecovered]


def test_heartbeat_settings_are_validated() -> None:
    with pytest.raises(ValueError, match="alert_after"):
        HeartbeatTracker(MINUTE, 0, ListSink())


# -- network -------------------------------------------------------------------------------


def test_entries_pause_after_three_failures_and_resume_after_recovery() -> None:
    sink = ListSink()
    reconciles: list[BrokerRecovered] = []
    net = NetworkMonitor(3, sink, on_recovered=reconciles.append)
    assert net.state is Reachability.REACHABLE
    assert net.record_failure(at(0), "timeout") is None
    assert net.record_failure(at(1), "HTTP 503") is None
    assert net.state is Reachability.DEGRADED
    assert net.entries_allowed  # two failures: still trading
    down = net.record_failure(at(2), "connection reset")
    assert isinstance(down, BrokerUnreachable)
    assert not net.entries_allowed
    assert net.state is Reachability.UNREACHABLE
    assert "connection reset" in (net.pause_reason or "")
    assert net.record_failure(at(3), "timeout") is None  # one event per outage
    up = net.record_success(at(10))
    assert up is not None
    assert up.down_since == at(2)
    assert net.entries_allowed
    assert net.pause_reason is None
    assert reconciles == [up]  # the hook the driver wires to a reconciliation
    assert [type(e) for e in sink.events] == [BrokerUnreachable, BrokerRecovered]


def test_a_success_resets_the_failure_count() -> None:
    net = NetworkMonitor(3, ListSink())
    net.record_failure(at(0), "timeout")
    net.record_failure(at(1), "timeout")
    assert net.record_success(at(2)) is None
    net.record_failure(at(3), "timeout")
    net.record_failure(at(4), "timeout")
    assert net.entries_allowed


# -- live ticks ----------------------------------------------------------------------------

RULES = TickRules.from_settings(load_config(environ={}).agent)


def test_tick_rules_come_from_the_settings() -> None:
    assert RULES.max_age == dt.timedelta(minutes=15)
    assert RULES.max_daily_change_pct == Decimal(50)


@pytest.mark.parametrize(
    ("price", "age_minutes", "close", "problem"),
    [
        ("100", 1, "90", None),
        ("100", 15, None, None),  # exactly the maximum age
        ("100", 15.1, None, TickProblem.STALE),
        ("100", -1, None, TickProblem.FUTURE),  # a minute ahead of our clock
        ("0", 0, None, TickProblem.BAD_PRICE),
        ("NaN", 0, None, TickProblem.BAD_PRICE),
        ("150", 0, "100", None),  # +50 % is still allowed
        ("150.01", 0, "100", TickProblem.DAILY_CHANGE),
        ("49", 0, "100", TickProblem.DAILY_CHANGE),
        ("49", 0, None, None),  # no previous close: the change cannot be judged
    ],
)
def test_live_ticks(
    price: str, age_minutes: float, close: str | None, problem: TickProblem | None
) -> None:
    verdict = validate_tick(
        Decimal(price),
        T0 - dt.timedelta(minutes=age_minutes),
        T0,
        RULES,
        previous_close=Decimal(close) if close else None,
    )
    assert verdict.problem is problem
    assert verdict.ok is (problem is None)
