"""Alpaca's wire shapes (reference §4-§7) and the ``parse_*`` functions that validate them.

Models keep only the fields we use; decimals arrive as strings on the trading API and as JSON
numbers on the data API, and are read into ``Decimal`` through ``str`` either way. A reply
that does not fit raises :class:`~ouroboros.errors.DataError` naming what was being read.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator

from ouroboros.brokers.alpaca.errors import malformed
from ouroboros.errors import InvariantError

ORDER_STATUSES = frozenset(
    {
        "new", "partially_filled", "filled", "done_for_day", "canceled", "expired", "replaced",
        "pending_cancel", "pending_replace", "accepted", "pending_new", "accepted_for_bidding",
        "stopped", "rejected", "suspended", "calculated", "held", "pending_review",
    }
)  # fmt: skip


class _Wire(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and value.tzinfo is None:
        raise ValueError("timestamp has no UTC offset")
    return value


class WireOrder(_Wire):
    id: str
    client_order_id: str
    symbol: str
    side: str
    type: str
    time_in_force: str
    status: str
    created_at: dt.datetime
    updated_at: dt.datetime | None = None
    qty: Decimal | None = None
    notional: Decimal | None = None
    filled_qty: Decimal = Decimal(0)
    filled_avg_price: Decimal | None = None
    limit_price: Decimal | None = None
    stop_price: Decimal | None = None
    order_class: str = ""
    replaced_by: str | None = None
    replaces: str | None = None
    extended_hours: bool = False
    legs: list[WireOrder] | None = None

    @field_validator("status")
    @classmethod
    def _status(cls, value: str) -> str:
        if value not in ORDER_STATUSES:
            raise ValueError(f"unknown order status {value!r}")
        return value

    @field_validator("created_at", "updated_at")
    @classmethod
    def _tz(cls, value: dt.datetime | None) -> dt.datetime | None:
        return _aware(value)


class WireAccount(_Wire):
    id: str
    account_number: str
    status: str
    currency: str = "USD"
    cash: Decimal
    buying_power: Decimal
    equity: Decimal | None = None
    trading_blocked: bool = False
    account_blocked: bool = False
    shorting_enabled: bool = False


class WirePosition(_Wire):
    symbol: str
    exchange: str
    qty: Decimal
    avg_entry_price: Decimal
    side: str
    market_value: Decimal | None = None
    cost_basis: Decimal | None = None


class WireAsset(_Wire):
    id: str
    symbol: str
    exchange: str
    status: str
    tradable: bool
    fractionable: bool
    shortable: bool
    easy_to_borrow: bool
    marginable: bool
    asset_class: str = Field(alias="class")


class WireClock(_Wire):
    timestamp: dt.datetime
    is_open: bool
    next_open: dt.datetime
    next_close: dt.datetime


class WireCalendarDay(_Wire):
    date: dt.date
    open: str
    close: str


class WireActivity(_Wire):
    id: str
    activity_type: str
    transaction_time: dt.datetime
    type: str
    price: Decimal
    qty: Decimal
    side: str
    symbol: str
    leaves_qty: Decimal
    order_id: str
    cum_qty: Decimal
    order_status: str = ""

    @field_validator("transaction_time")
    @classmethod
    def _tz(cls, value: dt.datetime) -> dt.datetime:
        out = _aware(value)
        if out is None:
            raise InvariantError("an Alpaca timestamp parsed to nothing")
        return out


class WireTradeUpdate(_Wire):
    event: str
    order: WireOrder
    timestamp: dt.datetime
    execution_id: str | None = None
    price: Decimal | None = None
    qty: Decimal | None = None
    position_qty: Decimal | None = None


class WireBar(_Wire):
    t: dt.datetime
    o: Decimal
    h: Decimal
    low: Decimal = Field(alias="l")
    c: Decimal
    v: Decimal
    n: int | None = None
    vw: Decimal | None = None


class WireQuote(_Wire):
    t: dt.datetime
    bp: Decimal
    bs: Decimal
    ap: Decimal
    as_: Decimal = Field(alias="as")


class WireTrade(_Wire):
    t: dt.datetime
    p: Decimal
    s: Decimal


M = TypeVar("M", bound=BaseModel)


def _parse(model: type[M], data: Any, what: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise malformed(what, f"{where}: {first.get('msg')}") from None


def _parse_list(model: type[M], data: Any, what: str) -> list[M]:
    if not isinstance(data, list):
        raise malformed(what, f"expected a list, got {type(data).__name__}")
    return [_parse(model, item, what) for item in data]


def parse_order(data: Any) -> WireOrder:
    return _parse(WireOrder, data, "order")


def parse_orders(data: Any) -> list[WireOrder]:
    return _parse_list(WireOrder, data, "orders")


def parse_account(data: Any) -> WireAccount:
    return _parse(WireAccount, data, "account")


def parse_positions(data: Any) -> list[WirePosition]:
    return _parse_list(WirePosition, data, "positions")


def parse_asset(data: Any) -> WireAsset:
    return _parse(WireAsset, data, "asset")


def parse_clock(data: Any) -> WireClock:
    return _parse(WireClock, data, "clock")


def parse_calendar(data: Any) -> list[WireCalendarDay]:
    return _parse_list(WireCalendarDay, data, "calendar")


def parse_activities(data: Any) -> list[WireActivity]:
    return _parse_list(WireActivity, data, "activities")


def parse_trade_update(data: Any) -> WireTradeUpdate:
    return _parse(WireTradeUpdate, data, "trade update")


def parse_bars_page(data: Any) -> tuple[dict[str, list[WireBar]], str | None]:
    """One page of ``/v2/stocks/bars``: bars per symbol (an object, never null) and the token."""
    if not isinstance(data, dict) or not isinstance(data.get("bars"), dict):
        raise malformed("bars", "expected an object with a 'bars' object")
    adapter = TypeAdapter(list[WireBar])
    out: dict[str, list[WireBar]] = {}
    for symbol, rows in data["bars"].items():
        try:
            out[str(symbol)] = adapter.validate_python(rows)
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            raise malformed(f"bars for {symbol}", str(first.get("msg"))) from None
    token = data.get("next_page_token")
    return out, (str(token) if token else None)


def parse_latest(data: Any, key: str, model: type[M]) -> dict[str, M]:
    """``{"quotes": {"AAPL": {...}}}`` and its trade/bar siblings."""
    if not isinstance(data, dict) or not isinstance(data.get(key), dict):
        raise malformed(f"latest {key}", f"expected an object with a '{key}' object")
    return {str(s): _parse(model, row, f"latest {key} for {s}") for s, row in data[key].items()}
