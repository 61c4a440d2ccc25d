"""The HTTP API (FastAPI): read routes over the store, guarded actions, ``/metrics``, and the
dashboard's pages.

``create_app`` builds the app over one store; ``ouroboros serve`` runs it with uvicorn. Every
state-changing route depends on :func:`write_guard` (a bearer token); CORS is closed (no CORS
middleware: browsers refuse cross-origin calls).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials
from sqlalchemy.engine import Engine

from ouroboros import __version__
from ouroboros.errors import ConfigError
from ouroboros.interfaces.api import routes_actions, routes_read
from ouroboros.interfaces.api.security import (
    ApiSecurity,
    bearer,
    request_id_middleware,
    require_token,
)
from ouroboros.services import NoBreakerState, OperatorActions, ReadService

Clock = Callable[[], datetime]


async def write_guard(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> None:
    """Every state-changing route depends on this: 401 without the right bearer token."""
    require_token(request, credentials)


async def read_guard(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> None:
    if request.app.state.security.protect_reads:
        require_token(request, credentials)


def create_app(
    engine: Engine,
    *,
    security: ApiSecurity,
    now: Clock,
    dashboard: bool = True,
    background: Sequence[Callable[[], Coroutine[Any, Any, None]]] = (),
) -> FastAPI:
    """The app over ``engine``. ``background``: coroutines run while the app serves (the
    Telegram command poller, for example), cancelled at shutdown."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        tasks = [asyncio.create_task(job()) for job in background]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    app = FastAPI(
        lifespan=lifespan,
        title="Ouroboros operator API",
        version=__version__,
        description=(
            "Read the store a run wrote; stop or resume trading and reset or tighten the "
            "circuit breaker per account (bearer token). X-Request-ID is returned and becomes "
            "the trace id of every event a request causes."
        ),
    )
    app.state.security = security
    app.state.reads = ReadService(engine)
    app.state.actions = OperatorActions(engine, now)
    app.state.engine = engine
    app.state.now = now
    app.middleware("http")(request_id_middleware)
    app.include_router(routes_read.router, dependencies=[Depends(read_guard)])
    app.include_router(routes_actions.router, dependencies=[Depends(write_guard)])
    _install_error_handlers(app)
    if dashboard:
        from ouroboros.interfaces.dashboard import pages

        pages.install(app, read_guard)
    from ouroboros.interfaces.api import metrics

    app.include_router(metrics.router, dependencies=[Depends(read_guard)])
    return app


def _install_error_handlers(app: FastAPI) -> None:
    async def not_found(_request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=404)

    async def conflict(_request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=409)

    app.add_exception_handler(NoBreakerState, not_found)
    app.add_exception_handler(ConfigError, conflict)


__all__ = ["create_app", "read_guard", "write_guard"]
