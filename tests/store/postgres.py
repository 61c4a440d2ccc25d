"""Finding the PostgreSQL server for the tests, and what to do when there is none."""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

PG_ADMIN_URL_ENV = "OUROBOROS_TEST_PG_URL"
REQUIRE_PG_ENV = "OUROBOROS_REQUIRE_POSTGRES"
DEFAULT_PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def postgres_unavailable(reason: str) -> None:
    """Skip, or fail when PostgreSQL is required (``OUROBOROS_REQUIRE_POSTGRES=1``)."""
    if os.environ.get(REQUIRE_PG_ENV) == "1":
        pytest.fail(f"PostgreSQL required ({REQUIRE_PG_ENV}=1) but unavailable: {reason}")
    pytest.skip(f"no PostgreSQL server: {reason}")


def probe_postgres(admin_url: str) -> str | None:
    """``None`` when the server answers, else the reason it does not."""
    engine = sa.create_engine(admin_url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except Exception as exc:  # any failure to connect means "no usable server"
        where = make_url(admin_url).render_as_string(hide_password=True)
        detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        return f"{where}: {exc.__class__.__name__}: {detail[0] if detail else ''}"
    finally:
        engine.dispose()
    return None
