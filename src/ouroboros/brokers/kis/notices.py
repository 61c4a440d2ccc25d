"""Execution notices (WebSocket) → the adapter's ledger and events.

Notices are hints that arrive before the REST daily order list catches up: a fill notice books
the execution through the same :class:`FillTracker` REST reconciliation uses (so neither path
double-books), cancels and refusals become events once. A notice for an order number the store
does not know (not yet bound, or placed outside Ouroboros) is left to REST reconciliation.

A fill notice's price (``CNTG_UNPR``) is read with the implied decimals of the order's country
(:func:`~ouroboros.brokers.kis.realtime.notice_price`) and must lie within a factor of
:data:`PRICE_SANITY_FACTOR` of the order's own price; a notice that fails is refused with an
error log (``notice price refused``) and never booked - the REST daily order list, which states
amounts, books that fill instead.
"""

from __future__ import annotations

import logging
from decimal import Decimal

from ouroboros.brokers.kis.exchanges import market_for
from ouroboros.brokers.kis.orderstore import OrderRecord, OrderStore
from ouroboros.brokers.kis.realtime import ExecutionNotice, RealtimeMessage, notice_price
from ouroboros.brokers.kis.tracker import FillTracker
from ouroboros.domain.events import OrderCanceled, OrderRejected
from ouroboros.domain.ids import ClientOrderId, InstrumentId

log = logging.getLogger("ouroboros.brokers.kis.notices")
PRICE_SANITY_FACTOR = Decimal(10)


def checked_fill_price(n: ExecutionNotice, record: OrderRecord) -> Decimal | None:
    """The notice's fill price, or None (logged) when it cannot be trusted: unreadable, not
    positive, or off the order's price by an order of magnitude or more."""
    iid = InstrumentId.parse(record.instrument)
    try:
        price = notice_price(n.price_text, market_for(iid.venue).notice_price_decimals)
    except ValueError as exc:
        log.error("notice price refused for %s order %s: %s", iid, n.odno, exc)
        return None
    reference = Decimal(record.limit_price or record.sent_price or "0")
    if price <= 0 or (
        reference > 0
        and not reference / PRICE_SANITY_FACTOR < price < reference * PRICE_SANITY_FACTOR
    ):
        log.error(
            "notice price refused for %s order %s: CNTG_UNPR %r reads as %s against the order's"
            " %s; not booked (REST reconciliation books the fill from its amounts)",
            iid,
            n.odno,
            n.price_text,
            price,
            reference,
        )
        return None
    return price


def apply_notice(store: OrderStore, tracker: FillTracker, message: RealtimeMessage) -> bool:
    """Book one notice; False when its order number is not (yet) bound to an intent - a notice
    can overtake the order's own HTTP answer, so the adapter keeps those and retries on bind."""
    if not isinstance(message, ExecutionNotice):
        return True
    n = message
    owner = store.owner_at(n.odno, n.ts) or (
        store.owner_at(n.orig_odno, n.ts) if n.orig_odno else None
    )
    record = store.get(owner) if owner is not None else None
    if owner is None or record is None:
        return False
    cid = ClientOrderId(owner)
    iid = InstrumentId.parse(record.instrument)
    if n.refused:
        if record.terminal_reported != "REJECTED":
            record.terminal_reported = "REJECTED"
            store.put(record)
            tracker.events.append(OrderRejected(cid, "refused by KIS (notice)", n.ts))
        return True
    if n.is_fill and n.quantity > 0:
        price = checked_fill_price(n, record)
        if price is None:
            return True  # refused, never booked
        if n.odno not in record.odnos and n.odno:
            record.odnos.append(n.odno)
            store.put(record)
        tracker.observe_execution(n.odno, cid, iid, n.side, n.quantity, price, n.ts)
        return True
    if n.kind == "cancel":
        if n.odno and n.odno not in record.cancel_odnos:
            record.cancel_odnos.append(n.odno)
        if record.terminal_reported != "CANCELED":
            record.terminal_reported = "CANCELED"
            tracker.events.append(OrderCanceled(cid, n.ts))
        store.put(record)
    elif n.kind == "modify" and n.odno and n.odno not in record.odnos:
        record.odnos.append(n.odno)
        store.put(record)
    return True
