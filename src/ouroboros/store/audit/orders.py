"""Order-level checks: duplicate client order ids, orphan fills, fills that disagree with their
order, and filled quantities that disagree with the fills."""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal

from sqlalchemy.engine import RowMapping

from ouroboros.store.audit.load import AuditData
from ouroboros.store.audit.report import AuditReport


def check_orders(data: AuditData, report: AuditReport) -> dict[str, RowMapping]:
    """Run the order checks; returns the first order row per client order id."""
    counts = Counter(row["client_order_id"] for row in data.orders)
    for cid, n in sorted(counts.items()):
        if n > 1:
            report.add(
                "duplicate_client_order_id",
                f"client order id {cid} is used by {n} orders",
                client_order_id=cid,
                count=n,
            )
    by_id: dict[str, RowMapping] = {}
    for row in data.orders:
        by_id.setdefault(row["client_order_id"], row)

    filled: defaultdict[str, Decimal] = defaultdict(Decimal)
    for fill in data.fills:
        cid = fill["client_order_id"]
        order = by_id.get(cid)
        if order is None:
            report.add(
                "orphan_fill",
                f"fill {fill['broker']}/{fill['fill_id']} points at order {cid}, which is missing",
                fill["run_id"],
                fill_id=fill["fill_id"],
                client_order_id=cid,
            )
            continue
        filled[cid] += fill["quantity"]
        if (fill["instrument_id"], fill["side"]) != (order["instrument_id"], order["side"]):
            report.add(
                "fill_order_mismatch",
                f"fill {fill['fill_id']} is {fill['side']} {fill['instrument_id']}, its order "
                f"{cid} is {order['side']} {order['instrument_id']}",
                fill["run_id"],
                fill_id=fill["fill_id"],
                client_order_id=cid,
            )

    for cid, order in by_id.items():
        from_fills = filled.get(cid, Decimal(0))
        if order["filled_quantity"] != from_fills:
            report.add(
                "filled_quantity_mismatch",
                f"order {cid} says {order['filled_quantity']} filled, its fills add up to "
                f"{from_fills}",
                order["run_id"],
                client_order_id=cid,
                stored=order["filled_quantity"],
                from_fills=from_fills,
            )
        if order["filled_quantity"] > order["quantity"]:
            report.add(
                "overfilled_order",
                f"order {cid} filled {order['filled_quantity']} of {order['quantity']}",
                order["run_id"],
                client_order_id=cid,
            )
    return by_id
