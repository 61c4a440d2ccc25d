"""What every REST request goes through: authentication, the rate limit, injected faults,
and turning :class:`ApiError` into Alpaca's JSON error body (reference §0.2, §3)."""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ouroboros.clock import LiveClock
from ouroboros.sandbox.alpaca.config import SandboxConfig
from ouroboros.sandbox.alpaca.faults import BEFORE, FaultQueue
from ouroboros.sandbox.alpaca.wire import ApiError

_WALL = LiveClock()

Handler = Callable[[Request], Awaitable[Any]]


def error_response(status: int, code: int, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"code": code, "message": message, **extra}, status_code=status)


class Gateway:
    def __init__(self, config: SandboxConfig, faults: FaultQueue) -> None:
        self.config = config
        self.faults = faults
        self.requests = 0
        self.rate_limited = 0
        self._window: deque[float] = deque()

    def _limited(self) -> Response | None:
        limit = self.config.rate_limit_per_minute
        if not limit:
            return None
        now = time.monotonic()
        while self._window and now - self._window[0] >= 60:
            self._window.popleft()
        reset = str(int(_WALL.now().timestamp()) + 60)  # epoch seconds, as Alpaca sends
        if len(self._window) >= limit:
            self.rate_limited += 1
            headers = {
                "X-Ratelimit-Limit": str(limit),
                "X-Ratelimit-Remaining": "0",
                "X-Ratelimit-Reset": reset,
            }
            return JSONResponse({"code": 42910000, "message": "rate limit exceeded"}, 429, headers)
        self._window.append(now)
        return None

    def authorized(self, key: str | None, secret: str | None) -> bool:
        return key == self.config.key_id and secret == self.config.secret_key

    def wrap(
        self, handler: Handler, *, auth: bool = True
    ) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            self.requests += 1
            headers = request.headers
            if auth and not self.authorized(
                headers.get("apca-api-key-id"), headers.get("apca-api-secret-key")
            ):
                return error_response(401, 40110000, "request is not authorized")
            limited = self._limited()
            if limited is not None:
                return limited
            fault = self.faults.take(request.method, request.url.path)
            if fault in BEFORE:
                return self._fault_response(fault or "")
            if fault == "timeout":
                await asyncio.sleep(self.faults.delay)
            try:
                result = await handler(request)
            except ApiError as err:
                return JSONResponse(err.body(), status_code=err.status)
            if fault == "5xx_after":
                return error_response(500, 50010000, "internal server error")
            if fault == "timeout_after":
                await asyncio.sleep(self.faults.delay)
            if isinstance(result, Response):
                return result
            return JSONResponse(result)

        return endpoint

    @staticmethod
    def _fault_response(kind: str) -> Response:
        if kind == "429":
            return JSONResponse({"code": 42910000, "message": "rate limit exceeded"}, 429)
        return error_response(int(kind), 50010000, "internal server error")


async def json_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except json.JSONDecodeError:
        raise ApiError(400, 40010000, "request body format is invalid") from None
    if not isinstance(body, dict):
        raise ApiError(400, 40010000, "request body format is invalid")
    return body
