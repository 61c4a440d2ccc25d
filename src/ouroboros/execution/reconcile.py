"""Reconciliation: our books (orders, fills, positions, cash) against the broker's reports.

Every disagreement becomes a typed :class:`Difference`, so it can be recorded as an audit event
and reasoned about, never silently patched. A difference is *adoptable* when the broker's side
can be taken over without guessing - a fill we missed while we were down (book it), an order we
thought open that the broker reports filled, canceled or rejected (settle it), an in-flight
order the broker now lists (bind it). Adoptions come back as the broker events that apply them,
in the order they must be applied (acceptance, then fills, then the terminal status).

Anything we cannot explain is *irreconcilable*: a position our fills do not account for, an
order or fill at the broker that we never created, an order we know was accepted that the
broker does not list, a fill we booked that the broker does not report.
:meth:`Reconciliation.raise_if_irreconcilable` turns those into a
:class:`ReconciliationError` that names each one - the session refuses to trade rather than
trade on books it cannot trust.

Pure functions over values: the caller fetches the reports and applies the adoptions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from ouroboros.domain.currency import Currency
from ouroboros.domain.events import (
    BrokerEvent,
    OrderAccepted,
    OrderCanceled,
    OrderExpired,
    OrderFilled,
    OrderRejected,
)
from ouroboros.domain.fills import Fill
from ouroboros.domain.ids import ClientOrderId, InstrumentId
from ouroboros.domain.instrument import VENUE_CURRENCY
from ouroboros.domain.money import notional
from ouroboros.domain.orders import Order, OrderStatus
from ouroboros.errors import StopError
from ouroboros.execution.fees import FeeTolerance
from ouroboros.execution.ports import BalanceReport, OrderReport, PositionReport


class DifferenceKind(StrEnum):
    MISSED_FILL = "missed_fill"
    ORDER_ACCEPTED = "order_accepted"
    ORDER_SETTLED = "order_settled"
    ORDER_NEVER_ARRIVED = "order_never_arrived"
    ORDER_MISSING = "order_missing"
    UNKNOWN_ORDER = "unknown_order"
    UNKNOWN_FILL = "unknown_fill"
    FILL_CONFLICT = "fill_conflict"
    FILLED_QUANTITY = "filled_quantity"
    POSITION = "position_mismatch"
    CASH = "cash_mismatch"
    FEE_ADJUSTMENT = "fee_adjustment"


@dataclass(frozen=True, slots=True)
class Difference:
    """One disagreement between our books and the broker's, with both sides' values."""

    kind: DifferenceKind
    adoptable: bool
    message: str
    client_order_id: str | None = None
    instrument_id: str | None = None
    currency: str | None = None
    ours: str | None = None
    theirs: str | None = None

    def as_payload(self) -> dict[str, Any]:
        """The audit-event payload (``reconcile.difference``)."""
        out: dict[str, Any] = {
            "kind": self.kind.value,
            "adoptable": self.adoptable,
            "message": self.message,
        }
        for key in ("client_order_id", "instrument_id", "currency", "ours", "theirs"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        return out


class ReconciliationError(StopError):
    """Our books and the broker's disagree in a way we cannot explain: do not trade."""

    def __init__(self, when: str, differences: Sequence[Difference]) -> None:
        self.differences = tuple(differences)
        lines = "\n".join(f"  - {d.message}" for d in differences)
        super().__init__(
            f"refusing to trade: {len(differences)} irreconcilable difference(s) with the "
            f"broker at {when}:\n{lines}\nResolve them at the broker or in the database (see "
            "docs/kis.md, 'How reconciliation works'), then start again."
        )


@dataclass(frozen=True, slots=True)
class OurBooks:
    """What we believe. ``orders`` are the orders we sent to this broker (any status) and
    ``fills`` the fills we booked for them; ``positions`` are quantities by instrument;
    ``cash`` is None when we keep no cash books for the account yet (a first session)."""

    orders: Sequence[Order]
    fills: Sequence[Fill]
    positions: Mapping[InstrumentId, Decimal]
    cash: Mapping[Currency, Decimal] | None = None


@dataclass(frozen=True, slots=True)
class BrokerBooks:
    """What the broker reports."""

    orders: Sequence[OrderReport]
    fills: Sequence[Fill]
    positions: Sequence[PositionReport]
    balances: Sequence[BalanceReport]


@dataclass(frozen=True, slots=True)
class Reconciliation:
    differences: tuple[Difference, ...]
    adoptions: tuple[BrokerEvent, ...]
    broker_cash: Mapping[Currency, Decimal] = field(default_factory=dict)
    fee_adjustments: Mapping[Currency, Decimal] = field(default_factory=dict)
    """Cash to book per currency (negative: the broker took more than the modelled fees) so
    our ledger meets the broker's; each one is a ``fee_adjustment`` difference too."""
    notes: tuple[str, ...] = ()
    """Cash that was not compared, said out loud: the broker's cash in a currency these books
    do not keep, or our cash in a currency the broker does not report."""

    @property
    def agrees(self) -> bool:
        """No difference of any kind."""
        return not self.differences

    @property
    def irreconcilable(self) -> list[Difference]:
        return [d for d in self.differences if not d.adoptable]

    def raise_if_irreconcilable(self, when: str) -> None:
        bad = self.irreconcilable
        if bad:
            raise ReconciliationError(when, bad)


# ---------------------------------------------------------------------- one order
_REJ = OrderStatus.REJECTED


def catch_up(
    order: Order,
    booked_fill_ids: Iterable[str],
    report: OrderReport | None,
    broker_fills: Sequence[Fill],
    now: datetime,
    cancel_reason: str = "",
) -> tuple[list[BrokerEvent], list[Difference]]:
    """The events that bring ``order`` (as we know it) up to the broker's ``report``.

    Acceptance first, then each fill we have not booked (oldest first), then a terminal status -
    but only once every fill the broker counts is in, because nothing can be booked on a closed
    order. ``broker_fills`` are the broker's fills for this order.
    """
    cid = order.client_order_id
    if report is None:
        return [], []
    events: list[BrokerEvent] = []
    diffs: list[Difference] = []
    status = order.status
    vid = report.venue_order_id
    if status is OrderStatus.SUBMITTED and vid is not None and report.status is not _REJ:
        events.append(OrderAccepted(cid, vid, now))
        diffs.append(_diff(DifferenceKind.ORDER_ACCEPTED, True, order, "the broker has it"))
        status = OrderStatus.ACCEPTED
    known = set(booked_fill_ids)
    booked = order.filled_quantity.value
    for fill in sorted(broker_fills, key=lambda f: (f.ts, f.fill_id)):
        if fill.fill_id in known:
            continue
        if status.is_terminal or booked + fill.quantity.value > order.quantity.value:
            diffs.append(
                Difference(
                    DifferenceKind.FILL_CONFLICT,
                    False,
                    f"order {cid}: the broker reports fill {fill.fill_id} of {fill.quantity} "
                    f"but our order is {status.value} with {booked} of {order.quantity} filled",
                    cid.value,
                    str(order.instrument_id),
                    ours=str(booked),
                    theirs=str(booked + fill.quantity.value),
                )
            )
            return events, diffs
        events.append(OrderFilled(fill))
        diffs.append(
            Difference(
                DifferenceKind.MISSED_FILL,
                True,
                f"order {cid}: fill {fill.fill_id} ({fill.side.value} {fill.quantity} "
                f"{fill.instrument_id} @ {fill.price}) was not booked; booking it",
                cid.value,
                str(fill.instrument_id),
                theirs=f"{fill.quantity}@{fill.price}",
            )
        )
        known.add(fill.fill_id)
        booked += fill.quantity.value
        status = (
            OrderStatus.FILLED if booked == order.quantity.value else OrderStatus.PARTIALLY_FILLED
        )
    reported = report.filled_quantity.value
    if booked != reported:
        diffs.append(
            Difference(
                DifferenceKind.FILLED_QUANTITY,
                False,
                f"order {cid}: the broker counts {reported} filled, its fills give {booked}",
                cid.value,
                str(order.instrument_id),
                ours=str(booked),
                theirs=str(reported),
            )
        )
        return events, diffs
    terminal = _terminal_event(cid, status, report, now, cancel_reason)
    if terminal is not None:
        events.append(terminal)
        diffs.append(
            _diff(
                DifferenceKind.ORDER_SETTLED,
                True,
                order,
                f"open here, {report.status.value} at the broker",
            )
        )
    return events, diffs


def _terminal_event(
    cid: ClientOrderId,
    status: OrderStatus,
    report: OrderReport,
    now: datetime,
    cancel_reason: str,
) -> BrokerEvent | None:
    if status.is_terminal:
        return None
    if report.status is OrderStatus.REJECTED:
        reason = report.reason or "rejected by the broker"
        if status is OrderStatus.SUBMITTED:
            return OrderRejected(cid, reason, now)
        # Refused after it was accepted (or partly filled): the rest is gone, like a cancel.
        return OrderCanceled(cid, now, f"refused by the broker after acceptance: {reason}")
    if report.status is OrderStatus.CANCELED:
        return OrderCanceled(cid, now, cancel_reason or report.reason or "canceled at the broker")
    if report.status is OrderStatus.EXPIRED:
        return OrderExpired(cid, now)
    return None


def _diff(kind: DifferenceKind, adoptable: bool, order: Order, what: str) -> Difference:
    return Difference(
        kind,
        adoptable,
        f"order {order.client_order_id} ({order.side.value} {order.quantity} "
        f"{order.instrument_id}): {what}",
        order.client_order_id.value,
        str(order.instrument_id),
    )


# ---------------------------------------------------------------------- whole books
def reconcile(
    ours: OurBooks,
    theirs: BrokerBooks,
    now: datetime,
    *,
    adopt_cash: bool,
    baseline: Mapping[InstrumentId, Decimal] | None = None,
    fee_tolerance: FeeTolerance | None = None,
) -> Reconciliation:
    """Compare ``ours`` with ``theirs`` and list every difference and adoption.

    ``baseline`` is holdings the account had before our books begin (carried from earlier
    sessions, already explained): expected broker positions are baseline + our positions.
    ``adopt_cash`` says whether a cash difference may be taken over (at the start of a session
    the account's cash is what it is - deposits, fees and taxes move it outside Ouroboros) or
    is irreconcilable (at the end of a session our ledger must match) - except a gap that
    ``fee_tolerance`` says the fills' modelled fees explain (the broker's real costs differ
    from the schedule): that one is adopted as a fee adjustment.
    """
    diffs: list[Difference] = []
    adoptions: list[BrokerEvent] = []
    reports = _reports_by_cid(theirs.orders, diffs)
    broker_fills: dict[ClientOrderId, list[Fill]] = defaultdict(list)
    for fill in theirs.fills:
        broker_fills[fill.client_order_id].append(fill)
    our_fills: dict[ClientOrderId, set[str]] = defaultdict(set)
    for fill in ours.fills:
        our_fills[fill.client_order_id].add(fill.fill_id)
    known = {o.client_order_id for o in ours.orders}

    for order in ours.orders:
        cid = order.client_order_id
        report = reports.get(cid)
        if report is None:
            diffs += _absent(order, adoptions, now)
            continue
        events, found = catch_up(order, our_fills[cid], report, broker_fills.get(cid, []), now)
        adoptions += events
        diffs += found
        theirs_ids = {f.fill_id for f in broker_fills.get(cid, [])}
        for fill_id in sorted(our_fills[cid] - theirs_ids):
            diffs.append(
                Difference(
                    DifferenceKind.FILL_CONFLICT,
                    False,
                    f"order {cid}: we booked fill {fill_id}, the broker does not report it",
                    cid.value,
                    str(order.instrument_id),
                    ours=fill_id,
                )
            )
    for cid, fills in sorted(broker_fills.items()):
        if cid not in known and cid not in reports:
            diffs += [_unknown_fill(fill) for fill in fills]
    for cid, report in sorted(reports.items()):
        if cid not in known:
            diffs.append(_unknown_order(report, cid))

    adopted = [e.fill for e in adoptions if isinstance(e, OrderFilled)]
    diffs += _positions(ours, theirs, adopted, baseline or {})
    cash = _broker_cash(theirs.balances)
    adjustments: dict[Currency, Decimal] = {}
    notes: list[str] = []
    if ours.cash is not None:
        notes += _not_compared(ours.cash, cash)
        policy = _CashPolicy(adopt_cash, fee_tolerance, [*ours.fills, *adopted])
        diffs += _cash(ours.cash, cash, adopted, policy, adjustments)
    return Reconciliation(tuple(diffs), tuple(adoptions), cash, adjustments, tuple(notes))


def _reports_by_cid(
    reports: Sequence[OrderReport], diffs: list[Difference]
) -> dict[ClientOrderId, OrderReport]:
    out: dict[ClientOrderId, OrderReport] = {}
    for report in reports:
        if report.client_order_id is None:
            diffs.append(_unknown_order(report, None))
        else:
            out[report.client_order_id] = report
    return out


def _unknown_fill(fill: Fill) -> Difference:
    cid = fill.client_order_id
    return Difference(
        DifferenceKind.UNKNOWN_FILL,
        False,
        f"the broker reports fill {fill.fill_id} ({fill.side.value} {fill.quantity} "
        f"{fill.instrument_id}) for order {cid}, which we never created",
        cid.value,
        str(fill.instrument_id),
        theirs=f"{fill.quantity}@{fill.price}",
    )


def _unknown_order(report: OrderReport, cid: ClientOrderId | None) -> Difference:
    who = f"client id {cid}" if cid is not None else "no client id"
    return Difference(
        DifferenceKind.UNKNOWN_ORDER,
        False,
        f"the broker has order {report.venue_order_id} ({who}: {report.side.value} "
        f"{report.quantity} {report.instrument_id}, {report.status.value}, "
        f"{report.filled_quantity} filled) that Ouroboros never created - placed by hand or "
        "by another program?",
        None if cid is None else cid.value,
        str(report.instrument_id),
        theirs=f"{report.status.value} {report.filled_quantity}/{report.quantity}",
    )


def _absent(order: Order, adoptions: list[BrokerEvent], now: datetime) -> list[Difference]:
    """Our order is not in the broker's list."""
    if order.status.is_terminal:
        if order.filled_quantity.is_zero:
            return []  # rejected or canceled before it reached the broker: nothing to compare
        return [
            _diff(
                DifferenceKind.ORDER_MISSING,
                False,
                order,
                f"we booked {order.filled_quantity} filled; the broker does not list the order",
            )
        ]
    if order.venue_order_id is None and order.filled_quantity.is_zero:
        cid = order.client_order_id
        adoptions.append(
            OrderRejected(cid, "never reached the broker (not in its order list)", now)
        )
        return [
            _diff(DifferenceKind.ORDER_NEVER_ARRIVED, True, order, "not at the broker; closing it")
        ]
    return [
        _diff(
            DifferenceKind.ORDER_MISSING,
            False,
            order,
            f"{order.status.value} here (venue id {order.venue_order_id}), not in the "
            "broker's order list",
        )
    ]


def fill_cash_effect(fill: Fill) -> Decimal:
    """The cash a fill moves in its currency (negative for a buy), fee included."""
    currency = VENUE_CURRENCY[fill.instrument_id.venue]
    booked = notional(fill.price, fill.quantity, currency).amount
    return -fill.side.sign * booked - fill.fee.amount


def _positions(
    ours: OurBooks,
    theirs: BrokerBooks,
    adopted: Sequence[Fill],
    baseline: Mapping[InstrumentId, Decimal],
) -> list[Difference]:
    """Quantities only: brokers keep average cost their own way (rounding, cost removal on
    sells), so an average is no evidence either way."""
    expected: dict[InstrumentId, Decimal] = defaultdict(Decimal)
    for iid, qty in baseline.items():
        expected[iid] += qty
    for iid, qty in ours.positions.items():
        expected[iid] += qty
    for fill in adopted:
        expected[fill.instrument_id] += fill.side.sign * fill.quantity.value
    reported = {p.instrument_id: p for p in theirs.positions}
    diffs: list[Difference] = []
    for iid in sorted(set(expected) | set(reported)):
        want = expected.get(iid, Decimal(0))
        report = reported.get(iid)
        have = report.quantity if report is not None else Decimal(0)
        if want != have:
            diffs.append(
                Difference(
                    DifferenceKind.POSITION,
                    False,
                    f"{iid}: the broker holds {have}, our fills explain {want}",
                    instrument_id=str(iid),
                    ours=str(want),
                    theirs=str(have),
                )
            )
    return diffs


def _broker_cash(balances: Sequence[BalanceReport]) -> dict[Currency, Decimal]:
    return {b.currency: b.cash for b in balances}


def _not_compared(
    ours: Mapping[Currency, Decimal], theirs: Mapping[Currency, Decimal]
) -> list[str]:
    """Cash on one side only: not a disagreement, but reported, never skipped in silence."""
    notes = [
        f"{currency.value} cash: {amount} at the broker, in a currency these books do not keep "
        "(left alone)"
        for currency, amount in sorted(theirs.items(), key=lambda item: item[0].value)
        if currency not in ours and amount != 0
    ]
    notes += [
        f"{currency.value} cash: {amount} in our books, the broker reports no {currency.value} "
        "cash (not compared)"
        for currency, amount in sorted(ours.items(), key=lambda item: item[0].value)
        if currency not in theirs
    ]
    return notes


@dataclass(frozen=True, slots=True)
class _CashPolicy:
    adopt: bool
    tolerance: FeeTolerance | None
    fills: Sequence[Fill]

    def fee_allowance(self, currency: Currency) -> Decimal | None:
        """How large a gap the fills in ``currency`` can explain by fees (None: no tolerance)."""
        if self.tolerance is None:
            return None
        mine = [f for f in self.fills if f.fee.currency is currency]
        modelled = sum((f.fee.amount for f in mine), Decimal(0))
        return self.tolerance.allowance(currency, modelled, len(mine))


def _cash(
    ours: Mapping[Currency, Decimal],
    theirs: Mapping[Currency, Decimal],
    adopted: Sequence[Fill],
    policy: _CashPolicy,
    adjustments: dict[Currency, Decimal],
) -> list[Difference]:
    expected = dict(ours)
    for fill in adopted:
        currency = VENUE_CURRENCY[fill.instrument_id.venue]
        expected[currency] = expected.get(currency, Decimal(0)) + fill_cash_effect(fill)
    diffs: list[Difference] = []
    for currency in sorted(expected, key=lambda c: c.value):
        want = expected[currency]
        if currency not in theirs:
            continue  # the broker does not report it (e.g. no overseas venue): in the notes
        have = theirs[currency]
        if want == have:
            continue
        gap = have - want
        allowance = None if policy.adopt else policy.fee_allowance(currency)
        if allowance is not None and abs(gap) <= allowance:
            adjustments[currency] = gap
            diffs.append(
                Difference(
                    DifferenceKind.FEE_ADJUSTMENT,
                    True,
                    f"{currency.value} cash: {have} at the broker, {want} in our books "
                    f"(difference {gap}, within the {allowance} the modelled fees may be off; "
                    "booking it as a fee adjustment)",
                    currency=currency.value,
                    ours=str(want),
                    theirs=str(have),
                )
            )
            continue
        if policy.adopt:
            verb = "adopting the broker's"
        elif allowance is not None:
            verb = f"more than the {allowance} fees can explain: fees, taxes or a wrong ledger"
        else:
            verb = "fees, taxes or a wrong ledger"
        diffs.append(
            Difference(
                DifferenceKind.CASH,
                policy.adopt,
                f"{currency.value} cash: {have} at the broker, {want} in our books "
                f"(difference {gap}; {verb})",
                currency=currency.value,
                ours=str(want),
                theirs=str(have),
            )
        )
    return diffs


__all__ = [
    "BrokerBooks",
    "Difference",
    "DifferenceKind",
    "OurBooks",
    "Reconciliation",
    "ReconciliationError",
    "catch_up",
    "fill_cash_effect",
    "reconcile",
]
