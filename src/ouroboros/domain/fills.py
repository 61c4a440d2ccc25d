"""Executions reported by a broker or the fill simulator."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ouroboros.domain.ids import ClientOrderId, InstrumentId
from ouroboros.domain.money import Money, Price, Quantity
from ouroboros.domain.orders import OrderSide


@dataclass(frozen=True, slots=True)
class Fill:
    """One execution. ``fill_id`` is unique per broker so a replayed report is booked once."""

    fill_id: str
    client_order_id: ClientOrderId
    instrument_id: InstrumentId
    side: OrderSide
    quantity: Quantity
    price: Price
    fee: Money
    ts: datetime

    def audit_payload(self) -> dict[str, str]:
        """The fill as the audit trail records it (exact decimals as strings)."""
        return {
            "fill_id": self.fill_id,
            "client_order_id": self.client_order_id.value,
            "instrument_id": str(self.instrument_id),
            "side": self.side.value,
            "quantity": str(self.quantity),
            "price": str(self.price),
            "fee": str(self.fee.amount),
            "currency": self.fee.currency.value,
        }

    def __post_init__(self) -> None:
        if self.quantity.is_zero:
            raise ValueError(f"fill {self.fill_id}: invalid quantity, was 0")
        if self.fee.amount < 0:
            raise ValueError(f"fill {self.fill_id}: invalid fee, was {self.fee}")
        if self.ts.tzinfo is None:
            raise ValueError(f"fill {self.fill_id}: time must be timezone-aware")
