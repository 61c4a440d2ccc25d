"""The Alpaca REST client: auth headers, pacing under 200 requests/min, retries, error mapping.

Retry policy (what keeps an order from being placed twice):

* 429 - refused before processing: back off and resend, orders included.
* A connection that never opened (connect error or timeout, pool timeout): resend, orders
  included.
* Anything after the request may have reached Alpaca (read timeout, dropped connection, 5xx):
  queries are retried; order requests raise :class:`AlpacaOutcomeUnknown` and are settled by a
  lookup by ``client_order_id`` (the adapter's job), never resent here.

Pacing: an ``aiolimiter`` bucket of ``burst`` requests refilled at ``requests_per_minute``, so
no 60 s window carries more than ``burst + requests_per_minute`` requests (200 by default).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from aiolimiter import AsyncLimiter
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt
from tenacity.wait import wait_exponential, wait_random

from ouroboros.brokers.alpaca.errors import (
    AlpacaOutcomeUnknown,
    AlpacaRateLimited,
    AlpacaServerError,
    map_error,
)

log = logging.getLogger("ouroboros.brokers.alpaca.client")

NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 5
    initial_wait: float = 0.5
    max_wait: float = 8.0


class _NotSent(Exception):
    """The request never left: safe to resend whatever it was."""


class AlpacaClient:
    def __init__(
        self,
        base_url: str,
        api_key: str,
        secret_key: str,
        *,
        timeout: float = 10.0,
        requests_per_minute: float = 190,
        burst: int = 10,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.retry = retry or RetryPolicy()
        self.limiter = AsyncLimiter(max_rate=burst, time_period=burst * 60.0 / requests_per_minute)
        self.requests_per_minute = requests_per_minute
        self.requests = 0
        self.rate_limited = 0
        headers = {"APCA-API-KEY-ID": api_key, "APCA-API-SECRET-KEY": secret_key}
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            headers=headers,
            timeout=timeout,
            transport=transport,
            follow_redirects=False,
        )

    def __repr__(self) -> str:
        return f"AlpacaClient({self.base_url!r}, {self.requests_per_minute}/min)"

    async def close(self) -> None:
        await self._http.aclose()

    async def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return await self.request("GET", path, params=params)

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Mapping[str, Any] | None = None,
        order_request: bool = False,
    ) -> Any:
        """The decoded JSON reply (None for an empty 204). ``order_request``: a request that
        may place, change or cancel an order, so an unclear outcome is never resent here."""
        retryable: tuple[type[BaseException], ...] = (AlpacaRateLimited, _NotSent)
        if not order_request:
            retryable = (*retryable, AlpacaServerError)
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.retry.attempts),
            wait=wait_exponential(multiplier=self.retry.initial_wait, max=self.retry.max_wait)
            + wait_random(0, self.retry.initial_wait),
            retry=retry_if_exception_type(retryable),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    return await self._once(method, path, params, body, order_request)
        except _NotSent as exc:
            raise AlpacaServerError(f"alpaca {method} {path}: could not connect ({exc})") from None
        raise AssertionError("unreachable")  # pragma: no cover

    async def _once(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None,
        body: Mapping[str, Any] | None,
        order_request: bool,
    ) -> Any:
        await self.limiter.acquire()
        self.requests += 1
        try:
            response = await self._http.request(
                method,
                path,
                params=dict(params) if params else None,
                json=dict(body) if body is not None else None,
            )
        except NEVER_SENT as exc:
            raise _NotSent(str(exc) or type(exc).__name__) from exc
        except httpx.HTTPError as exc:
            what = f"alpaca {method} {path}: {type(exc).__name__}"
            if order_request:
                raise AlpacaOutcomeUnknown(f"{what}; the order may have reached Alpaca") from exc
            raise AlpacaServerError(what) from exc
        return self._decode(method, path, response, order_request)

    def _decode(self, method: str, path: str, response: httpx.Response, order_request: bool) -> Any:
        status = response.status_code
        text = response.text
        if status >= 300:
            try:
                body = json.loads(text) if text.strip() else {}
            except json.JSONDecodeError:
                body = {"message": text[:200]}
            error = map_error(
                status, body if isinstance(body, dict) else {}, order_request=order_request
            )
            if isinstance(error, AlpacaRateLimited):
                self.rate_limited += 1
                log.warning("alpaca %s %s rate limited; backing off", method, path)
            raise error
        if not text.strip():
            return None
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            raise AlpacaServerError(f"alpaca {method} {path}: reply is not JSON") from None
