"""The API's guards: the bearer token for state-changing routes, the request id as trace id,
and the refusal to listen beyond loopback without a token."""

from __future__ import annotations

import hmac
import ipaddress
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import HTTPException, Request, Response, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ouroboros.errors import ConfigError
from ouroboros.store.records import new_id

REQUEST_ID_HEADER = "X-Request-ID"
OPERATOR_HEADER = "X-Operator"
_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
_bearer = HTTPBearer(auto_error=False, description="API_TOKEN")


@dataclass(frozen=True, slots=True)
class ApiSecurity:
    """``token``: the bearer token state-changing routes need (``None``: they all answer 401).
    ``protect_reads``: read routes need it too."""

    token: str | None
    protect_reads: bool = False

    def matches(self, presented: str | None) -> bool:
        if not self.token or presented is None:
            return False
        return hmac.compare_digest(presented.encode(), self.token.encode())


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_bind(host: str, token: str | None) -> None:
    """Refuse to serve on a non-loopback address without a token."""
    if not is_loopback(host) and not token:
        raise ConfigError(
            f"--host {host}: refusing to listen beyond loopback without API_TOKEN set"
        )


def trace_id_of(request: Request) -> str:
    return str(getattr(request.state, "trace_id", "")) or new_id()


def operator_of(request: Request) -> str:
    """Who asked, as the audit records it: the X-Operator header if it is a plain name."""
    name = request.headers.get(OPERATOR_HEADER, "")
    return name if _SAFE_ID.match(name) else "token-holder"


async def request_id_middleware(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    """Take the caller's X-Request-ID (if it is a safe id) or make one; it becomes the trace id
    of what the request causes and is returned on the response."""
    given = request.headers.get(REQUEST_ID_HEADER, "")
    trace = given if _SAFE_ID.match(given) else new_id()
    request.state.trace_id = trace
    response = await call_next(request)
    response.headers[REQUEST_ID_HEADER] = trace
    return response


def require_token(request: Request, credentials: HTTPAuthorizationCredentials | None) -> None:
    guard: ApiSecurity = request.app.state.security
    presented = credentials.credentials if credentials else None
    if not guard.matches(presented):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "a valid bearer token (API_TOKEN) is required",
            headers={"WWW-Authenticate": "Bearer"},
        )


bearer = _bearer
