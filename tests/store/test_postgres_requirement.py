"""No PostgreSQL server: skip with a reason, or fail when ``OUROBOROS_REQUIRE_POSTGRES=1``."""

from __future__ import annotations

import pytest

from tests.store.postgres import REQUIRE_PG_ENV, postgres_unavailable, probe_postgres

UNREACHABLE = "postgresql+psycopg://postgres:s3cret@127.0.0.1:1/postgres"


def test_an_unreachable_server_is_reported_without_its_password() -> None:
    reason = probe_postgres(UNREACHABLE)
    assert reason is not None
    assert "127.0.0.1:1" in reason
    assert "s3cret" not in reason


def test_unavailable_postgres_skips_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(REQUIRE_PG_ENV, raising=False)
    with pytest.raises(pytest.skip.Exception, match="no PostgreSQL server: down"):
        postgres_unavailable("down")


def test_unavailable_postgres_fails_when_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(REQUIRE_PG_ENV, "1")
    with pytest.raises(pytest.fail.Exception, match="PostgreSQL required"):
        postgres_unavailable("down")
