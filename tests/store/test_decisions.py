"""The decision log: context at decision time, outcome later, and the evolution queries."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy.engine import Engine

from ouroboros.domain import Currency, Money
from ouroboros.store import DecisionLog, DecisionRecord, DuplicateKey, RecordNotFound
from tests.store.factories import RUN, minutes


def _decision(decision_id: str, confidence: float, at: int = 0) -> DecisionRecord:
    return DecisionRecord(
        decision_id=decision_id,
        ts=minutes(at),
        market="US_NASDAQ",
        symbol="AAPL",
        action="BUY",
        confidence=confidence,
        rationale="RSI 28 and volume ratio 2.4",
        context_snapshot={"L7": {"rsi": "28.1"}, "L6": {"pnl": "-120.50"}},
        input_data={"price": "150.25", "volume": 1_200_000},
        run_id=RUN,
        scenario_id="rsi-oversold",
        cycle_id="c1",
        trace_id="t1",
    )


def test_log_and_get_round_trip(engine: Engine) -> None:
    log = DecisionLog(engine)
    decision = _decision("d-1", 0.85)
    assert log.log(decision) == "d-1"
    assert log.get("d-1") == decision
    assert log.get("nope") is None
    with pytest.raises(DuplicateKey):
        log.log(decision)


def test_update_outcome_keeps_pnl_exact(engine: Engine) -> None:
    log = DecisionLog(engine)
    log.log(_decision("d-1", 0.9))
    pnl = Money(Decimal("-12345.6789012345"), Currency.USD)
    log.update_outcome("d-1", pnl=pnl, accuracy=0.0, at=minutes(30))
    stored = log.get("d-1")
    assert stored is not None
    assert stored.outcome_pnl == pnl
    assert stored.outcome_at == minutes(30)
    with pytest.raises(RecordNotFound):
        log.update_outcome("ghost", pnl=pnl, accuracy=1.0, at=minutes(30))
    with pytest.raises(ValueError, match="accuracy"):
        log.update_outcome("d-1", pnl=pnl, accuracy=1.5, at=minutes(30))


def test_unreviewed_newest_first_and_mark_reviewed(engine: Engine) -> None:
    log = DecisionLog(engine)
    for i, confidence in enumerate((0.5, 0.8, 0.95)):
        log.log(_decision(f"d-{i}", confidence, at=i))
    assert [d.decision_id for d in log.unreviewed()] == ["d-2", "d-1", "d-0"]
    assert [d.decision_id for d in log.unreviewed(min_confidence=0.8)] == ["d-2", "d-1"]
    log.mark_reviewed("d-2", "entered against the trend")
    assert [d.decision_id for d in log.unreviewed(limit=1)] == ["d-1"]
    reviewed = log.get("d-2")
    assert reviewed is not None
    assert reviewed.reviewed
    assert reviewed.review_notes == "entered against the trend"


def test_losing_high_confidence(engine: Engine) -> None:
    log = DecisionLog(engine)
    outcomes = {
        "loss-confident": (0.9, "-0.01"),
        "loss-very-confident": (0.97, "-250000"),
        "loss-unsure": (0.6, "-500"),
        "win-confident": (0.95, "300.5"),
        "flat-confident": (0.9, "0"),
        "pending-confident": (0.99, None),
    }
    for i, (did, (confidence, pnl)) in enumerate(outcomes.items()):
        log.log(_decision(did, confidence, at=i))
        if pnl is not None:
            log.update_outcome(did, pnl=Money.of(pnl, "KRW"), accuracy=0.0, at=minutes(60))
    found = [d.decision_id for d in log.losing_high_confidence(0.8)]
    assert found == ["loss-very-confident", "loss-confident"]
    assert [d.decision_id for d in log.losing_high_confidence(0.5, limit=1)] == [
        "loss-very-confident"
    ]


def test_confidence_is_a_fraction() -> None:
    with pytest.raises(ValueError, match=r"confidence must be in \[0, 1\], was 85"):
        _decision("d-1", 85)
