"""The KIS REST client: headers, tokens, pacing, retries, error mapping and pagination.

Retry policy (the heart of "never duplicate an order"):

* EGW00201 (rate limited) - the gateway refused the request before processing it: back off
  (exponential with jitter) and resend, orders included.
* EGW00123 / EGW00121 (token) - re-authenticate and resend exactly once.
* A connection that never opened (connect error/timeout, pool timeout) - resend, orders included.
* Anything after the request may have reached KIS (read timeout, dropped connection, 5xx without
  a known gateway code, malformed body): queries are retried; orders raise
  :class:`KisOutcomeUnknown` and are settled by reconciliation, never resent here.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt
from tenacity.wait import wait_exponential, wait_random

from ouroboros.brokers.kis._time import Now, Sleep, system_now
from ouroboros.brokers.kis.config import KisSettings
from ouroboros.brokers.kis.errors import (
    KisOutcomeUnknown,
    KisRateLimited,
    KisServerError,
    KisTokenExpired,
    is_success,
    map_error,
)
from ouroboros.brokers.kis.exchanges import TrId
from ouroboros.brokers.kis.ratelimit import RateLimiter
from ouroboros.brokers.kis.token import TokenManager, TokenStore
from ouroboros.errors import DataError

log = logging.getLogger("ouroboros.brokers.kis.client")

MORE = frozenset({"F", "M"})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 6
    initial_wait: float = 0.2
    max_wait: float = 2.0


@dataclass(frozen=True, slots=True)
class KisResponse:
    status: int
    body: dict[str, Any]
    tr_id: str = ""
    tr_cont: str = ""
    gt_uid: str = ""

    @property
    def has_more(self) -> bool:
        """``tr_cont`` F or M: another page follows (reference §3)."""
        return self.tr_cont in MORE

    def rows(self, key: str = "output") -> list[dict[str, Any]]:
        value = self.body.get(key)
        if isinstance(value, list):
            return [r for r in value if isinstance(r, dict)]
        return [value] if isinstance(value, dict) else []

    def one(self, key: str = "output") -> dict[str, Any]:
        rows = self.rows(key)
        return rows[0] if rows else {}


@dataclass(slots=True)
class ClientStats:
    requests: int = 0
    rate_limited: int = 0
    reauthenticated: int = 0
    retried: int = 0
    by_status: dict[int, int] = field(default_factory=dict)


class KisClient:
    """One app key's connection to KIS (or the sandbox). Construct with :meth:`from_settings`."""

    def __init__(
        self,
        settings: KisSettings,
        *,
        http: httpx.AsyncClient | None = None,
        limiter: RateLimiter | None = None,
        now: Now = system_now,
        sleep: Sleep = asyncio.sleep,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.settings = settings
        self.virtual = settings.is_virtual
        timeout = httpx.Timeout(settings.timeout, connect=settings.connect_timeout)
        self._http = http or httpx.AsyncClient(timeout=timeout, headers={"User-Agent": "ouroboros"})
        self._owns_http = http is None
        per_class = {"order": settings.order_rate_limit} if settings.order_rate_limit else {}
        self.limiter = limiter or RateLimiter(settings.requests_per_second, per_class)
        store = TokenStore(
            settings.token_dir, settings.app_key.get_secret_value(), settings.rest_url
        )
        self.tokens = TokenManager(self._http, settings, store, now, sleep)
        self._now = now
        self._sleep = sleep
        self.retry = retry or RetryPolicy()
        self.stats = ClientStats()
        self._approval: str | None = None

    @classmethod
    def from_settings(cls, settings: KisSettings) -> KisClient:
        return cls(settings)

    def __repr__(self) -> str:
        env = "virtual" if self.virtual else "real"
        return f"KisClient({env}, {self.settings.rest_url}, account {self.settings.account})"

    def tr(self, pair: TrId) -> str:
        return pair.pick(self.virtual)

    async def close(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> KisClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- public calls ----------------------------------------------------------------------
    async def get(
        self,
        path: str,
        tr_id: str,
        params: Mapping[str, str],
        *,
        tr_cont: str = "",
        endpoint_class: str = "quote",
    ) -> KisResponse:
        return await self._with_retries("GET", path, tr_id, dict(params), tr_cont, endpoint_class)

    async def post_order(self, path: str, tr_id: str, body: Mapping[str, str]) -> KisResponse:
        """An order, modify or cancel: never resent once it may have reached KIS."""
        return await self._with_retries("POST", path, tr_id, dict(body), "", "order")

    async def paginate(
        self,
        path: str,
        tr_id: str,
        params: Mapping[str, str],
        *,
        ctx_size: int = 100,
        endpoint_class: str = "account",
        max_pages: int = 500,
    ) -> AsyncIterator[KisResponse]:
        """Every page of a ``CTX_AREA_FK/NK`` paginated inquiry, following ``tr_cont``."""
        fk_key, nk_key = f"CTX_AREA_FK{ctx_size}", f"CTX_AREA_NK{ctx_size}"
        query = {**params, fk_key: "", nk_key: ""}
        tr_cont = ""
        for _ in range(max_pages):
            page = await self.get(
                path, tr_id, query, tr_cont=tr_cont, endpoint_class=endpoint_class
            )
            yield page
            if not page.has_more:
                return
            body = page.body
            query[fk_key] = str(body.get(fk_key.lower(), body.get(fk_key, "")))
            query[nk_key] = str(body.get(nk_key.lower(), body.get(nk_key, "")))
            tr_cont = "N"
        raise DataError(f"{path}: more than {max_pages} pages, stopping")

    async def approval_key(self) -> str:
        """The WebSocket approval key (``/oauth2/Approval``; note the ``secretkey`` field)."""
        if self._approval is None:
            s = self.settings
            await self.limiter.acquire("auth")
            body = {
                "grant_type": "client_credentials",
                "appkey": s.app_key.get_secret_value(),
                "secretkey": s.app_secret.get_secret_value(),
            }
            response = await self._send("POST", f"{s.rest_url}/oauth2/Approval", {}, json=body)
            data = _decode(response)
            if response.status_code != 200 or not data.get("approval_key"):
                code = str(data.get("error_code") or data.get("msg_cd") or "")
                text = str(data.get("error_description") or data.get("msg1") or "")
                raise map_error(code, text, http_status=response.status_code, tr_id="Approval")
            self._approval = str(data["approval_key"])
        return self._approval

    def forget_approval_key(self) -> None:
        self._approval = None

    async def hashkey(self, body: Mapping[str, str]) -> str:
        s = self.settings
        headers = self._base_headers()
        response = await self._send("POST", f"{s.rest_url}/uapi/hashkey", headers, json=dict(body))
        data = _decode(response)
        if response.status_code != 200 or "HASH" not in data:
            raise KisServerError(f"KIS hashkey failed with HTTP {response.status_code}")
        return str(data["HASH"])

    # -- machinery -------------------------------------------------------------------------
    def _base_headers(self) -> dict[str, str]:
        s = self.settings
        return {
            "content-type": "application/json; charset=utf-8",
            "appkey": s.app_key.get_secret_value(),
            "appsecret": s.app_secret.get_secret_value(),
            "custtype": s.custtype,
        }

    async def _with_retries(
        self,
        method: str,
        path: str,
        tr_id: str,
        payload: dict[str, str],
        tr_cont: str,
        endpoint_class: str,
    ) -> KisResponse:
        policy = self.retry
        retrying = AsyncRetrying(
            retry=retry_if_exception_type((KisRateLimited, KisServerError)),
            stop=stop_after_attempt(policy.attempts),
            # exponential from initial_wait, capped, plus up to initial_wait of jitter; composed so
            # it means the same on tenacity 9.1 (google-genai pins <9.2) and later
            wait=wait_exponential(multiplier=policy.initial_wait, max=policy.max_wait)
            + wait_random(0, policy.initial_wait),
            sleep=self._sleep,
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                if attempt.retry_state.attempt_number > 1:
                    self.stats.retried += 1
                return await self._once_with_reauth(
                    method, path, tr_id, payload, tr_cont, endpoint_class
                )
        raise AssertionError("unreachable")

    async def _once_with_reauth(
        self,
        method: str,
        path: str,
        tr_id: str,
        payload: dict[str, str],
        tr_cont: str,
        endpoint_class: str,
    ) -> KisResponse:
        for attempt in range(2):
            token = await self.tokens.token()
            try:
                return await self._once(
                    method, path, tr_id, payload, tr_cont, endpoint_class, token
                )
            except KisTokenExpired:
                if attempt:
                    raise
                self.stats.reauthenticated += 1
                log.info("KIS token rejected on %s; re-authenticating once", tr_id)
                await self.tokens.invalidate(token)
        raise AssertionError("unreachable")

    async def _once(
        self,
        method: str,
        path: str,
        tr_id: str,
        payload: dict[str, str],
        tr_cont: str,
        endpoint_class: str,
        token: str,
    ) -> KisResponse:
        is_order = endpoint_class == "order"
        headers = {**self._base_headers(), "authorization": f"Bearer {token}", "tr_id": tr_id}
        headers["tr_cont"] = tr_cont
        if is_order and self.settings.use_hashkey:
            headers["hashkey"] = await self.hashkey(payload)
        await self.limiter.acquire(endpoint_class)
        url = f"{self.settings.rest_url}{path}"
        self.stats.requests += 1
        try:
            if method == "GET":
                response = await self._send(method, url, headers, params=payload)
            else:
                response = await self._send(method, url, headers, json=payload)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise KisServerError(f"KIS {tr_id}: could not connect ({type(exc).__name__})") from None
        except httpx.HTTPError as exc:
            cls = KisOutcomeUnknown if is_order else KisServerError
            raise cls(f"KIS {tr_id}: no response ({type(exc).__name__})") from None
        status = response.status_code
        self.stats.by_status[status] = self.stats.by_status.get(status, 0) + 1
        data = _decode(response)
        if not data or "rt_cd" not in data:
            cls = KisOutcomeUnknown if is_order else KisServerError
            raise cls(f"KIS {tr_id}: HTTP {status} without a KIS envelope")
        rt_cd, msg_cd, msg1 = (
            str(data["rt_cd"]),
            str(data.get("msg_cd", "")),
            str(data.get("msg1", "")),
        )
        if status == 200 and is_success(rt_cd):
            return KisResponse(
                status,
                data,
                response.headers.get("tr_id", tr_id),
                response.headers.get("tr_cont", "").strip(),
                response.headers.get("gt_uid", ""),
            )
        error = map_error(msg_cd, msg1, http_status=status, tr_id=tr_id, is_order=is_order)
        if isinstance(error, KisRateLimited):
            self.stats.rate_limited += 1
        log.warning("KIS %s refused: HTTP %s %s %s", tr_id, status, msg_cd, msg1.strip())
        raise error

    async def _send(
        self, method: str, url: str, headers: dict[str, str], **kwargs: Any
    ) -> httpx.Response:
        return await self._http.request(method, url, headers=headers, **kwargs)


def _decode(response: httpx.Response) -> dict[str, Any]:
    try:
        data = json.loads(response.content)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
