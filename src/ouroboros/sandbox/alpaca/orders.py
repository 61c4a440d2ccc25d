"""One order at the sandbox, and its Alpaca JSON form (reference §4.3)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ouroboros.sandbox.alpaca.wire import dec, ts

OPEN = frozenset(
    {
        "new",
        "partially_filled",
        "accepted",
        "pending_new",
        "held",
        "pending_cancel",
        "pending_replace",
        "accepted_for_bidding",
        "calculated",
        "done_for_day",
    }
)
FINAL = frozenset({"filled", "canceled", "expired", "replaced", "rejected"})


def asset_uuid(symbol: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"alpaca-sandbox/asset/{symbol}"))


@dataclass(slots=True, eq=False)
class SbOrder:
    id: str
    client_order_id: str
    symbol: str
    side: str
    type: str
    time_in_force: str
    qty: Decimal | None
    notional: Decimal | None
    created_at: dt.datetime
    limit_price: Decimal | None = None
    stop_price: Decimal | None = None
    trail_price: Decimal | None = None
    trail_percent: Decimal | None = None
    extended_hours: bool = False
    order_class: str = ""
    status: str = "new"
    filled_qty: Decimal = Decimal(0)
    filled_value: Decimal = Decimal(0)
    updated_at: dt.datetime | None = None
    filled_at: dt.datetime | None = None
    canceled_at: dt.datetime | None = None
    expired_at: dt.datetime | None = None
    failed_at: dt.datetime | None = None
    replaced_at: dt.datetime | None = None
    replaced_by: str | None = None
    replaces: str | None = None
    hwm: Decimal | None = None
    triggered: bool = False
    parent: str | None = None
    legs: list[SbOrder] = field(default_factory=list)
    seq: int = 0

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    @property
    def total(self) -> Decimal:
        """Shares this order is for (a notional order's size is fixed when it fills)."""
        return self.qty if self.qty is not None else self.filled_qty

    @property
    def leaves(self) -> Decimal:
        return Decimal(0) if not self.is_open or self.qty is None else self.qty - self.filled_qty

    @property
    def average(self) -> Decimal | None:
        if not self.filled_qty:
            return None
        return (self.filled_value / self.filled_qty).quantize(Decimal("0.0001"))

    def touch(self, at: dt.datetime, status: str | None = None) -> None:
        self.updated_at = at
        if status is not None:
            self.status = status

    def to_json(self, nested: bool = True) -> dict[str, Any]:
        legs = [leg.to_json() for leg in self.legs] if (nested and self.legs) else None
        return {
            "id": self.id,
            "client_order_id": self.client_order_id,
            "created_at": ts(self.created_at),
            "updated_at": ts(self.updated_at or self.created_at),
            "submitted_at": ts(self.created_at),
            "filled_at": ts(self.filled_at),
            "expired_at": ts(self.expired_at),
            "expires_at": None,
            "canceled_at": ts(self.canceled_at),
            "failed_at": ts(self.failed_at),
            "replaced_at": ts(self.replaced_at),
            "replaced_by": self.replaced_by,
            "replaces": self.replaces,
            "asset_id": asset_uuid(self.symbol),
            "symbol": self.symbol,
            "asset_class": "us_equity",
            "notional": dec(self.notional),
            "qty": dec(self.qty),
            "filled_qty": dec(self.filled_qty),
            "filled_avg_price": dec(self.average),
            "order_class": self.order_class,
            "order_type": self.type,
            "type": self.type,
            "side": self.side,
            "position_intent": None,
            "time_in_force": self.time_in_force,
            "limit_price": dec(self.limit_price),
            "stop_price": dec(self.stop_price),
            "status": self.status,
            "extended_hours": self.extended_hours,
            "legs": legs,
            "trail_percent": dec(self.trail_percent),
            "trail_price": dec(self.trail_price),
            "hwm": dec(self.hwm),
            "commission": "0",
        }
