"""Fold the broker's daily order rows into one :class:`OrderReport` per client order.

A client order is a chain of KIS order numbers: the original, then one per modification (each
modify gets a new ODNO whose ``orgn_odno`` is the previous one); cancels are separate rows that
point at the order they cancel. Rows that belong to no intent are reported with no client id.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from ouroboros.brokers.kis.orderstore import OrderRecord, OrderStore, OrderStoreCorrupt, trade_date
from ouroboros.brokers.kis.parsers import VenueOrderState
from ouroboros.brokers.kis.tracker import FillTracker, foreign_client_id
from ouroboros.domain.events import OrderCanceled, OrderRejected
from ouroboros.domain.ids import ClientOrderId, VenueOrderId
from ouroboros.domain.money import Price, Quantity
from ouroboros.domain.orders import OrderStatus, OrderType
from ouroboros.execution.ports import OrderReport

Key = tuple[date, str]  # (trade date, ODNO): KIS order numbers restart every day


def _key(row: VenueOrderState) -> Key:
    return trade_date(row.ts), row.odno


def _link(store: OrderStore, rows: dict[Key, VenueOrderState]) -> None:
    """Attach modify/cancel rows to their chains (also ones made outside Ouroboros)."""
    changed = True
    while changed:
        changed = False
        for row in rows.values():
            owner = store.owner_at(row.orgn_odno, row.ts) if row.orgn_odno else None
            if owner is None or store.owner_at(row.odno, row.ts) is not None:
                continue
            record = store.get(owner)
            if record is None:
                raise OrderStoreCorrupt(f"order number {row.orgn_odno} names a missing intent")
            if row.kind == "cancel":
                record.cancel_odnos.append(row.odno)
            else:
                record.odnos.append(row.odno)
            store.put(record)
            changed = True


def _status(legs: list[VenueOrderState], quantity: Decimal, canceled: bool) -> OrderStatus:
    filled = sum((leg.filled for leg in legs), Decimal(0))
    last = legs[-1]
    if last.rejected and filled == 0:
        return OrderStatus.REJECTED
    if last.remaining == 0 and filled >= quantity:
        return OrderStatus.FILLED
    if last.remaining == 0 and (canceled or last.canceled > 0 or filled < quantity):
        return OrderStatus.CANCELED
    if filled > 0:
        return OrderStatus.PARTIALLY_FILLED
    return OrderStatus.ACCEPTED


def _report(
    cid: ClientOrderId | None,
    record: OrderRecord | None,
    legs: list[VenueOrderState],
    canceled: bool,
) -> OrderReport:
    first, last = legs[0], legs[-1]
    filled = sum((leg.filled for leg in legs), Decimal(0))
    amount = sum((leg.filled_amount for leg in legs), Decimal(0))
    quantity = sum((leg.filled for leg in legs[:-1]), Decimal(0)) + last.quantity
    status = _status(legs, quantity, canceled)
    if record is not None:
        order_type = OrderType(record.order_type)
    else:
        order_type = OrderType.MARKET if first.limit_price == 0 else OrderType.LIMIT
    limit = last.limit_price if order_type is OrderType.LIMIT and last.limit_price > 0 else None
    return OrderReport(
        client_order_id=cid,
        venue_order_id=VenueOrderId(first.odno),
        instrument_id=first.instrument_id,
        side=first.side,
        order_type=order_type,
        quantity=Quantity(quantity),
        filled_quantity=Quantity(filled),
        status=status,
        ts=last.ts,
        limit_price=None if limit is None else Price(limit),
        average_fill_price=(amount / filled) if filled else None,
        reason=last.reason,
    )


def build_reports(
    store: OrderStore, tracker: FillTracker, rows: list[VenueOrderState], now: datetime
) -> list[OrderReport]:
    by_key = {_key(r): r for r in rows}
    _link(store, by_key)
    reports: list[OrderReport] = []
    claimed: set[Key] = set()
    for record in store.records():
        if record.state != "acked":
            continue
        day = record.day
        legs = [by_key[(day, o)] for o in record.odnos if (day, o) in by_key]
        claimed.update((day, o) for o in (*record.odnos, *record.cancel_odnos))
        if not legs:
            continue
        cid = ClientOrderId(record.client_order_id)
        canceled = any((day, o) in by_key for o in record.cancel_odnos)
        for leg in legs:
            tracker.observe_cumulative(
                day, leg.odno, cid, leg.instrument_id, leg.side, leg.filled, leg.filled_amount, now
            )
        report = _report(cid, record, legs, canceled)
        reports.append(report)
        _terminal_event(store, tracker, record, report, now)
    for row in rows:
        key = _key(row)
        if key in claimed or row.kind != "new" or store.owner(row.odno, key[0]) is not None:
            continue
        foreign = foreign_client_id(row.odno, key[0])
        tracker.observe_cumulative(
            key[0],
            row.odno,
            foreign,
            row.instrument_id,
            row.side,
            row.filled,
            row.filled_amount,
            now,
        )
        reports.append(_report(None, None, [row], False))
    return sorted(reports, key=lambda r: (r.ts, str(r.venue_order_id)))


def _terminal_event(
    store: OrderStore,
    tracker: FillTracker,
    record: OrderRecord,
    report: OrderReport,
    now: datetime,
) -> None:
    status = report.status
    if status not in (OrderStatus.CANCELED, OrderStatus.REJECTED):
        return
    if record.terminal_reported == status.value:
        return
    cid = ClientOrderId(record.client_order_id)
    if status is OrderStatus.CANCELED:
        tracker.events.append(OrderCanceled(cid, now))
    else:
        tracker.events.append(OrderRejected(cid, report.reason or "rejected by KIS", now))
    record.terminal_reported = status.value
    store.put(record)
