"""Read routes: the store as the operator sees it. Lists are paged (``limit``/``offset``) and
filtered by run and by a time window ``[since, until)`` (ISO-8601 with an offset)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse

from ouroboros.interfaces.api.schemas import ACCOUNT_PATTERN, PageOut
from ouroboros.services import Page, PageQuery, ReadService
from ouroboros.store.migrate import current_revision, head_revision
from ouroboros.store.records import DEFAULT_ACCOUNT

router = APIRouter()
Account = Annotated[str, Query(pattern=ACCOUNT_PATTERN, description="account name")]
RunId = Annotated[str | None, Query(max_length=64, description="a run id (default: all)")]


def _utc(name: str, value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise HTTPException(422, f"{name} must carry a UTC offset, was {value.isoformat()}")
    try:
        return value.astimezone(UTC)
    except (OverflowError, ValueError):
        raise HTTPException(422, f"{name} is out of range: {value.isoformat()}") from None


def page_query(
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
    since: Annotated[datetime | None, Query(description="from (inclusive), with offset")] = None,
    until: Annotated[datetime | None, Query(description="to (exclusive), with offset")] = None,
    run_id: RunId = None,
) -> PageQuery:
    return PageQuery(limit, offset, _utc("since", since), _utc("until", until), run_id)


Paged = Annotated[PageQuery, Depends(page_query)]


def reads(request: Request) -> ReadService:
    service: ReadService = request.app.state.reads
    return service


Reads = Annotated[ReadService, Depends(reads)]


def _out(page: Page) -> PageOut:
    return PageOut(items=page.items, total=page.total, limit=page.limit, offset=page.offset)


@router.get("/health", tags=["system"], summary="Liveness and the database's schema revision")
def health(request: Request) -> JSONResponse:
    engine = request.app.state.engine
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        revision = current_revision(engine)
    except sa.exc.SQLAlchemyError as exc:
        body = {"status": "down", "database": type(exc).__name__}
        return JSONResponse(body, status_code=503)
    current = revision == head_revision()
    return JSONResponse(
        {
            "status": "ok" if current else "degraded",
            "database": "ok",
            "schema": revision,
            "schema_current": current,
        }
    )


@router.get("/api/status", tags=["read"], summary="Latest run, accounts' switches, counts")
def status(service: Reads) -> dict[str, Any]:
    return service.status()


@router.get("/api/portfolio", tags=["read"], summary="Each account's latest snapshot + positions")
def portfolio(service: Reads, run_id: RunId = None) -> dict[str, Any]:
    return service.portfolio(run_id)


@router.get("/api/positions", tags=["read"], summary="Open positions of a run (default latest)")
def positions(service: Reads, run_id: RunId = None) -> list[dict[str, Any]]:
    return service.positions(run_id)


@router.get("/api/orders", tags=["read"], response_model=PageOut, summary="Orders")
def orders(
    service: Reads, q: Paged, status: Annotated[str | None, Query(max_length=20)] = None
) -> PageOut:
    return _out(service.orders(q, status=status))


@router.get("/api/fills", tags=["read"], response_model=PageOut, summary="Fills")
def fills(service: Reads, q: Paged) -> PageOut:
    return _out(service.fills(q))


@router.get("/api/trades", tags=["read"], response_model=PageOut, summary="Closed trades")
def trades(service: Reads, q: Paged, account: Account | None = None) -> PageOut:
    return _out(service.trades(q, account=account))


@router.get("/api/decisions", tags=["read"], response_model=PageOut, summary="Decisions + context")
def decisions(
    service: Reads,
    q: Paged,
    market: Annotated[str | None, Query(max_length=16)] = None,
    symbol: Annotated[str | None, Query(max_length=48)] = None,
) -> PageOut:
    return _out(service.decisions(q, market=market, symbol=symbol))


@router.get("/api/playbook/{trade_date}", tags=["read"], summary="Playbooks of one session date")
def playbook(service: Reads, trade_date: Annotated[date, Path()]) -> list[dict[str, Any]]:
    return service.playbooks(trade_date)


@router.get("/api/events", tags=["read"], response_model=PageOut, summary="The audit log")
def events(
    service: Reads,
    q: Paged,
    type: Annotated[
        str | None, Query(max_length=64, description="an event type; a trailing * is a prefix")
    ] = None,
) -> PageOut:
    return _out(service.events(q, event_type=type))


@router.get("/api/runs", tags=["read"], response_model=PageOut, summary="Runs, newest first")
def runs(service: Reads, q: Paged) -> PageOut:
    return _out(service.runs(q))


@router.get("/api/runs/{run_id}", tags=["read"], summary="One run")
def run(service: Reads, run_id: Annotated[str, Path(max_length=64)]) -> dict[str, Any]:
    found = service.run(run_id)
    if found is None:
        raise HTTPException(404, f"no run {run_id!r}")
    return found


@router.get("/api/capital", tags=["read"], response_model=PageOut, summary="Deposits/withdrawals")
def capital(service: Reads, q: Paged) -> PageOut:
    return _out(service.capital(q))


@router.get("/api/equity", tags=["read"], response_model=PageOut, summary="Equity snapshots")
def equity(service: Reads, q: Paged, account: Account | None = None) -> PageOut:
    return _out(service.equity(q, account=account))


@router.get("/api/system/circuit-breaker", tags=["system"], summary="Switch + breaker state")
def breaker(service: Reads, account: Account = DEFAULT_ACCOUNT) -> dict[str, Any]:
    return service.safety(account)


@router.get("/api/system/trading", tags=["system"], summary="Whether an account may trade")
def trading(service: Reads, account: Account = DEFAULT_ACCOUNT) -> dict[str, Any]:
    return service.safety(account)
