"""KIS error codes translated onto the project's error hierarchy, at the edge.

Every code the reference lists is in :data:`KNOWN_CODES`, and a test walks that table. The rule
for anything else: a business refusal (HTTP 200, ``rt_cd != "0"``) is a skip (an order refused,
a query that cannot be answered); an unknown gateway error (HTTP 5xx) is a retry for queries and
an *unknown outcome* for orders, which are never blindly resent (see :class:`KisOutcomeUnknown`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ouroboros.errors import (
    ConfigError,
    InsufficientFunds,
    OrderRejected,
    OuroborosError,
    OutcomeUnknown,
    RateLimited,
    SkipError,
    TemporaryBrokerError,
)


class KisErrorMixin:
    """What KIS said, carried by every KIS error (never the request headers or body)."""

    msg_cd: str = ""
    msg1: str = ""
    tr_id: str = ""
    http_status: int | None = None

    def _init_kis(self, msg_cd: str, msg1: str, tr_id: str, http_status: int | None) -> None:
        self.msg_cd, self.msg1, self.tr_id, self.http_status = msg_cd, msg1, tr_id, http_status


class KisRateLimited(KisErrorMixin, RateLimited):
    """EGW00201: more requests per second than the app key is allowed."""


class KisTokenIssueLimited(KisErrorMixin, RateLimited):
    """EGW00133: a token was issued less than a minute ago for this app key."""


class KisTokenExpired(KisErrorMixin, TemporaryBrokerError):
    """EGW00123 (expired) / EGW00121 (invalid): re-authenticate, then retry exactly once."""


class KisAuthError(KisErrorMixin, ConfigError):
    """Credentials or domain are wrong (EGW00103 bad app key, EGW02004 virtual key on real)."""


class KisWrongDomain(KisErrorMixin, ConfigError):
    """A real tr_id sent to the virtual server (or the reverse): a configuration bug."""


class KisMarketClosed(KisErrorMixin, OrderRejected):
    """APBK0919 (domestic) / APBK1664 (overseas): the market is not open for this order."""


class KisUnknownProduct(KisErrorMixin, OrderRejected):
    """APBK0656: no such product."""


class KisInsufficientFunds(KisErrorMixin, InsufficientFunds):
    """APBK0952 (orderable cash exceeded) / APBK0400 (orderable quantity exceeded)."""


class KisOrderRejected(KisErrorMixin, OrderRejected):
    """Any other business refusal of an order, modify or cancel."""


class KisRequestError(KisErrorMixin, SkipError):
    """A business refusal of a query (HTTP 200 with ``rt_cd != "0"`` and an unlisted code)."""


class KisServerError(KisErrorMixin, TemporaryBrokerError):
    """A 5xx, a dropped connection, a timeout or a malformed body: the request may be retried
    if it was a query; an order in this state is a :class:`KisOutcomeUnknown` instead."""


class KisOutcomeUnknown(KisErrorMixin, OutcomeUnknown):
    """An order request was (or may have been) sent and no verdict came back.

    It is never blindly resent: the adapter looks the order up in the broker's daily order list
    and binds it to its client order id; until then the order stays in flight.
    """


class KisSubscriptionError(KisErrorMixin, SkipError):
    """A WebSocket subscribe was refused (OPSP codes) or would exceed the 40-subscription cap."""


class KisSessionInUse(KisErrorMixin, TemporaryBrokerError):
    """OPSP8996: the approval key's session is already in use elsewhere."""


ErrorFactory = Callable[[str, str, str, int | None], OuroborosError]


def _make(cls: type[KisErrorMixin]) -> ErrorFactory:
    def build(msg_cd: str, msg1: str, tr_id: str, status: int | None) -> OuroborosError:
        text = f"KIS {msg_cd or 'error'}: {msg1.strip() or 'no message'}"
        if msg_cd in ENGLISH:
            text += f" [{ENGLISH[msg_cd]}]"
        if tr_id:
            text += f" (tr_id {tr_id})"
        error = cls(text)  # type: ignore[call-arg]
        error._init_kis(msg_cd, msg1.strip(), tr_id, status)
        if not isinstance(error, OuroborosError):
            raise TypeError(f"{cls.__name__} is not an OuroborosError")
        return error

    return build


@dataclass(frozen=True, slots=True)
class CodeInfo:
    """How one vendor code is handled; ``error`` is None for success codes."""

    meaning: str
    error: type[KisErrorMixin] | None
    source: str


# Reference §2-§3 and §7; "community" marks codes corroborated only by third-party code.
KNOWN_CODES: dict[str, CodeInfo] = {
    "EGW00201": CodeInfo("초당 거래건수를 초과하였습니다.", KisRateLimited, "OTA"),
    "EGW00123": CodeInfo("기간이 만료된 token 입니다.", KisTokenExpired, "OTA, PK#52"),
    "EGW00121": CodeInfo("유효하지 않은 token 입니다.", KisTokenExpired, "community"),
    "EGW00133": CodeInfo(
        "접근토큰 발급 잠시 후 다시 시도하세요(1분당 1회)", KisTokenIssueLimited, "OTA#33"
    ),
    "EGW00103": CodeInfo("유효하지 않은 AppKey입니다.", KisAuthError, "community"),
    "EGW02004": CodeInfo(
        "실전투자 도메인은 모의투자 앱키로 호출하실 수 없습니다.", KisAuthError, "PK#90"
    ),
    "APBK0013": CodeInfo("주문 전송 완료 되었습니다.", None, "MJ"),
    "APBK0919": CodeInfo("domestic market closed", KisMarketClosed, "PK"),
    "APBK1664": CodeInfo("overseas market closed", KisMarketClosed, "PK"),
    "APBK0656": CodeInfo("no such product", KisUnknownProduct, "PK"),
    "APBK0952": CodeInfo("주문가능금액을 초과 했습니다", KisInsufficientFunds, "community"),
    "APBK0400": CodeInfo("주문 가능한 수량을 초과했습니다", KisInsufficientFunds, "community"),
    "OPSP0000": CodeInfo("SUBSCRIBE SUCCESS", None, "PK"),
    "OPSP0001": CodeInfo("UNSUBSCRIBE SUCCESS", None, "PK"),
    "OPSP0002": CodeInfo("ALREADY IN SUBSCRIBE", None, "PK"),
    "OPSP0003": CodeInfo("UNSUBSCRIBE ERROR(not found)", None, "PK"),
    "OPSP8996": CodeInfo("ALREADY IN USE appkey", KisSessionInUse, "PK"),
    "OPSP0007": CodeInfo("internal error", KisServerError, "PK"),
    "OPSP0008": CodeInfo("MAX SUBSCRIBE OVER", KisSubscriptionError, "community (unconfirmed)"),
}

# What each code means in English, shown beside KIS's (often Korean) message.
ENGLISH: dict[str, str] = {
    "EGW00201": "too many requests per second for this app key",
    "EGW00123": "the access token has expired",
    "EGW00121": "the access token is not valid",
    "EGW00133": "access tokens can be issued once a minute: retry later",
    "EGW00103": "the app key is not valid",
    "EGW02004": "a virtual-account app key cannot call the real-money server",
    "APBK0013": "order sent",
    "APBK0919": "the domestic market is closed",
    "APBK1664": "the overseas market is closed",
    "APBK0656": "no such product",
    "APBK0952": "the order exceeds the cash available",
    "APBK0400": "the order exceeds the quantity available",
    "OPSP8996": "this app key's session is already in use",
    "OPSP0007": "KIS internal error",
    "OPSP0008": "too many subscriptions",
}

# The reference quotes this message (no code) for a real tr_id on the virtual server.
WRONG_DOMAIN_MESSAGES = ("모의투자 TR 이 아닙니다", "실전투자 TR 이 아닙니다")


def is_success(rt_cd: str) -> bool:
    """``rt_cd`` "0" is success whatever the message code (APBK0013 on orders)."""
    return rt_cd == "0"


def map_error(
    msg_cd: str,
    msg1: str,
    *,
    http_status: int | None = None,
    tr_id: str = "",
    is_order: bool = False,
) -> OuroborosError:
    """The project error for a KIS refusal. Never returns None: call only on a failure."""
    info = KNOWN_CODES.get(msg_cd)
    if info is not None and info.error is not None:
        return _make(info.error)(msg_cd, msg1, tr_id, http_status)
    if any(m.replace(" ", "") in msg1.replace(" ", "") for m in WRONG_DOMAIN_MESSAGES):
        return _make(KisWrongDomain)(msg_cd, msg1, tr_id, http_status)
    server_side = http_status is not None and http_status >= 500
    if server_side:
        cls: type[KisErrorMixin] = KisOutcomeUnknown if is_order else KisServerError
    else:
        cls = KisOrderRejected if is_order else KisRequestError
    return _make(cls)(msg_cd, msg1, tr_id, http_status)
