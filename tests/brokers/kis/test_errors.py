"""Every KIS code in the reference maps onto the project's error hierarchy."""

from __future__ import annotations

import pytest

from ouroboros.brokers.kis.errors import (
    ENGLISH,
    KNOWN_CODES,
    KisAuthError,
    KisInsufficientFunds,
    KisMarketClosed,
    KisOrderRejected,
    KisOutcomeUnknown,
    KisRateLimited,
    KisRequestError,
    KisServerError,
    KisSubscriptionError,
    KisTokenExpired,
    KisTokenIssueLimited,
    KisUnknownProduct,
    KisWrongDomain,
    is_success,
    map_error,
)
from ouroboros.errors import (
    ConfigError,
    InsufficientFunds,
    OrderRejected,
    RateLimited,
    RetryError,
    SkipError,
    StopError,
    TemporaryBrokerError,
)

REFERENCE_CODES = {
    "EGW00201": (KisRateLimited, RateLimited),
    "EGW00123": (KisTokenExpired, RetryError),
    "EGW00121": (KisTokenExpired, RetryError),
    "EGW00133": (KisTokenIssueLimited, RateLimited),
    "EGW00103": (KisAuthError, ConfigError),
    "EGW02004": (KisAuthError, ConfigError),
    "APBK0919": (KisMarketClosed, OrderRejected),
    "APBK1664": (KisMarketClosed, OrderRejected),
    "APBK0656": (KisUnknownProduct, OrderRejected),
    "APBK0952": (KisInsufficientFunds, InsufficientFunds),
    "APBK0400": (KisInsufficientFunds, InsufficientFunds),
    "OPSP8996": (TemporaryBrokerError, RetryError),
    "OPSP0007": (KisServerError, RetryError),
    "OPSP0008": (KisSubscriptionError, SkipError),
}


@pytest.mark.parametrize(("code", "expected"), sorted(REFERENCE_CODES.items()))
def test_reference_error_code_is_mapped(code: str, expected: tuple[type, type]) -> None:
    error = map_error(code, "메시지", http_status=500, tr_id="TTTC0012U", is_order=True)
    assert isinstance(error, expected[0])
    assert isinstance(error, expected[1])
    assert code in str(error)
    assert "TTTC0012U" in str(error)


@pytest.mark.parametrize("code", ["APBK0013", "OPSP0000", "OPSP0001", "OPSP0002", "OPSP0003"])
def test_success_and_benign_codes_carry_no_error(code: str) -> None:
    assert KNOWN_CODES[code].error is None
    assert is_success("0")


def test_every_known_code_is_classified() -> None:
    for code, info in KNOWN_CODES.items():
        if info.error is None:
            continue
        error = map_error(code, "x")
        assert isinstance(error, StopError | SkipError | RetryError), code


def test_unknown_business_code_on_an_order_is_a_rejection() -> None:
    error = map_error("APBK9999", "알 수 없는 오류", http_status=200, is_order=True)
    assert isinstance(error, KisOrderRejected)
    assert isinstance(error, OrderRejected)


def test_unknown_business_code_on_a_query_is_a_skip() -> None:
    error = map_error("OPSQ2000", "ERROR : INPUT INVALID_CHECK_ACNO", http_status=200)
    assert isinstance(error, KisRequestError)
    assert isinstance(error, SkipError)


def test_unknown_gateway_code_on_an_order_is_an_unknown_outcome_not_a_retry() -> None:
    assert isinstance(map_error("EGW99999", "?", http_status=500, is_order=True), KisOutcomeUnknown)
    assert isinstance(map_error("EGW99999", "?", http_status=500), KisServerError)


def test_wrong_domain_message_is_a_configuration_error() -> None:
    error = map_error("", "모의투자 TR 이 아닙니다.", http_status=500, tr_id="TTTC0012U")
    assert isinstance(error, KisWrongDomain)
    assert isinstance(error, ConfigError)


def test_rt_cd_decides_success_not_the_message_code() -> None:
    assert is_success("0")
    assert not is_success("1")
    assert not is_success("7")


def test_kis_errors_carry_the_english_meaning_beside_the_korean_message() -> None:
    error = map_error("APBK0952", "주문가능금액을 초과 했습니다", is_order=True)
    assert "주문가능금액을 초과 했습니다" in str(error)
    assert "[the order exceeds the cash available]" in str(error)
    assert set(ENGLISH) <= set(KNOWN_CODES)
    assert all(ENGLISH.get(c) for c, info in KNOWN_CODES.items() if info.error is not None)
