"""Access tokens: cached on disk per app key, reused until expiry, issued at most once a minute.

KIS allows one token issuance per minute per app key (EGW00133) and notifies the account holder
on every issuance, so the token lives in a file (``<token_dir>/token_<hash>.json``, mode 0600,
written atomically) shared by every adapter instance and process on the machine. It is refreshed
when less than ``refresh_margin`` remains; if the minute rule blocks a refresh while the current
token is still valid, the current one is used.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from ouroboros.brokers.kis._time import Now, Sleep, parse_kst
from ouroboros.brokers.kis.config import KisSettings
from ouroboros.brokers.kis.errors import KisServerError, KisTokenIssueLimited, map_error

log = logging.getLogger("ouroboros.brokers.kis.token")


@dataclass(frozen=True, slots=True)
class AccessToken:
    value: str = field(repr=False)
    expires_at: datetime
    issued_at: datetime


class TokenStore:
    """One JSON file per (app key, server): the token and when a token was last issued."""

    def __init__(self, directory: Path, app_key: str, base_url: str) -> None:
        digest = hashlib.sha256(f"{app_key}|{base_url}".encode()).hexdigest()[:20]
        self.directory = directory
        self.path = directory / f"token_{digest}.json"

    def __repr__(self) -> str:
        return f"TokenStore({self.path})"

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def load(self) -> AccessToken | None:
        data = self._read()
        try:
            return AccessToken(
                str(data["access_token"]),
                datetime.fromisoformat(str(data["expires_at"])),
                datetime.fromisoformat(str(data["issued_at"])),
            )
        except (KeyError, ValueError):
            return None

    def last_issue(self) -> datetime | None:
        stamp = self._read().get("last_issue")
        return datetime.fromisoformat(stamp) if isinstance(stamp, str) else None

    def _write(self, data: dict[str, Any]) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):
            os.chmod(self.directory, 0o700)
        fd, tmp = tempfile.mkstemp(prefix=".token-", dir=self.directory)
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def save(self, token: AccessToken) -> None:
        self._write(
            {
                "access_token": token.value,
                "expires_at": token.expires_at.isoformat(),
                "issued_at": token.issued_at.isoformat(),
                "last_issue": token.issued_at.isoformat(),
            }
        )

    def mark_issue_attempt(self, at: datetime) -> None:
        data = self._read()
        data["last_issue"] = at.isoformat()
        self._write(data)

    def discard(self, value: str) -> None:
        """Forget the token if it is the one stored (keeps ``last_issue`` for the minute rule)."""
        data = self._read()
        if data.get("access_token") == value:
            self._write({"last_issue": data.get("last_issue")} if data.get("last_issue") else {})


class TokenManager:
    """Hands out a valid access token, issuing one only when needed and allowed."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        settings: KisSettings,
        store: TokenStore,
        now: Now,
        sleep: Sleep,
        refresh_margin: timedelta = timedelta(minutes=10),
    ) -> None:
        self._http = http
        self._settings = settings
        self._store = store
        self._now = now
        self._sleep = sleep
        self._margin = refresh_margin
        self._token: AccessToken | None = None
        self._lock = asyncio.Lock()
        self.issued = 0

    def __repr__(self) -> str:
        return f"TokenManager(store={self._store!r})"

    async def token(self) -> str:
        async with self._lock:
            current = self._token or self._store.load()
            now = self._now()
            if current is not None and current.expires_at - now > self._margin:
                self._token = current
                return current.value
            try:
                fresh = await self._issue(allow_wait=current is None or current.expires_at <= now)
            except KisTokenIssueLimited:
                if current is not None and current.expires_at > now:
                    self._token = current
                    return current.value  # refresh blocked by the minute rule; still valid
                raise
            self._token = fresh
            return fresh.value

    async def invalidate(self, value: str) -> None:
        """Drop a token the server called expired or invalid (EGW00123 / EGW00121)."""
        async with self._lock:
            if self._token is not None and self._token.value == value:
                self._token = None
            self._store.discard(value)

    async def _issue(self, allow_wait: bool) -> AccessToken:
        interval = self._settings.token_min_interval
        last = self._store.last_issue()
        if last is not None:
            wait = interval - (self._now() - last).total_seconds()
            if wait > 0:
                if not allow_wait or wait > self._settings.token_max_wait:
                    raise KisTokenIssueLimited(
                        f"KIS token issuance is limited to one a minute; next allowed in "
                        f"{wait:.0f}s (last issue {last.isoformat()})"
                    )
                log.info("waiting %.1fs before issuing a KIS token (1/min rule)", wait)
                await self._sleep(wait)
        for attempt in range(2):
            try:
                return await self._request_token()
            except KisTokenIssueLimited:
                # Someone else (another process, the HTS) issued one: wait out the minute once.
                if attempt or not allow_wait or interval > self._settings.token_max_wait:
                    raise
                await self._sleep(interval)
        raise AssertionError("unreachable")

    async def _request_token(self) -> AccessToken:
        s = self._settings
        body = {
            "grant_type": "client_credentials",
            "appkey": s.app_key.get_secret_value(),
            "appsecret": s.app_secret.get_secret_value(),
        }
        started = self._now()
        self._store.mark_issue_attempt(started)
        try:
            response = await self._http.post(f"{s.rest_url}/oauth2/tokenP", json=body)
        except httpx.HTTPError as exc:
            raise KisServerError(f"KIS token request failed: {type(exc).__name__}") from None
        data = _json(response)
        if response.status_code != 200 or "access_token" not in data:
            code = str(data.get("error_code") or data.get("msg_cd") or "")
            text = str(data.get("error_description") or data.get("msg1") or response.status_code)
            raise map_error(code, text, http_status=response.status_code, tr_id="tokenP")
        expires = _expiry(data, started)
        token = AccessToken(str(data["access_token"]), expires, started)
        self._store.save(token)
        self.issued += 1
        log.info("issued a KIS access token valid until %s", expires.isoformat())
        return token


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _expiry(data: dict[str, Any], issued: datetime) -> datetime:
    """``access_token_token_expired`` (KST) when present; else ``expires_in`` from issue time."""
    stamp = data.get("access_token_token_expired")
    if isinstance(stamp, str) and stamp.strip():
        with contextlib.suppress(ValueError):
            return parse_kst(stamp)
    return issued + timedelta(seconds=float(data.get("expires_in") or 86_400))
