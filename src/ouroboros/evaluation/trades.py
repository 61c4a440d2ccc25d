"""Round trips: a trade opens when a position leaves zero and closes when it returns to zero."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal

from ouroboros.domain.currency import Currency
from ouroboros.domain.fills import Fill
from ouroboros.domain.ids import InstrumentId


@dataclass(slots=True)
class Trade:
    instrument_id: InstrumentId
    entry_ts: datetime
    entry_price: Decimal
    quantity: Decimal
    exit_ts: datetime | None = None
    exit_price: Decimal | None = None
    pnl: Decimal = Decimal(0)
    fees: Decimal = Decimal(0)
    currency: Currency = Currency.USD
    """The instrument's currency: prices, P&L and fees of this trade are in it."""
    _bought: Decimal = field(default=Decimal(0), repr=False)
    _sold: Decimal = field(default=Decimal(0), repr=False)
    _qty_in: Decimal = field(default=Decimal(0), repr=False)
    _qty_out: Decimal = field(default=Decimal(0), repr=False)

    @property
    def is_open(self) -> bool:
        return self.exit_ts is None

    def to_dict(self) -> dict[str, str | None]:
        return {
            "instrument_id": str(self.instrument_id),
            "currency": self.currency.value,
            "entry_ts": self.entry_ts.isoformat(),
            "entry_price": str(self.entry_price),
            "quantity": str(self.quantity),
            "exit_ts": self.exit_ts.isoformat() if self.exit_ts else None,
            "exit_price": str(self.exit_price) if self.exit_price is not None else None,
            "pnl": str(self.pnl),
            "fees": str(self.fees),
        }


class TradeTracker:
    """Builds long round trips from fills (the products here do not sell short)."""

    def __init__(self) -> None:
        self.open: dict[InstrumentId, Trade] = {}
        self.closed: list[Trade] = []

    def on_fill(self, fill: Fill, position_after: Decimal) -> None:
        qty, px = fill.quantity.value, fill.price.value
        trade = self.open.get(fill.instrument_id)
        if trade is None:
            trade = Trade(fill.instrument_id, fill.ts, px, Decimal(0), currency=fill.fee.currency)
            self.open[fill.instrument_id] = trade
        trade.fees += fill.fee.amount
        if fill.side.sign > 0:
            trade._bought += qty * px
            trade._qty_in += qty
            trade.quantity = trade._qty_in
            trade.entry_price = trade._bought / trade._qty_in
        else:
            trade._sold += qty * px
            trade._qty_out += qty
        if position_after == 0:
            trade.exit_ts = fill.ts
            trade.exit_price = trade._sold / trade._qty_out if trade._qty_out else None
            trade.pnl = trade._sold - trade._bought - trade.fees
            self.closed.append(trade)
            del self.open[fill.instrument_id]

    def all_trades(self) -> list[Trade]:
        return [*self.closed, *self.open.values()]


def marked_trades(trades: Sequence[Trade], prices: Mapping[InstrumentId, Decimal]) -> list[Trade]:
    """``trades`` with each open one's P&L marked to market at ``prices`` (the shares still
    held at that price, plus what was sold, less what was paid and the fees); closed trades
    and open ones without a price are returned as they are."""
    out: list[Trade] = []
    for trade in trades:
        price = prices.get(trade.instrument_id)
        if not trade.is_open or price is None:
            out.append(trade)
            continue
        held = trade._qty_in - trade._qty_out
        pnl = held * price + trade._sold - trade._bought - trade.fees
        out.append(replace(trade, pnl=pnl))
    return out
