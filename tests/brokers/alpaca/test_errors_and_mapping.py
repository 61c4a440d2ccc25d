"""Alpaca's error codes and statuses: each one known is mapped deliberately."""

from __future__ import annotations

import pytest

from ouroboros.brokers.alpaca import errors as e
from ouroboros.brokers.alpaca import mapping as mp
from ouroboros.brokers.alpaca.wire import ORDER_STATUSES, parse_bars_page, parse_order
from ouroboros.domain.ids import ClientOrderId
from ouroboros.errors import DataError, InsufficientFunds, OutcomeUnknown, RetryError

# (HTTP status, code, message) as Alpaca sends them -> the class we raise (reference §3)
CASES: dict[int, list[tuple[int, str, type[Exception]]]] = {
    40010000: [(400, "qty or notional is required", e.AlpacaRejected)],
    40010001: [
        (422, "client_order_id must be unique", e.AlpacaDuplicateClientOrderId),
        (422, "us_equity orders not allowed for account", e.AlpacaRejected),
    ],
    40110000: [(401, "request is not authorized", e.AlpacaAuthError)],
    40310000: [
        (403, "insufficient buying power", e.AlpacaInsufficientFunds),
        (
            403,
            "insufficient qty available for order (requested: 23, available: 0)",
            e.AlpacaInsufficientFunds,
        ),
        (403, "potential wash trade detected. use complex orders", e.AlpacaWashTrade),
        (403, "order parameters are not changed", e.AlpacaUnchangedReplace),
    ],
    40310100: [(403, "pattern day trading protection", e.AlpacaPdtDenied)],
    40410000: [(404, "order not found", e.AlpacaNotFound)],
    42210000: [
        (422, 'order is already in "filled" state', e.AlpacaNotCancelable),
        (422, "invalid limit_price 290.123. sub-penny increment", e.AlpacaRejected),
        (422, "potential wash trade detected. use complex orders", e.AlpacaWashTrade),
    ],
    42910000: [(429, "rate limit exceeded", e.AlpacaRateLimited)],
    50010000: [(500, "internal server error", e.AlpacaServerError)],
}


def test_every_known_code_has_a_mapping_case() -> None:
    assert set(CASES) == set(e.KNOWN_CODES)


@pytest.mark.parametrize(
    ("code", "status", "message", "expected"),
    [(code, *case) for code, cases in CASES.items() for case in cases],
)
def test_known_code_maps_to_its_class(
    code: int, status: int, message: str, expected: type[Exception]
) -> None:
    error = e.map_error(status, {"code": code, "message": message}, order_request=False)
    assert type(error) is expected


def test_5xx_on_an_order_request_is_outcome_unknown_and_never_a_plain_retry() -> None:
    error = e.map_error(503, {"code": 50010000, "message": "x"}, order_request=True)
    assert isinstance(error, OutcomeUnknown)
    assert isinstance(e.map_error(503, None, order_request=False), RetryError)
    assert isinstance(
        e.map_error(
            403, {"code": 40310000, "message": "insufficient buying power"}, order_request=True
        ),
        InsufficientFunds,
    )


def test_every_alpaca_status_is_mapped() -> None:
    assert set(mp.STATUS) == ORDER_STATUSES
    assert len(ORDER_STATUSES) == 18


def test_replacement_ids_round_trip() -> None:
    cid = ClientOrderId("run7-0000012")
    assert mp.wire_client_id(cid, 3) == "run7-0000012.r3"
    assert mp.base_client_id("run7-0000012.r3") == ("run7-0000012", 3)
    assert mp.our_client_id("run7-0000012.r3") == cid
    assert mp.our_client_id("5f0c…leg").value.startswith("ALPACA-")


def test_malformed_replies_raise_a_one_line_data_error() -> None:
    with pytest.raises(DataError, match=r"order: malformed reply .*status"):
        parse_order(
            {
                "id": "x",
                "client_order_id": "c",
                "symbol": "A",
                "side": "buy",
                "type": "market",
                "time_in_force": "day",
                "status": "bogus",
                "created_at": "2026-01-05T15:00:00Z",
            }
        )
    with pytest.raises(DataError, match="no UTC offset"):
        parse_order(
            {
                "id": "x",
                "client_order_id": "c",
                "symbol": "A",
                "side": "buy",
                "type": "market",
                "time_in_force": "day",
                "status": "new",
                "created_at": "2026-01-05T15:00:00",
            }
        )
    with pytest.raises(DataError, match="bars"):
        parse_bars_page({"bars": None})
