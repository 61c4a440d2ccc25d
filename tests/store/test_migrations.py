"""Migrations: shipped in the package, identical on both backends, matching the models."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from ouroboros.store import current_revision, downgrade, head_revision, make_engine, upgrade
from ouroboros.store.models import metadata


def test_upgrade_creates_every_table_and_matches_the_models(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the script location must not depend on the CWD
    assert current_revision(db_url) is None
    result = upgrade(db_url)
    assert (result.before, result.after) == (None, head_revision())
    assert current_revision(db_url) == head_revision()
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            tables = set(sa.inspect(conn).get_table_names())
            assert set(metadata.tables) <= tables
            drift = compare_metadata(
                MigrationContext.configure(conn, opts={"compare_type": True}), metadata
            )
        assert drift == []
    finally:
        engine.dispose()


def test_upgrade_is_idempotent_and_downgrade_reverses_it(db_url: str) -> None:
    upgrade(db_url)
    again = upgrade(db_url)
    assert not again.changed
    assert downgrade(db_url, "base").after is None
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            assert set(sa.inspect(conn).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()
    assert upgrade(db_url).after == head_revision()
