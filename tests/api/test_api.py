"""The HTTP API over a store real runs wrote: routes, auth, request ids, CORS, secrets."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from ouroboros.errors import ConfigError
from ouroboros.interfaces.api import ApiSecurity, check_bind, create_app
from ouroboros.services import ReadService
from ouroboros.store.repositories import EventStore
from tests.services.run_store import FakeClock

TOKEN = "t0ken-for-tests"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SAFE = {"GET", "HEAD", "OPTIONS"}


@pytest.fixture
def client(store: Engine, clock: FakeClock) -> Iterator[TestClient]:
    app = create_app(store, security=ApiSecurity(TOKEN), now=clock.now)
    with TestClient(app) as c:
        yield c


def _walk(routes: Iterable[object]) -> Iterator[object]:
    """Every route, also those of included routers (FastAPI keeps them nested)."""
    for route in routes:
        nested = getattr(route, "original_router", None)
        yield from _walk(nested.routes) if nested is not None else (route,)


def state_changing(client: TestClient) -> list[tuple[str, str]]:
    """Every non-GET route the app has, from its routing table and from its OpenAPI document
    (both, so neither a nesting nor a route hidden from the schema can be forgotten)."""
    app = client.app
    routes = [r for r in _walk(app.routes) if isinstance(r, APIRoute)]  # type: ignore[attr-defined]
    found = {(m, r.path) for r in routes for m in r.methods - SAFE}
    schema = client.get("/openapi.json").json()["paths"]
    found |= {(m.upper(), p) for p, ops in schema.items() for m in ops if m.upper() not in SAFE}
    return sorted(found)


def test_every_state_changing_route_answers_401_without_the_token(client: TestClient) -> None:
    changing = state_changing(client)
    assert ("POST", "/api/system/trading/disable") in changing
    assert len(changing) >= 4
    for method, path in changing:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
            response = client.request(method, path, headers=headers, json={})
            assert response.status_code == 401, (method, path, headers, response.text)
            assert response.headers["WWW-Authenticate"] == "Bearer"


def test_no_configured_token_means_no_action_at_all(store: Engine, clock: FakeClock) -> None:
    app = create_app(store, security=ApiSecurity(None), now=clock.now)
    with TestClient(app) as c:
        for method, path in state_changing(c):
            assert c.request(method, path, headers={"Authorization": "Bearer "}).status_code in (
                401,
                403,
            )
            assert c.request(method, path, headers=AUTH, json={}).status_code == 401


def test_disable_with_the_token_stops_trading_and_audits_who_and_trace(
    client: TestClient, store: Engine
) -> None:
    response = client.post(
        "/api/system/trading/disable",
        headers={**AUTH, "X-Request-ID": "req-42", "X-Operator": "alice"},
        json={"account": "default", "reason": "drill"},
    )
    assert response.status_code == 200, response.text
    assert response.headers["X-Request-ID"] == "req-42"
    assert response.json()["by"] == "api:alice"
    assert client.get("/api/system/trading").json()["trading_enabled"] is False
    event = EventStore(store).read(event_type="operator.trading_disabled")[-1].event
    assert event.trace_id == "req-42"
    assert event.payload["reason"] == "drill"
    assert client.post("/api/system/trading/enable", headers=AUTH).status_code == 200
    assert ReadService(store).safety("default")["trading_enabled"] is True


def test_request_id_is_made_when_missing_or_unsafe(client: TestClient) -> None:
    made = client.get("/health").headers["X-Request-ID"]
    assert len(made) == 32
    unsafe = client.get("/health", headers={"X-Request-ID": "a b\tc"}).headers["X-Request-ID"]
    assert unsafe != "a b\tc"


def test_read_routes_page_and_filter(client: TestClient) -> None:
    assert client.get("/health").json()["status"] == "ok"
    everything = client.get("/api/events", params={"limit": 1000}).json()
    page = client.get("/api/events", params={"limit": 3, "offset": 3}).json()
    assert page["total"] == everything["total"]
    assert [e["seq"] for e in page["items"]] == [e["seq"] for e in everything["items"][3:6]]
    since = everything["items"][-1]["ts"]
    later = client.get("/api/events", params={"since": since, "limit": 1000}).json()
    assert 0 < later["total"] < everything["total"]
    naive = client.get("/api/events", params={"since": "2013-03-01T00:00:00"})
    assert naive.status_code == 422
    assert "since must carry a UTC offset" in naive.text
    assert client.get("/api/orders").json()["total"] >= 1
    assert client.get("/api/fills").json()["total"] >= 1
    assert client.get("/api/decisions").json()["items"][0]["rationale"]
    assert len(client.get("/api/playbook/2013-02-28").json()) == 3
    assert client.get("/api/portfolio").json()["accounts"]
    runs = client.get("/api/runs").json()["items"]
    assert client.get(f"/api/runs/{runs[0]['run_id']}").json()["run_id"] == runs[0]["run_id"]
    assert client.get("/api/runs/nope").status_code == 404
    assert client.get("/api/capital").json()["total"] >= 1
    assert client.get("/api/equity").json()["total"] >= 1
    assert client.get("/api/status").json()["counts"]["runs"] == 2


def test_breaker_actions_answer_404_without_state(client: TestClient) -> None:
    response = client.post("/api/system/circuit-breaker/reset", headers=AUTH)
    assert response.status_code == 404
    assert "no stored circuit breaker state" in response.json()["detail"]


def test_cors_is_closed(client: TestClient) -> None:
    preflight = client.options(
        "/api/system/trading/disable",
        headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in preflight.headers
    plain = client.get("/api/status", headers={"Origin": "http://evil.example"})
    assert "access-control-allow-origin" not in plain.headers


def test_token_never_appears_in_a_response(client: TestClient) -> None:
    for path in ("/api/status", "/openapi.json", "/health", "/api/system/trading"):
        assert TOKEN not in client.get(path, headers=AUTH).text


def test_read_routes_can_be_protected_too(store: Engine, clock: FakeClock) -> None:
    app = create_app(store, security=ApiSecurity(TOKEN, protect_reads=True), now=clock.now)
    with TestClient(app) as c:
        assert c.get("/api/status").status_code == 401
        assert c.get("/api/status", headers=AUTH).status_code == 200


def test_refuses_non_loopback_bind_without_token() -> None:
    check_bind("127.0.0.1", None)
    check_bind("::1", None)
    check_bind("0.0.0.0", TOKEN)
    with pytest.raises(ConfigError, match=r"--host 0\.0\.0\.0: refusing"):
        check_bind("0.0.0.0", None)
    with pytest.raises(ConfigError, match=r"--host example\.org"):
        check_bind("example.org", "")
