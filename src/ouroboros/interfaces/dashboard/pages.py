"""The dashboard: server-rendered pages over the service layer.

Pages are plain HTML from Jinja2 templates; charts are drawn in the browser by the vendored
uPlot (``static/``, from the npm registry, MIT) from JSON embedded in the page, so nothing is
fetched from a CDN. A Content-Security-Policy allows scripts from this origin only. The
stop/resume buttons call the API's token-guarded routes with the token the operator types in
(kept in the page's memory, never stored).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from ouroboros.services import DEFAULT_ACCOUNT, Page, PageQuery, ReadService

HERE = Path(__file__).parent
PAGE_SIZE = 100
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'"
)
MARKET_NAMES = {
    "KR": "한국거래소 (KRX)",
    "JP": "東京証券取引所 (TSE)",
    "US_NASDAQ": "NASDAQ",
    "US_NYSE": "NYSE",
}
NAV = [
    ("/", "Overview"),
    ("/positions", "Positions"),
    ("/orders", "Orders & fills"),
    ("/playbooks", "Playbooks"),
    ("/decisions", "Decisions"),
    ("/trades", "Trades"),
    ("/runs", "Runs"),
    ("/safety", "Breaker & kill switch"),
]

_env = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _json_in_html(value: Any) -> Markup:
    """JSON safe inside a ``<script type="application/json">`` element (no ``</script>``)."""
    text = json.dumps(value, ensure_ascii=False)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


_env.filters["tojson_safe"] = _json_in_html


def _reads(request: Request) -> ReadService:
    service: ReadService = request.app.state.reads
    return service


Reads = Annotated[ReadService, Depends(_reads)]
Offset = Annotated[int, Query(ge=0, le=1_000_000_000)]


def _render(request: Request, template: str, **context: Any) -> HTMLResponse:
    html = _env.get_template(template).render(
        nav=NAV, path=request.url.path, markets=MARKET_NAMES, **context
    )
    return HTMLResponse(html, headers={"Content-Security-Policy": CSP})


def _pager(page: Page) -> dict[str, Any]:
    return {
        "total": page.total,
        "offset": page.offset,
        "prev": max(page.offset - page.limit, 0) if page.offset > 0 else None,
        "next": page.offset + page.limit if page.offset + page.limit < page.total else None,
    }


router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def overview(request: Request, service: Reads) -> HTMLResponse:
    status = service.status()
    return _render(
        request,
        "overview.html",
        status=status,
        portfolio=service.portfolio(),
        series=service.equity_series(),
        title="Overview",
    )


@router.get("/positions", response_class=HTMLResponse)
def positions(request: Request, service: Reads) -> HTMLResponse:
    return _render(request, "positions.html", rows=service.positions(), title="Positions")


@router.get("/orders", response_class=HTMLResponse)
def orders(request: Request, service: Reads, offset: Offset = 0) -> HTMLResponse:
    page = service.orders(PageQuery(limit=PAGE_SIZE, offset=offset))
    fills = service.fills(PageQuery(limit=PAGE_SIZE, offset=offset))
    return _render(
        request,
        "orders.html",
        orders=page.items,
        fills=fills.items,
        pager=_pager(page),
        title="Orders & fills",
    )


@router.get("/playbooks", response_class=HTMLResponse)
def playbooks(
    request: Request, service: Reads, day: Annotated[date | None, Query(alias="date")] = None
) -> HTMLResponse:
    if day is None:
        latest = service.events(PageQuery(limit=1), event_type="playbook.created")
        if latest.total:
            last = service.events(
                PageQuery(limit=1, offset=latest.total - 1), event_type="playbook.created"
            ).items[0]
            day = date.fromisoformat(last["payload"]["session_date"])
    books = service.playbooks(day) if day else []
    return _render(request, "playbooks.html", day=day, books=books, title="Playbooks")


@router.get("/decisions", response_class=HTMLResponse)
def decisions(request: Request, service: Reads, offset: Offset = 0) -> HTMLResponse:
    page = service.decisions(PageQuery(limit=PAGE_SIZE, offset=offset))
    return _render(
        request, "decisions.html", rows=page.items, pager=_pager(page), title="Decisions"
    )


@router.get("/trades", response_class=HTMLResponse)
def trades(request: Request, service: Reads, offset: Offset = 0) -> HTMLResponse:
    page = service.trades(PageQuery(limit=PAGE_SIZE, offset=offset))
    return _render(request, "trades.html", rows=page.items, pager=_pager(page), title="Trades")


@router.get("/runs", response_class=HTMLResponse)
def runs(request: Request, service: Reads, offset: Offset = 0) -> HTMLResponse:
    page = service.runs(PageQuery(limit=PAGE_SIZE, offset=offset))
    return _render(request, "runs.html", rows=page.items, pager=_pager(page), title="Runs")


@router.get("/safety", response_class=HTMLResponse)
def safety(request: Request, service: Reads) -> HTMLResponse:
    accounts = service.accounts() or [DEFAULT_ACCOUNT]
    states = [service.safety(a) for a in accounts]
    return _render(request, "safety.html", states=states, title="Breaker & kill switch")


def install(app: FastAPI, read_guard: Callable[..., Any]) -> None:
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(router, dependencies=[Depends(read_guard)])
