"""The sandbox's REST surface: auth endpoints, the gateway checks every KIS call passes, and
dispatch to the domestic/overseas handlers, with faults injected between them.

Gateway order (as a client sees KIS): app key → domain (EGW02004) → token (EGW00121/EGW00123)
→ rate (EGW00201) → tr_id for this domain → fault → handler. Gateway refusals are HTTP 500 with
the normal envelope; token-endpoint refusals are HTTP 403 with ``error_code`` (reference §2-§3).
"""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ouroboros.kisspec import KST
from ouroboros.sandbox.kis.config import SandboxApp
from ouroboros.sandbox.kis.engine import Reject
from ouroboros.sandbox.kis.fields import complete
from ouroboros.sandbox.kis.state import SandboxState

GATEWAY_MESSAGES = {
    "EGW00201": "초당 거래건수를 초과하였습니다.",
    "EGW00123": "기간이 만료된 token 입니다.",
    "EGW00121": "유효하지 않은 token 입니다.",
    "EGW00103": "유효하지 않은 AppKey입니다.",
    "EGW02004": "실전투자 도메인은 모의투자 앱키로 호출하실 수 없습니다.",
}


@dataclass(slots=True)
class Reply:
    body: dict[str, Any]
    tr_cont: str = ""


@dataclass(slots=True)
class Ctx:
    state: SandboxState
    app: SandboxApp
    tr_id: str
    tr_cont: str
    params: dict[str, str]
    body: dict[str, Any] = field(default_factory=dict)

    @property
    def virtual(self) -> bool:
        return self.state.config.virtual

    def p(self, key: str, default: str = "") -> str:
        """A request field by KIS name, from the body (POST) or query (any case, GET)."""
        if key in self.body:
            return str(self.body[key])
        return self.params.get(key.upper(), default)

    def account(self) -> str:
        cano, prdt = self.p("CANO"), self.p("ACNT_PRDT_CD")
        if not (len(cano) == 8 and cano.isdigit() and len(prdt) == 2 and prdt.isdigit()):
            raise Reject("OPSQ2000", "ERROR : INPUT INVALID_CHECK_ACNO")
        number = self.state.app_for_account(self.app, cano, prdt)
        if number is None:
            raise Reject("OPSQ2000", "ERROR : INPUT INVALID_CHECK_ACNO")
        return number


Handler = Callable[[Ctx], Reply]


@dataclass(frozen=True, slots=True)
class Route:
    method: str
    path: str
    real: frozenset[str]
    virtual: frozenset[str]
    handler: Handler
    is_order: bool = False


def route(
    method: str, path: str, real: set[str], virtual: set[str] | None = None, *, order: bool = False
) -> Callable[[Handler], Route]:
    def wrap(fn: Handler) -> Route:
        return Route(
            method,
            path,
            frozenset(real),
            frozenset(real if virtual is None else virtual),
            fn,
            order,
        )

    return wrap


def normalize(path: str) -> str:
    """``//uapi//x`` -> ``/uapi/x``: published clients join base URLs into double slashes and
    the KIS gateway evidently accepts them."""
    return "/" + "/".join(part for part in path.split("/") if part)


def envelope(msg_cd: str, msg1: str, rt_cd: str = "1") -> dict[str, Any]:
    return {"rt_cd": rt_cd, "msg_cd": msg_cd, "msg1": msg1}


def gateway_error(code: str, msg1: str | None = None) -> JSONResponse:
    return JSONResponse(envelope(code, msg1 or GATEWAY_MESSAGES.get(code, "")), status_code=500)


def token_error(code: str, description: str, status: int = 403) -> JSONResponse:
    return JSONResponse({"error_code": code, "error_description": description}, status_code=status)


async def _json(request: Request) -> tuple[dict[str, Any], bytes]:
    raw = await request.body()
    if not raw.strip():
        return {}, raw
    try:
        data = json.loads(raw)
    except json.JSONDecodeError:
        return {}, raw
    return (data if isinstance(data, dict) else {}), raw


class Gateway:
    """Turns HTTP requests into handler calls with KIS's checks, faults and envelopes."""

    def __init__(self, state: SandboxState, routes: list[Route]) -> None:
        self.state = state
        self.routes = {(r.method, r.path): r for r in routes}

    # -- /oauth2 ---------------------------------------------------------------------------
    def _app_for_domain(
        self, app_key: str, secret: str
    ) -> tuple[SandboxApp | None, Response | None]:
        app = self.state.tokens.app(app_key, secret)
        if app is None:
            return None, token_error("EGW00103", GATEWAY_MESSAGES["EGW00103"])
        if app.virtual and not self.state.config.virtual:
            return None, gateway_error("EGW02004")
        if not app.virtual and self.state.config.virtual:
            return None, token_error("EGW00103", GATEWAY_MESSAGES["EGW00103"])
        return app, None

    async def token(self, request: Request) -> Response:
        body, _ = await _json(request)
        if body.get("grant_type") != "client_credentials":
            return token_error("EGW00103", "grant_type must be client_credentials")
        app, refusal = self._app_for_domain(
            str(body.get("appkey", "")), str(body.get("appsecret", ""))
        )
        if app is None:
            assert refusal is not None
            return refusal
        token = self.state.tokens.issue(app)
        if token is None:
            return token_error("EGW00133", "접근토큰 발급 잠시 후 다시 시도하세요(1분당 1회)")
        lifetime = int((token.expires - self.state.clock.now()).total_seconds())
        return JSONResponse(
            {
                "access_token": token.value,
                "access_token_token_expired": token.expires.astimezone(KST).strftime(
                    "%Y-%m-%d %H:%M:%S"
                ),
                "token_type": "Bearer",
                "expires_in": lifetime,
            }
        )

    async def revoke(self, request: Request) -> Response:
        body, _ = await _json(request)
        app, refusal = self._app_for_domain(
            str(body.get("appkey", "")), str(body.get("appsecret", ""))
        )
        if app is None:
            assert refusal is not None
            return refusal
        token = self.state.tokens.tokens.get(str(body.get("token", "")))
        if token is None or token.app_key != app.app_key or token.revoked:
            return token_error("EGW00121", GATEWAY_MESSAGES["EGW00121"])
        token.revoked = True
        return JSONResponse({"code": 200, "message": "접근토큰 폐기에 성공하였습니다"})

    async def approval(self, request: Request) -> Response:
        body, _ = await _json(request)
        app, refusal = self._app_for_domain(
            str(body.get("appkey", "")), str(body.get("secretkey", ""))
        )
        if app is None:
            assert refusal is not None
            return refusal
        return JSONResponse({"approval_key": self.state.tokens.approval(app)})

    async def hashkey(self, request: Request) -> Response:
        body, raw = await _json(request)
        app = self.state.tokens.app(
            request.headers.get("appkey", ""), request.headers.get("appsecret", "")
        )
        if app is None:
            return gateway_error("EGW00103")
        return JSONResponse({"BODY": body, "HASH": self.state.tokens.hashkey(raw)})

    # -- /uapi -----------------------------------------------------------------------------
    async def dispatch(self, request: Request) -> Response:
        state = self.state
        state.request_count += 1
        path = normalize(request.url.path)
        plain = {"/oauth2/tokenP": self.token, "/oauth2/revokeP": self.revoke}
        plain |= {"/oauth2/Approval": self.approval, "/uapi/hashkey": self.hashkey}
        if path in plain and request.method == "POST":
            return await plain[path](request)  # reached through a double slash
        found = self.routes.get((request.method, path))
        if found is None:
            return JSONResponse(
                envelope("SBX00404", f"no such API: {request.method} {request.url.path}"),
                status_code=404,
                headers={"tr_id": request.headers.get("tr_id", ""), "tr_cont": ""},
            )
        state.in_flight += 1  # a request the client gave up on may still be handled later
        try:
            response = await self._dispatch(request, found, path)
        finally:
            state.in_flight -= 1
        # KIS answers tr_id/tr_cont/gt_uid on every /uapi response, errors included
        response.headers.setdefault("tr_id", request.headers.get("tr_id", ""))
        response.headers.setdefault("tr_cont", "")
        response.headers.setdefault("gt_uid", secrets.token_hex(16))
        return response

    async def _dispatch(self, request: Request, found: Route, path: str) -> Response:
        state = self.state
        headers = request.headers
        app = state.tokens.app(headers.get("appkey", ""), headers.get("appsecret", ""))
        if app is None:
            return gateway_error("EGW00103")
        if app.virtual and not state.config.virtual:
            return gateway_error("EGW02004")
        bearer = headers.get("authorization", "")
        problem = state.tokens.check(bearer.removeprefix("Bearer ").strip(), app.app_key)
        if problem is not None:
            return gateway_error(problem)
        if not state.rate.allow(app.app_key):
            return gateway_error("EGW00201")
        tr_id = headers.get("tr_id", "")
        allowed = found.virtual if state.config.virtual else found.real
        if tr_id not in allowed:
            if tr_id in found.real and state.config.virtual:
                return gateway_error("SBX00010", "모의투자 TR 이 아닙니다.")
            if tr_id in found.virtual and not state.config.virtual:
                return gateway_error("SBX00010", "실전투자 TR 이 아닙니다.")
            return gateway_error("SBX00011", f"유효하지 않은 TR ID 입니다 ({tr_id or 'missing'}).")
        body, _raw = await _json(request) if request.method == "POST" else ({}, b"")
        needs_hash = request.method == "POST" and state.config.require_hashkey and found.is_order
        if needs_hash and headers.get("hashkey", "") not in state.tokens.hashes:
            return JSONResponse(envelope("SBX00012", "hashkey 가 올바르지 않습니다."))
        fault = state.faults.draw(path, found.is_order)
        if fault == "expired":
            state.tokens.expire_all()
            return gateway_error("EGW00123")
        if fault == "rate_limit":
            return gateway_error("EGW00201")
        if fault == "5xx":
            return Response(
                "<html><body>502 Bad Gateway</body></html>", status_code=502, media_type="text/html"
            )
        if fault == "timeout":
            await asyncio.sleep(state.faults.plan.timeout_delay)
        params = {k.upper(): v for k, v in request.query_params.items()}
        ctx = Ctx(state, app, tr_id, headers.get("tr_cont", ""), params, body)
        try:
            reply = found.handler(ctx)
        except Reject as refusal:
            reply = Reply(envelope(refusal.msg_cd, refusal.msg1, refusal.rt_cd))
        complete(path, reply.body)
        if fault == "5xx_after":
            return Response("upstream connect error", status_code=503, media_type="text/plain")
        if fault == "timeout_after":
            await asyncio.sleep(state.faults.plan.timeout_delay)
        response_headers = {
            "tr_id": tr_id,
            "tr_cont": reply.tr_cont,
            "gt_uid": secrets.token_hex(16),
        }
        if fault == "malformed":
            text = json.dumps(reply.body, ensure_ascii=False)
            return Response(
                text[: max(1, len(text) // 2)],
                media_type="application/json",
                headers=response_headers,
            )
        return JSONResponse(
            reply.body, headers=response_headers, media_type="application/json; charset=utf-8"
        )
