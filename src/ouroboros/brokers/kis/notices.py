"""Execution notices (WebSocket) → the adapter's ledger and events.

Notices are hints that arrive before the REST daily order list catches up: a fill notice books
the execution through the same :class:`FillTracker` REST reconciliation uses (so neither path
double-books), cancels and refusals become events once. A notice for an order number the store
does not know (not yet bound, or placed outside Ouroboros) is left to REST reconciliation.
"""

from __future__ import annotations

from ouroboros.brokers.kis.orderstore import OrderStore
from ouroboros.brokers.kis.realtime import ExecutionNotice, RealtimeMessage
from ouroboros.brokers.kis.tracker import FillTracker
from ouroboros.domain.events import OrderCanceled, OrderRejected
from ouroboros.domain.ids import ClientOrderId, InstrumentId


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
        if n.odno not in record.odnos and n.odno:
            record.odnos.append(n.odno)
            store.put(record)
        tracker.observe_execution(n.odno, cid, iid, n.side, n.quantity, n.price, n.ts)
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
