"""Ledger checks: stored rows against stored rows, by arithmetic that re-uses no bookkeeping.

An earlier version replayed the fills through the domain ``Portfolio`` and then asked that same
portfolio whether it balanced - a check that could not fail. These checks compare what the
database holds with what other rows of the database imply, so a row changed (or lost) after
the fact shows up:

* ``position_mismatch`` - a stored position's quantity against the sum of its fills' signed
  quantities.
* ``ledger_imbalance`` - a stored position's ``cost_basis - realized_pnl`` against the net cash
  its fills paid (buys' notional minus sells' notional). Average-cost bookkeeping moves the two
  sides by exactly the same amount on every fill (each booked at the currency's minor unit), so
  any difference is a tampered or missing row.
* ``cash_mismatch`` - the latest snapshot's cash per currency against capital events (deposits,
  withdrawals, fee adjustments) plus every fill's cash effect (notional and fee) up to the
  snapshot's time (events at that instant included).

Equity is not recomputed: it needs market prices the store does not keep.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy.engine import RowMapping

from ouroboros.domain.currency import Currency
from ouroboros.domain.ids import InstrumentId
from ouroboros.domain.instrument import VENUE_CURRENCY
from ouroboros.store.audit.load import AuditData
from ouroboros.store.audit.report import AuditReport
from ouroboros.store.records import CapitalEventKind

LedgerKey = tuple[str, str]  # (run_id, account)
ZERO = Decimal(0)


@dataclass(slots=True)
class _Ledger:
    capital: list[RowMapping] = field(default_factory=list)
    fills: list[RowMapping] = field(default_factory=list)
    positions: list[RowMapping] = field(default_factory=list)
    snapshot: RowMapping | None = None


@dataclass(slots=True)
class _FillSums:
    """Per instrument: signed quantity and net cash paid (buys minus sells, at notional)."""

    quantity: Decimal = ZERO
    paid: Decimal = ZERO


def check_ledgers(data: AuditData, orders: dict[str, RowMapping], report: AuditReport) -> None:
    ledgers = _group(data, orders)
    report.ledgers = len(ledgers)
    for (run_id, account), ledger in sorted(ledgers.items()):
        _check_ledger(run_id, account, ledger, report)


def _group(data: AuditData, orders: dict[str, RowMapping]) -> dict[LedgerKey, _Ledger]:
    ledgers: defaultdict[LedgerKey, _Ledger] = defaultdict(_Ledger)
    for row in data.capital_events:
        ledgers[(row["run_id"], row["account"])].capital.append(row)
    for row in data.fills:
        order = orders.get(row["client_order_id"])
        if order is not None:  # orphans are reported by the order checks
            ledgers[(row["run_id"], order["account"])].fills.append(row)
    for row in data.positions:
        ledgers[(row["run_id"], row["account"])].positions.append(row)
    for row in data.snapshots:  # in time order, so the last one wins
        ledgers[(row["run_id"], row["account"])].snapshot = row
    return ledgers


def _check_ledger(run_id: str, account: str, ledger: _Ledger, report: AuditReport) -> None:
    where = f"run {run_id} account {account}"
    sums: defaultdict[str, _FillSums] = defaultdict(_FillSums)
    for row in ledger.fills:
        currency = _fill_currency(row, run_id, report)
        if currency is None:
            continue
        sign = 1 if row["side"] == "BUY" else -1
        sums[row["instrument_id"]].quantity += sign * row["quantity"]
        sums[row["instrument_id"]].paid += sign * currency.round(row["price"] * row["quantity"])
    _compare_positions(where, sums, ledger.positions, run_id, account, report)
    if ledger.snapshot is not None:
        _compare_cash(where, ledger, run_id, account, report)


def _fill_currency(row: RowMapping, run_id: str, report: AuditReport) -> Currency | None:
    """The fill's currency when it is its instrument's (else reported as unbookable)."""
    try:
        venue_currency = VENUE_CURRENCY[InstrumentId.parse(row["instrument_id"]).venue]
        stored = Currency.parse(row["currency"])
    except (ValueError, KeyError) as exc:
        report.add("unbookable", f"fill {row['fill_id']} cannot be booked: {exc}", run_id)
        return None
    if stored is not venue_currency:
        report.add(
            "unbookable",
            f"fill {row['fill_id']} is in {stored.value}, its instrument "
            f"{row['instrument_id']} trades in {venue_currency.value}",
            run_id,
            row_id=row["id"],
        )
        return None
    return stored


def _compare_positions(
    where: str,
    sums: dict[str, _FillSums],
    stored_rows: list[RowMapping],
    run_id: str,
    account: str,
    report: AuditReport,
) -> None:
    stored = {row["instrument_id"]: row for row in stored_rows}
    for iid in sorted(set(stored) | set(sums)):
        from_fills = sums.get(iid, _FillSums())
        row = stored.get(iid)
        quantity = row["quantity"] if row else ZERO
        if quantity != from_fills.quantity:
            report.add(
                "position_mismatch",
                f"{where} {iid}: stored quantity {quantity}, its fills add up to "
                f"{from_fills.quantity}",
                run_id,
                account=account,
                instrument_id=iid,
                stored_quantity=quantity,
                computed_quantity=from_fills.quantity,
            )
        held = (row["cost_basis"] - row["realized_pnl"]) if row else ZERO
        if held != from_fills.paid:
            report.add(
                "ledger_imbalance",
                f"{where} {iid}: stored cost basis minus realized P&L is {held}, its fills "
                f"paid {from_fills.paid} net",
                run_id,
                account=account,
                instrument_id=iid,
                stored=held,
                from_fills=from_fills.paid,
            )


def _compare_cash(
    where: str, ledger: _Ledger, run_id: str, account: str, report: AuditReport
) -> None:
    snapshot = ledger.snapshot
    if snapshot is None:  # pragma: no cover - the caller checks
        return
    at: datetime = snapshot["ts"]
    cash: defaultdict[Currency, Decimal] = defaultdict(Decimal)
    for row in ledger.capital:
        if row["ts"] > at:
            continue
        try:
            sign = CapitalEventKind(row["kind"]).cash_sign
            cash[Currency.parse(row["currency"])] += sign * row["amount"]
        except ValueError as exc:
            report.add(
                "unbookable", f"capital event {row['event_id']} cannot be booked: {exc}", run_id
            )
    for row in ledger.fills:
        if row["ts"] > at:
            continue
        try:
            currency = Currency.parse(row["currency"])
        except ValueError:
            continue  # reported by the position pass
        sign = 1 if row["side"] == "BUY" else -1
        cash[currency] -= sign * currency.round(row["price"] * row["quantity"]) + row["fee"]
    stored = {Currency.parse(code): Decimal(text) for code, text in snapshot["cash"].items()}
    for currency in sorted(set(stored) | set(cash), key=lambda c: c.value):
        have, want = stored.get(currency, ZERO), cash.get(currency, ZERO)
        if have != want:
            report.add(
                "cash_mismatch",
                f"{where}: snapshot at {at.isoformat()} has {have} {currency.value}, capital "
                f"events and fills give {want}",
                run_id,
                account=account,
                currency=currency.value,
                stored=have,
                computed=want,
            )
