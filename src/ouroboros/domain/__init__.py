"""The domain: value objects and entities of trading. Pure: no I/O, no frameworks, no clocks."""

from ouroboros.domain.currency import Currency
from ouroboros.domain.fills import Fill
from ouroboros.domain.fx import FxRateSource, MissingFxRate, StaticFxRates, convert
from ouroboros.domain.ids import ClientOrderId, InstrumentId, Venue, VenueOrderId
from ouroboros.domain.instrument import DEFAULT_BUY_LOT, VENUE_CURRENCY, Instrument
from ouroboros.domain.market_data import Bar, Quote
from ouroboros.domain.money import Money, Price, Quantity, notional, to_decimal
from ouroboros.domain.orders import (
    TRANSITIONS,
    IllegalTransition,
    Order,
    OrderEventKind,
    OrderSide,
    OrderStatus,
    OrderType,
    TimeInForce,
    next_status,
)
from ouroboros.domain.portfolio import Portfolio
from ouroboros.domain.position import Position
from ouroboros.domain.ticks import PriceRounding, TickTable, tick_table_for

__all__ = [
    "DEFAULT_BUY_LOT",
    "TRANSITIONS",
    "VENUE_CURRENCY",
    "Bar",
    "ClientOrderId",
    "Currency",
    "Fill",
    "FxRateSource",
    "IllegalTransition",
    "Instrument",
    "InstrumentId",
    "MissingFxRate",
    "Money",
    "Order",
    "OrderEventKind",
    "OrderSide",
    "OrderStatus",
    "OrderType",
    "Portfolio",
    "Position",
    "Price",
    "PriceRounding",
    "Quantity",
    "Quote",
    "StaticFxRates",
    "TickTable",
    "TimeInForce",
    "Venue",
    "VenueOrderId",
    "convert",
    "next_status",
    "notional",
    "tick_table_for",
    "to_decimal",
]
