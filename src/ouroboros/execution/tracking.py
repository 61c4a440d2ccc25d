"""What the broker venue knows about each order it sent, and which broker events may pass.

Brokers report on several channels (the submit answer, WebSocket notices, REST reports), so the
same news can arrive twice, late, or out of order: an acceptance after the first fill, a fill
notice and the same fill in the daily order list, a cancel confirmation before the last fill
is visible. The engine's order state machine raises on an illegal transition - rightly - so the
venue projects each order's status and admits only events that move it legally, exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from enum import Enum

from ouroboros.domain.events import (
    BrokerEvent,
    OrderAccepted,
    OrderCanceled,
    OrderCancelRejected,
    OrderExpired,
    OrderFilled,
    OrderRejected,
)
from ouroboros.domain.fills import Fill
from ouroboros.domain.ids import VenueOrderId
from ouroboros.domain.money import Price
from ouroboros.domain.orders import (
    IllegalTransition,
    Order,
    OrderEventKind,
    OrderStatus,
    OrderType,
    TimeInForce,
    next_status,
)

PRICE_PLACES = Decimal("1e-10")


def storable(fill: Fill) -> Fill:
    """A fill whose price fits the books (10 decimal places).

    A broker that reports cumulative amounts (KIS's daily order list) prices a step that spans
    several executions at their average, which can be a repeating decimal; rounding it at the
    tenth place changes the booked cash by far less than the currency's smallest unit.
    """
    price = fill.price.value
    rounded = price.quantize(PRICE_PLACES)
    if rounded == price:
        return fill
    return replace(fill, price=Price(rounded))


class Phase(Enum):
    IN_FLIGHT = "in_flight"
    """Sent; the answer was lost. Only the broker's reports (or an idempotent lookup) settle it."""
    WORKING = "working"
    """Accepted (or known to the broker); may still fill."""
    DONE = "done"
    """Terminal: filled, canceled, expired or rejected."""


class Verdict(Enum):
    ADMIT = "admit"
    DROP = "drop"
    """News already applied or overtaken (a duplicate, an acceptance after the first fill)."""
    CONFIRM = "confirm"
    """A terminal report that must be checked against the broker's fills first."""
    MISFIT = "misfit"
    """A fill the order cannot take (more than it has left, or after it closed): not booked,
    but never silently - the venue records it as an audit event (:func:`misfit_reason`)."""


@dataclass(slots=True)
class Tracked:
    """One order the venue sent, with its projected status (what the engine will hold once it
    applies the events handed over so far)."""

    order: Order
    sent_at: datetime
    news_at: datetime
    checked_at: datetime
    attempted_at: datetime
    status: OrderStatus = OrderStatus.SUBMITTED
    filled: Decimal = Decimal(0)
    phase: Phase = Phase.WORKING
    venue_order_id: VenueOrderId | None = None
    fill_ids: set[str] = field(default_factory=set)
    fresh: bool = True
    sync_due_at: datetime | None = None
    """When to look the order up in the broker's reports (a confirmation or a poll)."""
    cancel_wanted: bool = False
    cancel_reason: str = ""
    cancel_first_at: datetime | None = None
    cancel_tried_at: datetime | None = None
    cancel_sent_at: datetime | None = None
    escalated: set[str] = field(default_factory=set)

    @property
    def is_open(self) -> bool:
        return self.phase is not Phase.DONE

    @property
    def leaves(self) -> Decimal:
        return self.order.quantity.value - self.filled

    def want_sync(self, at: datetime) -> None:
        """Look the order up at ``at`` (or earlier, if a lookup is already due earlier)."""
        if self.sync_due_at is None or at < self.sync_due_at:
            self.sync_due_at = at

    def want_cancel(self, reason: str, now: datetime) -> None:
        """Remember that the order must go (the first reason and time win)."""
        if not self.cancel_wanted:
            self.cancel_wanted = True
            self.cancel_reason = reason
            self.cancel_first_at = now

    @property
    def cancel_failed_last(self) -> bool:
        """The last cancel attempt did not get through (retry soon rather than later)."""
        tried, sent = self.cancel_tried_at, self.cancel_sent_at
        return tried is not None and (sent is None or sent < tried)

    @property
    def is_day_market(self) -> bool:
        order = self.order
        return order.order_type is OrderType.MARKET and order.time_in_force is TimeInForce.DAY

    def awaited(self) -> bool:
        """Worth waiting for within one drain: its fate should be known in moments."""
        if not self.fresh or not self.is_open:
            return False
        if self.phase is Phase.IN_FLIGHT or self.sync_due_at is not None or self.cancel_wanted:
            return True
        return self.order.order_type is OrderType.MARKET and self.leaves > 0


def verdict(tracked: Tracked, event: BrokerEvent, confirmed: bool = False) -> Verdict:
    """Whether ``event`` moves ``tracked`` legally (and has not been seen). ``confirmed``
    events come from the broker's reports with every fill before them, so a terminal one may
    pass; a pushed terminal event asks for that confirmation first."""
    status = tracked.status
    if isinstance(event, OrderFilled):
        if event.fill.fill_id in tracked.fill_ids:
            return Verdict.DROP
        return Verdict.MISFIT if misfit_reason(tracked, event.fill) else Verdict.ADMIT
    if isinstance(event, OrderAccepted):
        kind = OrderEventKind.ACCEPT
    elif isinstance(event, OrderRejected):
        if status is OrderStatus.SUBMITTED and tracked.filled == 0:
            return Verdict.ADMIT
        return Verdict.DROP if status.is_terminal or confirmed else Verdict.CONFIRM
    elif isinstance(event, OrderCanceled | OrderExpired):
        if status.is_terminal:
            return Verdict.DROP
        if not confirmed:
            return Verdict.CONFIRM
        kind = OrderEventKind.CANCEL if isinstance(event, OrderCanceled) else OrderEventKind.EXPIRE
    elif isinstance(event, OrderCancelRejected):
        # The engine never parks an order in PENDING_CANCEL; a refused cancel means "look again".
        return Verdict.DROP if status.is_terminal else Verdict.CONFIRM
    else:  # pragma: no cover - the union is closed
        return Verdict.DROP
    try:
        next_status(status, kind)
    except IllegalTransition:
        return Verdict.DROP
    return Verdict.ADMIT


def misfit_reason(tracked: Tracked, fill: Fill) -> str:
    """Why ``fill`` does not fit ``tracked`` ("" when it does)."""
    if tracked.status.is_terminal:
        return f"the order is already {tracked.status.value}"
    if fill.quantity.value > tracked.leaves:
        return (
            f"fill of {fill.quantity} exceeds the {tracked.leaves} left "
            f"({tracked.filled} of {tracked.order.quantity} filled)"
        )
    try:
        next_status(tracked.status, OrderEventKind.FILL)
    except IllegalTransition:
        return f"a {tracked.status.value} order cannot fill"
    return ""


def misfit_payload(tracked: Tracked, fill: Fill) -> dict[str, str]:
    """The audit record of a fill that does not fit (``venue.fill_refused``)."""
    return {
        **fill.audit_payload(),
        "why": misfit_reason(tracked, fill),
        "order_status": tracked.status.value,
        "order_filled": str(tracked.filled),
        "order_quantity": str(tracked.order.quantity),
    }


def apply(tracked: Tracked, event: BrokerEvent, at: datetime) -> None:
    """Move the projection by an admitted event."""
    tracked.news_at = at
    if isinstance(event, OrderFilled):
        tracked.fill_ids.add(event.fill.fill_id)
        tracked.filled += event.fill.quantity.value
        done = tracked.filled >= tracked.order.quantity.value
        tracked.status = OrderStatus.FILLED if done else OrderStatus.PARTIALLY_FILLED
        if tracked.phase is Phase.IN_FLIGHT:
            tracked.phase = Phase.WORKING
    elif isinstance(event, OrderAccepted):
        tracked.status = OrderStatus.ACCEPTED
        tracked.venue_order_id = event.venue_order_id
        tracked.phase = Phase.WORKING
    elif isinstance(event, OrderRejected):
        tracked.status = OrderStatus.REJECTED
    elif isinstance(event, OrderCanceled):
        tracked.status = OrderStatus.CANCELED
    elif isinstance(event, OrderExpired):
        tracked.status = OrderStatus.EXPIRED
    if tracked.status.is_terminal:
        tracked.phase = Phase.DONE
        tracked.sync_due_at = None
