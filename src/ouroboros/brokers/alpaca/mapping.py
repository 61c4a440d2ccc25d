"""Between our domain and Alpaca's wire values: order tickets, statuses, client order ids,
instruments and fills."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from ouroboros.brokers.alpaca.wire import WireOrder
from ouroboros.domain.ids import ClientOrderId, InstrumentId, Venue
from ouroboros.domain.orders import Order, OrderSide, OrderStatus, OrderType, TimeInForce

MAX_BASE_ID = 40
"""Alpaca takes client order ids up to 48 chars; 8 are kept for replacement suffixes."""

_SUFFIX = re.compile(r"^(?P<base>.+)\.r(?P<n>\d{1,6})$")

TYPES = {
    OrderType.MARKET: "market",
    OrderType.LIMIT: "limit",
    OrderType.STOP: "stop",
    OrderType.STOP_LIMIT: "stop_limit",
}
TIFS = {
    TimeInForce.DAY: "day",
    TimeInForce.GTC: "gtc",
    TimeInForce.IOC: "ioc",
    TimeInForce.FOK: "fok",
}
_WIRE_TYPES = {v: k for k, v in TYPES.items()}

STATUS = {
    "new": OrderStatus.ACCEPTED,
    "accepted": OrderStatus.ACCEPTED,
    "pending_new": OrderStatus.ACCEPTED,
    "accepted_for_bidding": OrderStatus.ACCEPTED,
    "held": OrderStatus.ACCEPTED,
    "calculated": OrderStatus.ACCEPTED,
    "stopped": OrderStatus.ACCEPTED,
    "suspended": OrderStatus.ACCEPTED,
    "pending_review": OrderStatus.ACCEPTED,
    "pending_replace": OrderStatus.ACCEPTED,
    "done_for_day": OrderStatus.ACCEPTED,
    "replaced": OrderStatus.ACCEPTED,
    "partially_filled": OrderStatus.PARTIALLY_FILLED,
    "filled": OrderStatus.FILLED,
    "pending_cancel": OrderStatus.PENDING_CANCEL,
    "canceled": OrderStatus.CANCELED,
    "expired": OrderStatus.EXPIRED,
    "rejected": OrderStatus.REJECTED,
}
"""Every one of Alpaca's 18 statuses (a test checks none is missing)."""

EXCHANGE_VENUES = {
    "NASDAQ": Venue.NASDAQ,
    "NYSE": Venue.NYSE,
    "AMEX": Venue.AMEX,
    "ARCA": Venue.AMEX,
    "NYSEARCA": Venue.AMEX,
    "BATS": Venue.AMEX,
}


def wire_client_id(cid: ClientOrderId, replacement: int = 0) -> str:
    return cid.value if replacement == 0 else f"{cid.value}.r{replacement}"


def leg_client_id(parent_base: str, leg_type: str) -> str:
    """The id a bracket/OTO leg reports under: ``<parent>-tp`` (limit) or ``<parent>-sl``."""
    return f"{parent_base}-{'tp' if leg_type == 'limit' else 'sl'}"


def base_client_id(wire: str) -> tuple[str, int]:
    """Our client order id and the replacement number behind a wire id (``X.r2`` → X, 2)."""
    match = _SUFFIX.match(wire)
    return (match["base"], int(match["n"])) if match else (wire, 0)


def our_client_id(wire: str) -> ClientOrderId:
    base, _n = base_client_id(wire)
    try:
        return ClientOrderId(base)
    except ValueError:  # not one of ours (a bracket leg, an order placed elsewhere)
        return ClientOrderId(("ALPACA-" + re.sub(r"[^A-Za-z0-9_\-]", "_", base))[:64])


def status_of(order: WireOrder) -> OrderStatus:
    status = STATUS[order.status]
    if status is OrderStatus.ACCEPTED and order.filled_qty > 0:
        return OrderStatus.PARTIALLY_FILLED
    return status


def instrument_for(symbol: str, exchange: str, known: dict[str, InstrumentId]) -> InstrumentId:
    if symbol in known:
        return known[symbol]
    venue = EXCHANGE_VENUES.get(exchange.upper(), Venue.NASDAQ)
    return InstrumentId(symbol, venue)


def side_of(text: str) -> OrderSide:
    return OrderSide.BUY if text == "buy" else OrderSide.SELL


def type_of(text: str) -> OrderType:
    return _WIRE_TYPES.get(text, OrderType.MARKET)


def ticket(order: Order, wire_id: str) -> dict[str, Any]:
    """The POST /v2/orders body for ``order``; decimals go as strings (Alpaca takes both)."""
    body: dict[str, Any] = {
        "symbol": order.instrument_id.symbol,
        "qty": plain(order.quantity.value),
        "side": order.side.value.lower(),
        "type": TYPES[order.order_type],
        "time_in_force": TIFS[order.time_in_force],
        "client_order_id": wire_id,
    }
    if order.limit_price is not None:
        body["limit_price"] = plain(order.limit_price.value)
    if order.stop_price is not None:
        body["stop_price"] = plain(order.stop_price.value)
    return body


def plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return "0" if text == "-0" else text
