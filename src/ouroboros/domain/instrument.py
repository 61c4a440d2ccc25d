"""Instruments own their trading rules: currency, tick grid, board lot and rounding."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_FLOOR, Decimal

from ouroboros.domain.currency import Currency
from ouroboros.domain.ids import InstrumentId, Venue
from ouroboros.domain.money import Money, Price, Quantity, notional
from ouroboros.domain.orders import OrderSide
from ouroboros.domain.ticks import PriceRounding, TickTable, tick_table_for

VENUE_CURRENCY: dict[Venue, Currency] = {
    Venue.KRX: Currency.KRW,
    Venue.NASDAQ: Currency.USD,
    Venue.NYSE: Currency.USD,
    Venue.AMEX: Currency.USD,
    Venue.TSE: Currency.JPY,
    Venue.HKEX: Currency.HKD,
    Venue.SSE: Currency.CNY,
    Venue.SZSE: Currency.CNY,
    Venue.HNX: Currency.VND,
    Venue.HOSE: Currency.VND,
}

# Board lots (shares per tradable unit). Sources: JPX unified the trading unit at 100 shares
# (2018-10-01); SSE/SZSE A-share buy orders are in multiples of 100 while a sell may close an
# odd remainder; HOSE and HNX trade round lots of 100 (odd lots 1-99 trade in a separate board we
# do not use); KRX and US trade single shares. Hong Kong lots are set per stock by the issuer,
# so an HKEX instrument must be given its lot (100 is only the fallback for synthetic symbols).
DEFAULT_BUY_LOT: dict[Venue, int] = {
    Venue.KRX: 1,
    Venue.NASDAQ: 1,
    Venue.NYSE: 1,
    Venue.AMEX: 1,
    Venue.TSE: 100,
    Venue.HKEX: 100,
    Venue.SSE: 100,
    Venue.SZSE: 100,
    Venue.HNX: 100,
    Venue.HOSE: 100,
}
_ODD_LOT_SELLS = {Venue.SSE, Venue.SZSE}


@dataclass(frozen=True, slots=True)
class Instrument:
    """A tradable stock and the exchange rules that make an order valid.

    ``lot_size`` is the buy board lot; ``sell_lot_size`` differs only where the exchange lets a
    seller close an odd remainder (China A shares).
    """

    id: InstrumentId
    currency: Currency
    lot_size: int
    sell_lot_size: int
    tick_table: TickTable
    name: str = ""
    sector: str = ""
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        if self.lot_size < 1 or self.sell_lot_size < 1:
            raise ValueError(f"{self.id}: lot size must be >= 1, was {self.lot_size}")

    @classmethod
    def for_venue(
        cls,
        instrument_id: InstrumentId | str,
        *,
        lot_size: int | None = None,
        name: str = "",
        sector: str = "",
        on: date | None = None,
    ) -> Instrument:
        """An instrument with its venue's default currency, tick table and lot."""
        iid = (
            instrument_id
            if isinstance(instrument_id, InstrumentId)
            else InstrumentId.parse(instrument_id)
        )
        venue = iid.venue
        buy_lot = lot_size if lot_size is not None else DEFAULT_BUY_LOT[venue]
        sell_lot = 1 if venue in _ODD_LOT_SELLS else buy_lot
        return cls(
            id=iid,
            currency=VENUE_CURRENCY[venue],
            lot_size=buy_lot,
            sell_lot_size=sell_lot,
            tick_table=tick_table_for(venue, on),
            name=name,
            sector=sector,
        )

    @property
    def venue(self) -> Venue:
        return self.id.venue

    def tick_size(self, price: Price | Decimal) -> Decimal:
        return self.tick_table.tick_for(price.value if isinstance(price, Price) else price)

    def is_valid_price(self, price: Price | Decimal) -> bool:
        return self.tick_table.is_valid(price.value if isinstance(price, Price) else price)

    def round_price(
        self, price: Price | Decimal, mode: PriceRounding = PriceRounding.NEAREST
    ) -> Price:
        raw = price.value if isinstance(price, Price) else price
        return Price(self.tick_table.round(raw, mode))

    def lot_for(self, side: OrderSide) -> int:
        return self.lot_size if side is OrderSide.BUY else self.sell_lot_size

    def round_quantity(self, quantity: Quantity | Decimal, side: OrderSide) -> Quantity:
        """Round down to whole lots: the result never exceeds what was asked for."""
        raw = quantity.value if isinstance(quantity, Quantity) else quantity
        if raw < 0:
            raise ValueError(f"invalid quantity, was {raw}")
        lot = Decimal(self.lot_for(side))
        return Quantity((raw / lot).quantize(Decimal(1), rounding=ROUND_FLOOR) * lot)

    def is_valid_quantity(self, quantity: Quantity | Decimal, side: OrderSide) -> bool:
        raw = quantity.value if isinstance(quantity, Quantity) else quantity
        return raw > 0 and raw % self.lot_for(side) == 0

    def notional(self, price: Price, quantity: Quantity) -> Money:
        return notional(price, quantity, self.currency)
