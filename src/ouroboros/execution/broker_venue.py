"""``BrokerVenue``: the engine's :class:`~ouroboros.engine.venue.Venue` over a real broker.

The engine loop is synchronous; broker adapters (:class:`~ouroboros.execution.ports.BrokerPort`)
are asynchronous. The venue drives one event loop (an :class:`asyncio.Runner` the composition
owns, shared with the adapter's WebSocket) and runs it only inside its own calls, so pushed
reports are taken in at step boundaries and the engine sees a deterministic sequence.

What a real-money order manager needs, and where it lives here:

* **Persist before submit** - ``before_submit(order)`` runs before the broker sees the order
  (the composition flushes the order row to the database); if it raises, nothing is sent.
* **No blind resubmission** - only errors that provably did not reach the broker (rate limit,
  a connection that never opened: :class:`~ouroboros.errors.RetryError` that is not
  :class:`~ouroboros.errors.OutcomeUnknown`) are retried, a bounded number of times with
  backoff. An unknown outcome stays in flight, with no event, until the broker's reports - or
  the adapter's idempotent lookup by client order id - settle it.
* **Exactly-once events** - every event passes :func:`~ouroboros.execution.tracking.verdict`:
  duplicates and late arrivals are dropped; a fill that does not fit (more than the order has
  left, or after it closed) is not booked but recorded as a ``venue.fill_refused`` event; a
  cancel, expiry or refusal is confirmed against the broker's order and fill reports first, so
  every fill is booked before the order closes.
* **Stale check and timeout** - an open order with no news for ``stale_after`` (30 s) is looked
  up in the broker's reports; a DAY market order with no news for ``timeout_after`` (60 s) is
  canceled, and an order whose cancel (or whose outcome) cannot be confirmed by then is
  escalated with an explicit ``venue.escalated`` event. Timing uses an injected clock.
* **Costs on every fill** - a broker that reports no fee per fill (KIS) gets the modelled fee of
  the market (``config.fees``, :mod:`~ouroboros.execution.fees`) booked on each fill it reports,
  so P&L, the breaker and cash include commission and taxes; the end reconciliation adopts what
  is left of the gap to the broker's cash as an audited fee adjustment (``fee_tolerance``).
* **Every broker error** calls ``on_error(now)`` (the engine's circuit breaker), including the
  retries the adapter absorbed itself when it exposes a counter (``error_probe``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

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
from ouroboros.domain.ids import ClientOrderId, InstrumentId
from ouroboros.domain.money import Quantity
from ouroboros.domain.orders import Order, OrderStatus, OrderType, TimeInForce
from ouroboros.errors import OuroborosError, OutcomeUnknown, RetryError, SkipError
from ouroboros.execution.fees import FeeModel, FeeTolerance, market_fees, with_costs
from ouroboros.execution.ports import BrokerPort, OrderReport
from ouroboros.execution.reconcile import catch_up
from ouroboros.execution.simulator import BarPoint, FillAt, FillModel
from ouroboros.execution.tracking import (
    Phase,
    Tracked,
    Verdict,
    apply,
    misfit_payload,
    storable,
    verdict,
)

T = TypeVar("T")
Notify = Callable[[str, datetime, dict[str, Any]], None]
Pause = Callable[[float], Coroutine[Any, Any, None]]


@dataclass(frozen=True, slots=True)
class BrokerVenueConfig:
    stale_after: timedelta = timedelta(seconds=30)
    """No news on an open order for this long: look it up in the broker's reports."""
    timeout_after: timedelta = timedelta(seconds=60)
    """No news for this long: cancel a DAY market order; escalate what cannot be confirmed."""
    settle_wait: timedelta = timedelta(seconds=5)
    """How long one ``drain`` waits for orders sent in this step to settle."""
    sync_interval: timedelta = timedelta(seconds=1)
    """Least time between two report queries for one order (confirmations, cancel retries)."""
    pump_interval: float = 0.02
    """Seconds the event loop runs per pump while waiting (pushed reports arrive then)."""
    submit_attempts: int = 4
    """Attempts for errors that provably did not reach the broker (then: rejected locally)."""
    backoff_initial: float = 0.25
    backoff_max: float = 4.0
    stamp_with_engine_time: bool = False
    """Stamp events with the engine's time instead of the broker's (a replay whose orders go
    to a live broker keeps one timeline in its books; the broker's time goes in the notice)."""
    fill_model: FillModel = field(default_factory=lambda: FillModel(fill_at=FillAt.NEXT_OPEN))
    """Cost estimates the engine's sizing reserves room for; fills come from the broker."""
    fees: FeeModel = market_fees
    """Costs booked on each fill of a broker that reports none (``reports_fees`` False)."""
    fee_tolerance: FeeTolerance = field(default_factory=FeeTolerance)
    """How large a cash gap the end reconciliation adopts as a fee adjustment."""

    def __post_init__(self) -> None:
        if self.submit_attempts < 1:
            raise ValueError(f"submit_attempts must be >= 1, was {self.submit_attempts}")
        if self.timeout_after < self.stale_after:
            raise ValueError("timeout_after must not be shorter than stale_after")


def _nothing(*_args: Any) -> None:
    return None


class BrokerVenue:
    """A synchronous :class:`~ouroboros.engine.venue.Venue` over an async :class:`BrokerPort`."""

    def __init__(
        self,
        broker: BrokerPort,
        runner: asyncio.Runner,
        clock: Callable[[], datetime],
        *,
        config: BrokerVenueConfig | None = None,
        before_submit: Callable[[Order], None] = _nothing,
        on_error: Callable[[datetime], None] = _nothing,
        notify: Notify = _nothing,
        pause: Pause = asyncio.sleep,
        error_probe: Callable[[], int] | None = None,
        reports_since: datetime | None = None,
    ) -> None:
        self.broker = broker
        self.config = config or BrokerVenueConfig()
        self.model = self.config.fill_model
        self._runner = runner
        self._clock = clock
        self._before_submit = before_submit
        self._error_listeners: list[Callable[[datetime], None]] = [on_error]
        self._notify = notify
        self._pause = pause
        self._probe = error_probe
        self._probed = error_probe() if error_probe is not None else 0
        self._since = reports_since or clock() - timedelta(days=1)
        self._orders: dict[ClientOrderId, Tracked] = {}
        self._out: list[BrokerEvent] = []
        self._engine_now: datetime | None = None
        self.errors = 0

    def add_error_listener(self, listener: Callable[[datetime], None]) -> None:
        """Another party that counts broker errors - the engine's circuit breaker
        (``record_error``), which exists only once the engine is built."""
        self._error_listeners.append(listener)

    def _on_error(self, _wall: datetime) -> None:
        """Errors are reported at the engine's time (the breaker's clock; the same as the wall
        clock in live trading); the wall time is in the ``venue.*`` event."""
        at = self._event_ts(None)
        for listener in self._error_listeners:
            listener(at)

    # ------------------------------------------------------------------ protocol: capability
    @property
    def supports_protective_orders(self) -> bool:
        """Resting stop and take-profit exits need STOP orders and GTC at the broker."""
        caps = self.broker.capabilities
        return OrderType.STOP in caps.order_types and TimeInForce.GTC in caps.time_in_force

    def needs_bar(
        self, instrument_id: InstrumentId, high: float, low: float, opening: bool
    ) -> bool:
        return False  # the broker has its own market; replayed bars never fill anything here

    def on_open(self, instrument_id: InstrumentId, bar: BarPoint) -> None:
        return None

    def on_bar(self, instrument_id: InstrumentId, bar: BarPoint) -> None:
        return None

    def on_close(self, instrument_id: InstrumentId, bar: BarPoint) -> None:
        return None

    # ------------------------------------------------------------------ protocol: orders
    def submit(
        self,
        order: Order,
        now: datetime,
        reference_price: Decimal | None,
        oco_with: ClientOrderId | None = None,
    ) -> bool:
        """Send ``order``; False when it was refused (the event says why)."""
        self._saw(now)
        cid = order.client_order_id
        if cid in self._orders:
            raise ValueError(f"order {cid} was already submitted to this venue")
        if order.status is not OrderStatus.SUBMITTED:
            raise ValueError(f"order {cid} must be marked submitted first, was {order.status}")
        wall = self._clock()
        tracked = Tracked(order, wall, wall, wall, wall, status=order.status)
        problem = self._unsupported(order)
        if problem:
            self._orders[cid] = tracked
            self._emit_notice("venue.unsupported_order", {"client_order_id": cid.value})
            self._admit(tracked, OrderRejected(cid, problem, now))
            return False
        self._before_submit(order)  # durable first: if this raises, nothing was sent
        self._orders[cid] = tracked
        self._send(tracked)
        return tracked.status is not OrderStatus.REJECTED

    def cancel(self, client_order_id: ClientOrderId, now: datetime, reason: str = "") -> bool:
        """Ask the broker to cancel; the confirmation arrives through ``drain``."""
        self._saw(now)
        tracked = self._orders.get(client_order_id)
        if tracked is None or not tracked.is_open:
            return False
        tracked.want_cancel(reason or "canceled", self._clock())
        tracked.fresh = True
        if tracked.phase is Phase.IN_FLIGHT:
            self._sync([tracked])  # cannot cancel what the broker has not acknowledged yet
        if tracked.phase is Phase.IN_FLIGHT or not tracked.is_open:
            return tracked.is_open  # the timers send the cancel once the order is bound
        return self._send_cancel(tracked)

    def working_for(self, instrument_id: InstrumentId) -> list[Order]:
        return [
            t.order
            for t in self._orders.values()
            if t.is_open and t.order.instrument_id == instrument_id
        ]

    def working_instruments(self) -> list[InstrumentId]:
        return sorted({t.order.instrument_id for t in self._orders.values() if t.is_open})

    def end_of_session(self, instrument_ids: AbstractSet[InstrumentId], now: datetime) -> None:
        """DAY orders still open at the session end are canceled at the broker; ``drain``
        waits for the confirmation (or the broker's reports show them expired)."""
        self._saw(now)
        for tracked in self._open():
            order = tracked.order
            if order.instrument_id in instrument_ids and order.time_in_force is TimeInForce.DAY:
                tracked.fresh = True
                tracked.want_cancel("session end (DAY order)", self._clock())
                if tracked.phase is Phase.WORKING and tracked.cancel_sent_at is None:
                    self._send_cancel(tracked)

    def drain(self) -> list[BrokerEvent]:
        """Take in pushed reports, run the stale/timeout checks and wait (bounded) for orders
        sent in this step to settle; returns the events for the engine, in order."""
        started = self._clock()
        first = True
        while True:
            self._pump(0.0 if first else self.config.pump_interval)
            first = False
            self._take_pushed()
            self._check_timers()
            pending = [t for t in self._orders.values() if t.awaited()]
            if not pending or self._clock() - started >= self.config.settle_wait:
                break
        for tracked in self._orders.values():
            tracked.fresh = False
        out, self._out = self._out, []
        return out

    def settle(self, max_wait: timedelta) -> list[BrokerEvent]:
        """After the last step: keep draining until no order is open or ``max_wait`` passed.
        Orders still open then are left to the broker (and to the next reconciliation)."""
        started = self._clock()
        out: list[BrokerEvent] = []
        while True:
            for tracked in self._open():
                tracked.fresh = True
            out += self.drain()
            if not self._open() or self._clock() - started >= max_wait:
                return out
            self._pump(self.config.pump_interval)

    # ------------------------------------------------------------------ inspection
    def orders(self) -> list[Order]:
        """Every order this venue was given, in submission order."""
        return [t.order for t in self._orders.values()]

    def open_orders(self) -> list[Order]:
        return [t.order for t in self._open()]

    def in_flight(self) -> list[ClientOrderId]:
        return [cid for cid, t in self._orders.items() if t.phase is Phase.IN_FLIGHT]

    def known_fill_ids(self) -> set[str]:
        return {f for t in self._orders.values() for f in t.fill_ids}

    # ------------------------------------------------------------------ submit
    def _unsupported(self, order: Order) -> str:
        caps = self.broker.capabilities
        if order.order_type not in caps.order_types:
            return (
                f"{caps.name} does not take {order.order_type.value} orders (the engine watches "
                "protective levels itself at such brokers)"
            )
        if order.time_in_force not in caps.time_in_force:
            return f"{caps.name} does not take {order.time_in_force.value} orders"
        return ""

    def _send(self, tracked: Tracked) -> None:
        order = tracked.order
        cid = order.client_order_id
        resend = tracked.phase is Phase.IN_FLIGHT
        attempts = 1 if resend else self.config.submit_attempts
        for attempt in range(1, attempts + 1):
            tracked.attempted_at = self._clock()
            try:
                ack = self._call("submit", self.broker.submit(order))
            except OutcomeUnknown as exc:
                tracked.phase = Phase.IN_FLIGHT
                self._emit_notice(
                    "venue.outcome_unknown", {"client_order_id": cid.value, "error": str(exc)}
                )
                return
            except RetryError as exc:  # refused before processing: safe to send again
                if resend:  # an earlier send may have arrived: only the reports can say
                    self._emit_notice(
                        "venue.outcome_unknown", {"client_order_id": cid.value, "error": str(exc)}
                    )
                    return
                if attempt == attempts:
                    reason = f"not sent after {attempts} attempts: {exc}"
                    self._admit(tracked, OrderRejected(cid, reason, self._event_ts(None)))
                    return
                wait = min(
                    self.config.backoff_initial * 2 ** (attempt - 1), self.config.backoff_max
                )
                self._emit_notice(
                    "venue.submit_retry",
                    {"client_order_id": cid.value, "attempt": attempt, "error": str(exc)},
                )
                self._runner.run(self._pause(wait))
                continue
            except SkipError as exc:
                self._admit(tracked, OrderRejected(cid, str(exc), self._event_ts(None)))
                return
            if ack.accepted and ack.venue_order_id is not None:
                self._admit(tracked, OrderAccepted(cid, ack.venue_order_id, self._event_ts(None)))
            elif ack.accepted:
                tracked.phase = Phase.WORKING
            if ack.accepted:
                if order.order_type is OrderType.MARKET:  # its fills are due: poll if no push
                    tracked.want_sync(self._clock() + self.config.sync_interval)
            else:
                reason = ack.reason or "rejected by the broker"
                self._admit(tracked, OrderRejected(cid, reason, self._event_ts(None)))
            return

    # ------------------------------------------------------------------ cancel
    def _send_cancel(self, tracked: Tracked) -> bool:
        """One cancel request; the confirmation is looked for shortly after (a push usually
        brings it first)."""
        cid = tracked.order.client_order_id
        tracked.cancel_tried_at = self._clock()
        tracked.fresh = True  # the drain under way waits for the confirmation
        tracked.want_sync(tracked.cancel_tried_at + self.config.sync_interval)
        try:
            self._call("cancel", self.broker.cancel(tracked.order))
        except OutcomeUnknown as exc:
            tracked.cancel_sent_at = self._clock()  # it may have arrived: the reports will say
            self._emit_notice(
                "venue.cancel_unknown", {"client_order_id": cid.value, "error": str(exc)}
            )
            return True
        except (RetryError, SkipError) as exc:
            self._emit_notice(
                "venue.cancel_failed", {"client_order_id": cid.value, "error": str(exc)}
            )
            return False
        tracked.cancel_sent_at = self._clock()
        self._emit_notice(
            "venue.cancel_sent", {"client_order_id": cid.value, "reason": tracked.cancel_reason}
        )
        return True

    # ------------------------------------------------------------------ events in
    def _take_pushed(self) -> None:
        for event in self.broker.drain_events():
            tracked = self._orders.get(event.client_order_id)
            if tracked is None:
                self._emit_notice(
                    "venue.event_dropped",
                    {
                        "client_order_id": event.client_order_id.value,
                        "event": type(event).__name__,
                        "why": "not an order of this session",
                    },
                )
                continue
            self._admit(tracked, event)

    def _admit(self, tracked: Tracked, event: BrokerEvent, confirmed: bool = False) -> None:
        found = verdict(tracked, event, confirmed)
        if found is Verdict.DROP:
            return
        if found is Verdict.MISFIT and isinstance(event, OrderFilled):
            # Not booked, and not lost: recorded, counted as a broker error; reconciliation
            # then shows the disagreement to the operator.
            self.errors += 1
            self._on_error(self._clock())
            self._emit_notice("venue.fill_refused", misfit_payload(tracked, event.fill))
            return
        if found is Verdict.CONFIRM:
            tracked.want_sync(self._clock())  # check the fills before the order closes
            if isinstance(event, OrderCancelRejected):
                self._emit_notice(
                    "venue.cancel_rejected",
                    {"client_order_id": event.client_order_id.value, "reason": event.reason},
                )
            return
        stamped = self._stamped(event)
        if isinstance(stamped, OrderFilled):
            fill = with_costs(storable(stamped.fill), self.broker.capabilities, self.config.fees)
            stamped = OrderFilled(fill)
        apply(tracked, stamped, self._clock())
        self._out.append(stamped)

    def _stamped(self, event: BrokerEvent) -> BrokerEvent:
        if not self.config.stamp_with_engine_time or self._engine_now is None:
            return event
        at = self._engine_now
        if isinstance(event, OrderFilled):
            return OrderFilled(replace(event.fill, ts=at))
        if isinstance(event, OrderAccepted | OrderRejected | OrderCanceled | OrderExpired):
            return replace(event, ts=at)
        return event

    # ------------------------------------------------------------------ checks
    def _check_timers(self) -> None:
        now = self._clock()
        stale, timeout = self.config.stale_after, self.config.timeout_after
        quick = self.config.sync_interval
        stale_ones = [
            t for t in self._open() if now - t.news_at >= stale and now - t.checked_at >= stale
        ]
        due = [t for t in self._open() if t.sync_due_at is not None and now >= t.sync_due_at]
        for tracked in stale_ones:
            self._emit_notice(
                "venue.stale_check",
                {
                    "client_order_id": tracked.order.client_order_id.value,
                    "idle_s": round((now - tracked.news_at).total_seconds(), 3),
                },
            )
        targets = [*stale_ones, *(t for t in due if t not in stale_ones)]
        if targets:
            self._sync(targets)
        now = self._clock()
        for tracked in self._open():
            idle = now - tracked.news_at
            if tracked.phase is Phase.IN_FLIGHT:
                if idle >= timeout:
                    self._escalate(tracked, "outcome_unknown", idle)
                continue
            if idle >= timeout and tracked.is_day_market and not tracked.cancel_wanted:
                tracked.want_cancel(f"timeout: no news for {idle.total_seconds():.0f}s", now)
            if not tracked.cancel_wanted:
                continue
            tried = tracked.cancel_tried_at
            retry_after = quick if tracked.cancel_failed_last else stale
            if tried is None or now - tried >= retry_after:
                self._send_cancel(tracked)  # first try, or the order is still there
            first = tracked.cancel_first_at or now
            if now - first >= timeout:
                self._escalate(tracked, "cancel_unconfirmed", now - first)

    def _sync(self, targets: Sequence[Tracked]) -> None:
        """Look ``targets`` up in the broker's reports and adopt what they say."""
        now = self._clock()
        for tracked in targets:
            tracked.checked_at = now
            tracked.sync_due_at = None
        try:
            reports = self._call("order_reports", self.broker.order_reports(self._since))
            fills = self._call("fill_reports", self.broker.fill_reports(self._since))
        except (RetryError, SkipError) as exc:
            self._emit_notice("venue.sync_failed", {"error": str(exc), "orders": len(targets)})
            for tracked in targets:
                tracked.want_sync(now + self.config.sync_interval)
            return
        self._take_pushed()  # what the queries themselves brought in (adapters book as they go)
        by_cid: dict[ClientOrderId, OrderReport] = {
            r.client_order_id: r for r in reports if r.client_order_id is not None
        }
        fills_by: dict[ClientOrderId, list[Fill]] = {}
        for fill in fills:
            fills_by.setdefault(fill.client_order_id, []).append(fill)
        for tracked in targets:
            if not tracked.is_open:
                continue
            cid = tracked.order.client_order_id
            report = by_cid.get(cid)
            if report is None:
                self._not_reported(tracked)
                continue
            events, _diffs = catch_up(
                self._projected(tracked),
                tracked.fill_ids,
                report,
                fills_by.get(cid, []),
                self._event_ts(None),
                tracked.cancel_reason if tracked.cancel_wanted else "",
            )
            for event in events:
                self._admit(tracked, event, confirmed=True)
            if tracked.is_open and (report.status.is_terminal or tracked.awaited()):
                # A fill not visible yet, or an order this step waits for: look again soon.
                tracked.want_sync(now + self.config.sync_interval)

    def _not_reported(self, tracked: Tracked) -> None:
        """The broker does not list the order: an in-flight one goes through the adapter's
        idempotent submit again (it looks the order up by client id before any resend)."""
        now = self._clock()
        if tracked.phase is Phase.IN_FLIGHT:
            if now - tracked.attempted_at >= self.config.stale_after:
                tracked.fresh = True  # this step waits for the answer
                self._send(tracked)
            return
        if now - tracked.news_at >= self.config.timeout_after:
            self._escalate(tracked, "not_reported", now - tracked.news_at)

    def _projected(self, tracked: Tracked) -> Order:
        """The order as the engine will hold it once it applies what was handed over."""
        order = tracked.order
        avg = order.average_fill_price
        return replace(
            order,
            status=tracked.status,
            filled_quantity=Quantity(tracked.filled),
            average_fill_price=avg,
            venue_order_id=tracked.venue_order_id or order.venue_order_id,
        )

    def _escalate(self, tracked: Tracked, what: str, idle: timedelta) -> None:
        if what in tracked.escalated:
            return
        tracked.escalated.add(what)
        cid = tracked.order.client_order_id
        self._on_error(self._clock())
        self.errors += 1
        self._emit_notice(
            "venue.escalated",
            {
                "client_order_id": cid.value,
                "problem": what,
                "idle_s": round(idle.total_seconds(), 3),
                "status": tracked.status.value,
                "filled": str(tracked.filled),
                "action": "operator: check the order at the broker; reconciliation will settle it",
            },
        )

    # ------------------------------------------------------------------ plumbing
    def _open(self) -> list[Tracked]:
        return [t for t in self._orders.values() if t.is_open]

    def _saw(self, now: datetime) -> None:
        if self._engine_now is None or now > self._engine_now:
            self._engine_now = now

    def _event_ts(self, broker_ts: datetime | None) -> datetime:
        if broker_ts is not None:
            return broker_ts
        return self._clock() if self._engine_now is None else self._engine_now

    def _pump(self, seconds: float) -> None:
        self._runner.run(self._pause(seconds))

    def _call(self, what: str, coro: Coroutine[Any, Any, T]) -> T:
        try:
            return self._runner.run(coro)
        except OuroborosError as exc:
            if isinstance(exc, RetryError | SkipError):
                self.errors += 1
                self._on_error(self._clock())
                self._emit_notice("venue.broker_error", {"call": what, "error": str(exc)})
            raise
        finally:
            self._count_absorbed()

    def _count_absorbed(self) -> None:
        """Errors the adapter retried itself (rate limits, re-authentications) still count."""
        if self._probe is None:
            return
        total = self._probe()
        for _ in range(total - self._probed):
            self.errors += 1
            self._on_error(self._clock())
        self._probed = total

    def _emit_notice(self, kind: str, payload: dict[str, Any]) -> None:
        payload = {**payload, "wall_time": self._clock().isoformat()}
        self._notify(kind, self._event_ts(None), payload)


__all__ = ["BrokerVenue", "BrokerVenueConfig"]
