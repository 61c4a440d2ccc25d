"""Orders and their lifecycle: an explicit ``(status, event) -> status`` table.

A local risk denial (``DENIED``) is distinct from a broker rejection (``REJECTED``). A submit
whose outcome is unknown stays ``SUBMITTED`` until the broker's reports settle it; nothing here
guesses. Any transition missing from the table raises :class:`IllegalTransition`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import Enum

from ouroboros.domain.ids import ClientOrderId, InstrumentId, VenueOrderId
from ouroboros.domain.money import Price, Quantity
from ouroboros.errors import InvariantError


class OrderSide(Enum):
    BUY = "BUY"
    SELL = "SELL"

    @property
    def sign(self) -> int:
        """+1 for a buy, -1 for a sell: the direction of the position change."""
        return 1 if self is OrderSide.BUY else -1

    @property
    def opposite(self) -> OrderSide:
        return OrderSide.SELL if self is OrderSide.BUY else OrderSide.BUY


class OrderType(Enum):
    MARKET = "MARKET"
    LIMIT = "LIMIT"
    STOP = "STOP"
    STOP_LIMIT = "STOP_LIMIT"

    @property
    def needs_limit_price(self) -> bool:
        return self in (OrderType.LIMIT, OrderType.STOP_LIMIT)

    @property
    def needs_stop_price(self) -> bool:
        return self in (OrderType.STOP, OrderType.STOP_LIMIT)


class TimeInForce(Enum):
    DAY = "DAY"
    GTC = "GTC"
    IOC = "IOC"
    FOK = "FOK"


class OrderStatus(Enum):
    INITIALIZED = "INITIALIZED"
    DENIED = "DENIED"
    SUBMITTED = "SUBMITTED"
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"
    PARTIALLY_FILLED = "PARTIALLY_FILLED"
    FILLED = "FILLED"
    PENDING_CANCEL = "PENDING_CANCEL"
    CANCELED = "CANCELED"
    EXPIRED = "EXPIRED"

    @property
    def is_terminal(self) -> bool:
        return self in _TERMINAL

    @property
    def is_open(self) -> bool:
        """Working at (or possibly at) the broker: may still fill."""
        return self in _OPEN


_TERMINAL = frozenset(
    {
        OrderStatus.DENIED,
        OrderStatus.REJECTED,
        OrderStatus.FILLED,
        OrderStatus.CANCELED,
        OrderStatus.EXPIRED,
    }
)
_OPEN = frozenset(
    {
        OrderStatus.SUBMITTED,
        OrderStatus.ACCEPTED,
        OrderStatus.PARTIALLY_FILLED,
        OrderStatus.PENDING_CANCEL,
    }
)


class OrderEventKind(Enum):
    DENY = "DENY"
    SUBMIT = "SUBMIT"
    ACCEPT = "ACCEPT"
    REJECT = "REJECT"
    PARTIAL_FILL = "PARTIAL_FILL"
    FILL = "FILL"
    REQUEST_CANCEL = "REQUEST_CANCEL"
    CANCEL_REJECTED = "CANCEL_REJECTED"
    CANCEL = "CANCEL"
    EXPIRE = "EXPIRE"


S, E = OrderStatus, OrderEventKind
TRANSITIONS: dict[tuple[OrderStatus, OrderEventKind], OrderStatus] = {
    (S.INITIALIZED, E.DENY): S.DENIED,
    (S.INITIALIZED, E.SUBMIT): S.SUBMITTED,
    (S.SUBMITTED, E.ACCEPT): S.ACCEPTED,
    (S.SUBMITTED, E.REJECT): S.REJECTED,
    # A fill report can overtake the acceptance report (KIS sends them on separate channels).
    (S.SUBMITTED, E.PARTIAL_FILL): S.PARTIALLY_FILLED,
    (S.SUBMITTED, E.FILL): S.FILLED,
    (S.SUBMITTED, E.REQUEST_CANCEL): S.PENDING_CANCEL,
    (S.SUBMITTED, E.CANCEL): S.CANCELED,
    (S.SUBMITTED, E.EXPIRE): S.EXPIRED,
    (S.ACCEPTED, E.PARTIAL_FILL): S.PARTIALLY_FILLED,
    (S.ACCEPTED, E.FILL): S.FILLED,
    (S.ACCEPTED, E.REQUEST_CANCEL): S.PENDING_CANCEL,
    (S.ACCEPTED, E.CANCEL): S.CANCELED,
    (S.ACCEPTED, E.EXPIRE): S.EXPIRED,
    (S.PARTIALLY_FILLED, E.PARTIAL_FILL): S.PARTIALLY_FILLED,
    (S.PARTIALLY_FILLED, E.FILL): S.FILLED,
    (S.PARTIALLY_FILLED, E.REQUEST_CANCEL): S.PENDING_CANCEL,
    (S.PARTIALLY_FILLED, E.CANCEL): S.CANCELED,
    (S.PARTIALLY_FILLED, E.EXPIRE): S.EXPIRED,
    # Fills race with a cancel request: they are real and must be booked.
    (S.PENDING_CANCEL, E.PARTIAL_FILL): S.PENDING_CANCEL,
    (S.PENDING_CANCEL, E.FILL): S.FILLED,
    (S.PENDING_CANCEL, E.CANCEL): S.CANCELED,
    (S.PENDING_CANCEL, E.EXPIRE): S.EXPIRED,
    # CANCEL_REJECTED returns to ACCEPTED or PARTIALLY_FILLED depending on fills; see Order.apply.
    (S.PENDING_CANCEL, E.CANCEL_REJECTED): S.ACCEPTED,
}
del S, E


class IllegalTransition(InvariantError):
    """An event arrived that the order's current status cannot take."""


def next_status(status: OrderStatus, event: OrderEventKind) -> OrderStatus:
    try:
        return TRANSITIONS[(status, event)]
    except KeyError:
        raise IllegalTransition(f"order in {status.value} cannot take {event.value}") from None


@dataclass(slots=True)
class Order:
    """An order and its lifecycle. Mutated only through :meth:`apply` and :meth:`apply_fill`."""

    client_order_id: ClientOrderId
    instrument_id: InstrumentId
    side: OrderSide
    order_type: OrderType
    quantity: Quantity
    created_at: datetime
    limit_price: Price | None = None
    stop_price: Price | None = None
    time_in_force: TimeInForce = TimeInForce.DAY
    status: OrderStatus = OrderStatus.INITIALIZED
    filled_quantity: Quantity = field(default_factory=Quantity.zero)
    average_fill_price: Decimal | None = None
    venue_order_id: VenueOrderId | None = None
    tag: str = ""
    """Why the order exists, as its creator labelled it (the strategy's reason, "stop-loss")."""
    status_reason: str = ""
    """Why it reached its status, when it was refused or ended early (the rejection, denial,
    cancel or expiry reason; empty otherwise)."""
    updated_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.quantity.is_zero:
            raise ValueError(f"{self.client_order_id}: invalid quantity, was 0")
        if self.order_type.needs_limit_price and self.limit_price is None:
            raise ValueError(f"{self.client_order_id}: {self.order_type.value} needs a limit price")
        if self.order_type.needs_stop_price and self.stop_price is None:
            raise ValueError(f"{self.client_order_id}: {self.order_type.value} needs a stop price")
        if self.created_at.tzinfo is None:
            raise ValueError(f"{self.client_order_id}: created_at must be timezone-aware")

    @property
    def leaves_quantity(self) -> Quantity:
        return self.quantity - self.filled_quantity

    def apply(self, event: OrderEventKind, at: datetime, reason: str = "") -> OrderStatus:
        """Move to the next status; raises :class:`IllegalTransition` when the table has no row."""
        if event in (OrderEventKind.FILL, OrderEventKind.PARTIAL_FILL):
            raise IllegalTransition("fills go through apply_fill, which books the quantity")
        new = next_status(self.status, event)
        if event is OrderEventKind.CANCEL_REJECTED and not self.filled_quantity.is_zero:
            new = OrderStatus.PARTIALLY_FILLED
        self.status = new
        self.updated_at = at
        if reason:
            self.status_reason = reason
        return new

    def apply_fill(self, quantity: Quantity, price: Price, at: datetime) -> OrderStatus:
        """Book a fill; the status becomes FILLED when nothing is left, else a partial fill."""
        if quantity.is_zero:
            raise ValueError(f"{self.client_order_id}: invalid fill quantity, was 0")
        if quantity > self.leaves_quantity:
            raise IllegalTransition(
                f"{self.client_order_id}: fill of {quantity} exceeds leaves {self.leaves_quantity}"
            )
        done = quantity == self.leaves_quantity
        event = OrderEventKind.FILL if done else OrderEventKind.PARTIAL_FILL
        new = next_status(self.status, event)
        prior_qty = self.filled_quantity.value
        prior_cost = (self.average_fill_price or Decimal(0)) * prior_qty
        self.filled_quantity = self.filled_quantity + quantity
        self.average_fill_price = (
            prior_cost + price.value * quantity.value
        ) / self.filled_quantity.value
        self.status = new
        self.updated_at = at
        return new
