"""The audit log is append-only, in the repository and in the database itself."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError

from ouroboros.store import DuplicateKey, EventRecord, EventStore
from ouroboros.store.tables import EVENTS
from tests.store.factories import RUN, minutes


def _events(n: int, cycle: str, **extra: str) -> list[EventRecord]:
    return [
        EventRecord(
            "SignalGenerated",
            {"i": i, "price": "150.25"},
            minutes(i),
            event_id=f"{cycle}-{i}",
            run_id=RUN,
            cycle_id=cycle,
            trace_id="trace-1",
            aggregate_id=cycle,
            **extra,
        )
        for i in range(n)
    ]


def test_append_and_read_by_run_and_cycle(engine: Engine) -> None:
    store = EventStore(engine)
    store.append(_events(3, "c1"))
    store.append(_events(2, "c2", causation_id="c1-2", correlation_id="corr"))
    cycle2 = store.read(run_id=RUN, cycle_id="c2")
    assert [s.event.event_id for s in cycle2] == ["c2-0", "c2-1"]
    assert cycle2[0].event == _events(2, "c2", causation_id="c1-2", correlation_id="corr")[0]
    everything = store.read(run_id=RUN)
    assert [s.seq for s in everything] == sorted(s.seq for s in everything)
    assert len(everything) == 5
    page = store.read(after_seq=everything[1].seq, limit=2)
    assert [s.event.event_id for s in page] == ["c1-2", "c2-0"]
    assert store.read(aggregate_id="c1", event_type="SignalGenerated")[0].event.payload == {
        "i": 0,
        "price": "150.25",
    }


def test_a_batch_with_a_duplicate_event_id_is_not_appended_at_all(engine: Engine) -> None:
    store = EventStore(engine)
    store.append(_events(1, "c1"))
    with pytest.raises(DuplicateKey):
        store.append(_events(3, "c1"))  # c1-0 again, plus two new ones
    assert [s.event.event_id for s in store.read()] == ["c1-0"]


@pytest.mark.parametrize(
    "statement",
    [
        EVENTS.update().values(type="Tampered"),
        EVENTS.delete(),
    ],
    ids=["update", "delete"],
)
def test_the_database_refuses_update_and_delete(engine: Engine, statement: sa.Executable) -> None:
    EventStore(engine).append(_events(2, "c1"))
    with pytest.raises(IntegrityError, match="append-only"), engine.begin() as conn:
        conn.execute(statement)
    assert [s.event.type for s in EventStore(engine).read()] == ["SignalGenerated"] * 2


@pytest.mark.parametrize(
    "migrated_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
def test_truncate_is_refused_on_postgresql(engine: Engine) -> None:
    """SQLite has no TRUNCATE; its DELETE is covered above."""
    EventStore(engine).append(_events(1, "c1"))
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.exec_driver_sql("TRUNCATE events")
    assert len(EventStore(engine).read()) == 1
