"""Alpaca's error replies mapped onto our error hierarchy (reference §3, §9).

Every HTTP error carries ``{"code": <int>, "message": <str>}``. The code says the class
(``40310000`` forbidden by a trading rule, ``40010001`` validation, ...); within 40310000 the
message tells buying power, held shares, wash trade and unchanged replace apart. What matters
for safety is whether a request may have been processed: a 429 or an auth failure was refused
before processing; a 5xx or a timeout on an order request leaves the outcome unknown.
"""

from __future__ import annotations

from typing import Any

from ouroboros.errors import (
    ConfigError,
    DataError,
    InsufficientFunds,
    OrderRejected,
    OutcomeUnknown,
    RateLimited,
    TemporaryBrokerError,
)


class AlpacaRejected(OrderRejected):
    """Alpaca refused the request by a rule; resending the same request fails the same way."""

    def __init__(self, status: int, code: int, message: str, body: dict[str, Any] | None = None):
        super().__init__(f"alpaca {status}/{code}: {message}")
        self.status, self.code, self.message = status, code, message
        self.body = body or {}


class AlpacaInsufficientFunds(AlpacaRejected, InsufficientFunds):
    """403/40310000 insufficient buying power, or shares held by other orders."""


class AlpacaWashTrade(AlpacaRejected):
    """An opposite-side order of the same symbol is open (reference §9.1)."""


class AlpacaUnchangedReplace(AlpacaRejected):
    """A replace that changes nothing (403/40310000 ``order parameters are not changed``)."""


class AlpacaDuplicateClientOrderId(AlpacaRejected):
    """422/40010001 ``client_order_id must be unique``: the id is taken, maybe by our own order."""


class AlpacaNotFound(AlpacaRejected):
    """404/40410000: no such order, position or asset."""


class AlpacaNotCancelable(AlpacaRejected):
    """422/42210000 on a DELETE: the order is already filled, canceled or replaced."""


class AlpacaPdtDenied(AlpacaRejected):
    """403/40310100: pattern-day-trader protection (retired 2026, kept for old accounts)."""


class AlpacaRateLimited(RateLimited):
    """429: refused before processing; safe to resend after a pause."""


class AlpacaServerError(TemporaryBrokerError):
    """5xx or a transport failure on a query (safe to retry)."""


class AlpacaOutcomeUnknown(OutcomeUnknown):
    """An order request got a 5xx, a timeout or a dropped connection: it may have been placed."""


class AlpacaAuthError(ConfigError):
    """401/403 on authentication: the keys are wrong or belong to the other environment."""


KNOWN_CODES: dict[int, str] = {
    40010000: "malformed request",
    40010001: "validation failed (including a duplicate client_order_id)",
    40110000: "not authorized",
    40310000: "forbidden by a trading rule (buying power, held qty, wash trade, unchanged replace)",
    40310100: "pattern day trader protection",
    40410000: "not found",
    42210000: "unprocessable (sub-penny price, order not cancelable, data subscription)",
    42910000: "rate limit exceeded",
    50010000: "internal server error",
}


def map_error(status: int, body: dict[str, Any] | None, *, order_request: bool) -> Exception:
    """The exception for an HTTP error reply. ``order_request``: a POST/PATCH/DELETE on orders,
    where a 5xx means the outcome is unknown rather than "retry"."""
    body = body or {}
    raw_code = body.get("code")
    code = raw_code if isinstance(raw_code, int) else 0
    message = str(body.get("message") or f"HTTP {status}")
    text = message.lower()
    if status == 429:
        return AlpacaRateLimited(f"alpaca 429: {message}")
    if status >= 500:
        cls = AlpacaOutcomeUnknown if order_request else AlpacaServerError
        return cls(f"alpaca {status}/{code}: {message}")
    if status == 401 or code == 40110000:
        return AlpacaAuthError(
            f"alpaca {status}: {message} (check ALPACA_API_KEY/ALPACA_SECRET_KEY)"
        )
    if status == 404 or code == 40410000:
        return AlpacaNotFound(status, code, message, body)
    if "wash trade" in text:
        return AlpacaWashTrade(status, code, message, body)
    if code == 40310100:
        return AlpacaPdtDenied(status, code, message, body)
    if "buying power" in text or "insufficient qty" in text:
        return AlpacaInsufficientFunds(status, code, message, body)
    if "not changed" in text:
        return AlpacaUnchangedReplace(status, code, message, body)
    if "client_order_id must be unique" in text:
        return AlpacaDuplicateClientOrderId(status, code, message, body)
    if code == 42210000 and "state" in text:
        return AlpacaNotCancelable(status, code, message, body)
    if status == 403 and code not in KNOWN_CODES:
        return AlpacaAuthError(f"alpaca 403: {message}")
    return AlpacaRejected(status, code, message, body)


def malformed(what: str, detail: str) -> DataError:
    return DataError(f"alpaca {what}: malformed reply ({detail})")
