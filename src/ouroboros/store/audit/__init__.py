"""``audit verify``: check stored rows against what other stored rows imply (positions against
their fills, snapshots against capital events and fills), plus referential checks a damaged
database could fail."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from ouroboros.store.audit.ledger import check_ledgers
from ouroboros.store.audit.load import load
from ouroboros.store.audit.orders import check_orders
from ouroboros.store.audit.report import AuditReport, Problem
from ouroboros.store.session import transaction


def verify(engine: Engine, run_id: str | None = None) -> AuditReport:
    """Audit the whole database, or one run. Reads in one transaction (a consistent view)."""
    with transaction(engine) as conn:
        data = load(conn, run_id)
    report = AuditReport(
        runs=len(data.run_ids),
        orders=len(data.orders),
        fills=len(data.fills),
        capital_events=len(data.capital_events),
        positions=len(data.positions),
        snapshots=len(data.snapshots),
    )
    if run_id is not None and not data.run_ids:
        report.add("run_not_found", f"run {run_id!r} does not exist", run_id)
        return report
    orders = check_orders(data, report)
    check_ledgers(data, orders, report)
    return report


__all__ = ["AuditReport", "Problem", "verify"]
