"""The breaker state round-trips through its JSON-able dict exactly; corrupt records stop."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from ouroboros.risk import (
    BreakerConfig,
    BreakerStateError,
    BreakerStatus,
    CircuitBreaker,
    LossBasis,
    TriggerKind,
)
from ouroboros.risk.breaker.codec import config_from_dict, config_to_dict
from tests.risk.kit import NOW, account


def tripped() -> CircuitBreaker:
    config = BreakerConfig(
        max_daily_loss_amount=Decimal("1234567.5"),
        loss_basis=LossBasis.REALIZED,
        cooldown=timedelta(minutes=45, microseconds=5),
        auto_resume=frozenset({TriggerKind.DRAWDOWN}),
    )
    breaker = CircuitBreaker(config)
    breaker.update(account(equity=100_000_000, peak=120_000_000), NOW)
    breaker.record_error(NOW)
    breaker.record_trade(Decimal(-3), NOW)
    assert breaker.status is BreakerStatus.TRIPPED
    return breaker


def test_a_tripped_breaker_round_trips_through_json_and_stays_tripped() -> None:
    breaker = tripped()
    data = json.loads(json.dumps(breaker.to_dict()))
    restored = CircuitBreaker.from_dict(data)
    assert restored.state == breaker.state
    assert restored.to_dict() == breaker.to_dict()
    assert restored.is_tripped
    assert restored.state.causes == {TriggerKind.DRAWDOWN}
    # A restart on the next day resets daily counters but not the trip: the drawdown
    # (16.7 % below the 120,000,000 peak) still blocks new risk after the cooldown.
    restored.update(account(equity=100_000_000), NOW + timedelta(days=1))
    assert restored.status is BreakerStatus.COOLING_DOWN
    assert restored.is_tripped


def test_the_default_state_round_trips() -> None:
    breaker = CircuitBreaker()
    assert CircuitBreaker.from_dict(breaker.to_dict()).state == breaker.state


def test_the_dict_names_every_part_of_the_state() -> None:
    data = tripped().to_dict()
    assert data["status"] == "TRIPPED"
    assert data["causes"] == ["DRAWDOWN"]
    assert data["tripped_at"] == "2026-11-20T02:00:00+00:00"
    assert data["peak_equity"] == "120000000"
    assert data["consecutive_losses"] == 1
    assert data["config"]["cooldown_seconds"] == "2700.000005"
    assert data["config"]["max_daily_loss_amount"] == "1234567.5"
    assert data["config"]["day_rollover"] == "07:00:00"


def _corrupt(**changes: Any) -> dict[str, Any]:
    data = tripped().to_dict()
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_corrupt(schema=2), "invalid schema, was 2"),
        (_corrupt(status="PANIC"), "invalid status, was 'PANIC'"),
        (_corrupt(peak_equity=1.5), "invalid peak_equity, was 1.5"),
        (_corrupt(peak_equity="lots"), "invalid peak_equity, was 'lots'"),
        (_corrupt(tripped_at="2026-11-20T02:00:00"), "invalid tripped_at"),
        (_corrupt(tripped_at=None), "invalid tripped_at, was None: status is TRIPPED"),
        (_corrupt(consecutive_losses=-1), "invalid consecutive_losses, was -1"),
        (_corrupt(causes=["METEOR"]), "invalid causes, was ['METEOR']"),
        (_corrupt(extra=1), "unknown keys ['extra']"),
    ],
)
def test_a_corrupt_record_raises_naming_the_key(data: dict[str, Any], message: str) -> None:
    with pytest.raises(BreakerStateError, match=re.escape(message)):
        CircuitBreaker.from_dict(data)


def test_a_missing_key_raises() -> None:
    data = tripped().to_dict()
    del data["reason"]
    with pytest.raises(BreakerStateError, match=r"missing keys \['reason'\]"):
        CircuitBreaker.from_dict(data)


def test_an_invalid_persisted_config_raises() -> None:
    data = config_to_dict(BreakerConfig())
    data["drawdown_resume_pct"] = "20"
    with pytest.raises(BreakerStateError, match="invalid config: invalid drawdown_resume_pct"):
        config_from_dict(data)
