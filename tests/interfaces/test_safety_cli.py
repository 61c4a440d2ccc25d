"""``ouroboros safety``: show, disable and enable an account's kill switch, resume its breaker."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from tests.risk.kit import NOW
from typer.testing import CliRunner

from ouroboros.interfaces.cli.app import app
from ouroboros.risk import CircuitBreaker
from ouroboros.store import SystemStateRepository, make_engine, upgrade
from ouroboros.store.repositories.safety import SafetyStateRepository, account_scope, breaker_key

ACCOUNT = "kis-virtual:50000001-01"


def invoke(db: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["safety", *args, "--db", db])
    return result.exit_code, result.output


def test_the_kill_switch_and_a_manual_breaker_resume(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'safety.db'}"
    engine = make_engine(db)
    upgrade(engine)
    code, out = invoke(db, "disable", "--account", ACCOUNT, "--by", "alice", "--reason", "drill")
    assert code == 0, out
    assert "DISABLED (by alice: drill)" in out
    assert not SafetyStateRepository(engine).trading_enabled(account_scope(ACCOUNT))
    code, out = invoke(db, "enable", "--account", ACCOUNT, "--by", "alice", "--json")
    assert json.loads(out)["trading_enabled"] is True

    code, out = invoke(db, "resume-breaker", "--account", ACCOUNT, "--by", "alice")
    assert code == 1
    assert "no circuit breaker stored for 'kis-virtual:50000001-01'" in out

    breaker = CircuitBreaker()
    for _ in range(3):
        breaker.record_trade(Decimal(-1), NOW)
    assert breaker.is_tripped
    key = breaker_key(account_scope(ACCOUNT))
    SystemStateRepository(engine).put(key, breaker.to_dict(), NOW)
    code, out = invoke(db, "status", "--account", ACCOUNT, "--json")
    assert json.loads(out)["breaker"]["status"] == "TRIPPED"
    code, out = invoke(db, "resume-breaker", "--account", ACCOUNT, "--by", "alice", "--json")
    assert code == 0, out
    assert json.loads(out)["breaker"]["status"] == "ARMED"
    entry = SystemStateRepository(engine).get(key)
    assert entry is not None
    assert entry.version == 2

    code, out = invoke(db, "status")
    assert code != 0
    assert "exactly one of --account or --run" in " ".join(out.split())
