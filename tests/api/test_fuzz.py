"""Schemathesis fuzzes every operation of the OpenAPI document against the app over a store
real runs wrote: no input, with or without the token, makes the server fail (no 5xx).

Bounded: 30 derandomised examples per operation and token state, no deadline, no example
database (so the result does not depend on earlier runs).
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from sqlalchemy.engine import Engine

from ouroboros.interfaces.api import ApiSecurity, create_app
from tests.services.run_store import FakeClock

TOKEN = "fuzz-token"


@pytest.fixture
def app_schema(store: Engine, clock: FakeClock) -> schemathesis.BaseSchema:
    app = create_app(store, security=ApiSecurity(TOKEN), now=clock.now)
    return schemathesis.openapi.from_asgi("/openapi.json", app)


BOUNDED = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def _fuzz(schema: schemathesis.BaseSchema, headers: dict[str, str]) -> list[str]:
    """Fuzz every operation; return the ones that were checked."""
    checked = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @BOUNDED
        @given(case=operation.as_strategy())
        def check(case: schemathesis.Case) -> None:
            case.validate_response(case.call(headers=headers), checks=[not_a_server_error])

        check()
        checked.append(f"{operation.method.upper()} {operation.path}")
    return checked


def test_no_server_errors_without_the_token(app_schema: schemathesis.BaseSchema) -> None:
    checked = _fuzz(app_schema, {})
    assert "POST /api/system/trading/disable" in checked
    assert "GET /api/events" in checked


def test_no_server_errors_with_the_token(app_schema: schemathesis.BaseSchema) -> None:
    assert len(_fuzz(app_schema, {"Authorization": f"Bearer {TOKEN}"})) >= 20
