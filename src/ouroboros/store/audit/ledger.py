"""Ledger checks: replay fills and capital events through the domain ``Portfolio`` (the one
accounting the engine uses) and compare with the stored positions and latest snapshot.

Cash is compared as of the latest snapshot's time (events at that instant included), positions
as of now. Equity is not recomputed: it needs market prices the store does not keep.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy.engine import RowMapping

from ouroboros.domain.currency import Currency
from ouroboros.domain.ids import InstrumentId
from ouroboros.domain.instrument import Instrument
from ouroboros.domain.money import Money
from ouroboros.domain.portfolio import Portfolio
from ouroboros.store.audit.load import AuditData
from ouroboros.store.audit.report import AuditReport
from ouroboros.store.convert import fill_from

LedgerKey = tuple[str, str]  # (run_id, account)


@dataclass(slots=True)
class _Ledger:
    capital: list[RowMapping] = field(default_factory=list)
    fills: list[RowMapping] = field(default_factory=list)
    positions: list[RowMapping] = field(default_factory=list)
    snapshot: RowMapping | None = None


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
    base = Currency.parse(ledger.snapshot["base_currency"]) if ledger.snapshot else Currency.USD
    portfolio = Portfolio(base_currency=base, allow_negative_cash=True)
    snapshot_at: datetime | None = ledger.snapshot["ts"] if ledger.snapshot else None
    cash_at_snapshot: dict[Currency, Decimal] | None = None
    instruments: dict[str, Instrument] = {}
    for ts, kind, row in _timeline(ledger.capital, ledger.fills):
        if snapshot_at is not None and cash_at_snapshot is None and ts > snapshot_at:
            cash_at_snapshot = dict(portfolio.cash)
        _book(portfolio, kind, row, instruments, run_id, report)
    if snapshot_at is not None and cash_at_snapshot is None:
        cash_at_snapshot = dict(portfolio.cash)

    where = f"run {run_id} account {account}"
    for currency in sorted(set(portfolio.cash) | set(portfolio.fees_paid), key=lambda c: c.value):
        imbalance = portfolio.ledger_imbalance(currency)
        if imbalance != 0:
            report.add(
                "ledger_imbalance",
                f"{where}: books off by {imbalance} {currency.value}",
                run_id,
                account=account,
                currency=currency.value,
            )
    _compare_positions(portfolio, ledger.positions, run_id, account, report)
    if ledger.snapshot is not None and cash_at_snapshot is not None:
        _compare_cash(cash_at_snapshot, ledger.snapshot, run_id, account, report)


def _timeline(
    capital: Iterable[RowMapping], fills: Iterable[RowMapping]
) -> list[tuple[datetime, int, RowMapping]]:
    """Events in time order; at the same instant, capital moves first (deposit, then trade)."""
    merged = [(r["ts"], 0, r) for r in capital] + [(r["ts"], 1, r) for r in fills]
    merged.sort(key=lambda item: (item[0], item[1], item[2]["id"]))
    return merged


def _book(
    portfolio: Portfolio,
    kind: int,
    row: RowMapping,
    instruments: dict[str, Instrument],
    run_id: str,
    report: AuditReport,
) -> None:
    try:
        if kind == 0:
            money = Money(row["amount"], Currency.parse(row["currency"]))
            if row["kind"] == "DEPOSIT":
                portfolio.deposit(money)
            else:
                portfolio.withdraw(money)
            return
        iid = row["instrument_id"]
        instrument = instruments.get(iid) or Instrument.for_venue(InstrumentId.parse(iid))
        instruments[iid] = instrument
        portfolio.apply_fill(fill_from(row), instrument)
    except ValueError as exc:
        what = f"capital event {row['event_id']}" if kind == 0 else f"fill {row['fill_id']}"
        report.add("unbookable", f"{what} cannot be booked: {exc}", run_id, row_id=row["id"])


def _compare_positions(
    portfolio: Portfolio,
    stored_rows: list[RowMapping],
    run_id: str,
    account: str,
    report: AuditReport,
) -> None:
    stored = {row["instrument_id"]: row for row in stored_rows}
    computed = {str(iid): pos for iid, pos in portfolio.positions.items()}
    zero = Decimal(0)
    for iid in sorted(set(stored) | set(computed)):
        pos, row = computed.get(iid), stored.get(iid)
        want = (pos.quantity, pos.cost_basis, pos.realized_pnl) if pos else (zero, zero, zero)
        have = (row["quantity"], row["cost_basis"], row["realized_pnl"]) if row else (zero,) * 3
        if want != have:
            report.add(
                "position_mismatch",
                f"run {run_id} account {account} {iid}: stored quantity/cost/realized "
                f"{have[0]}/{have[1]}/{have[2]}, fills give {want[0]}/{want[1]}/{want[2]}",
                run_id,
                account=account,
                instrument_id=iid,
                stored_quantity=have[0],
                computed_quantity=want[0],
            )


def _compare_cash(
    computed: dict[Currency, Decimal],
    snapshot: RowMapping,
    run_id: str,
    account: str,
    report: AuditReport,
) -> None:
    stored = {Currency.parse(code): Decimal(text) for code, text in snapshot["cash"].items()}
    for currency in sorted(set(stored) | set(computed), key=lambda c: c.value):
        have, want = stored.get(currency, Decimal(0)), computed.get(currency, Decimal(0))
        if have != want:
            report.add(
                "cash_mismatch",
                f"run {run_id} account {account}: snapshot at {snapshot['ts'].isoformat()} has "
                f"{have} {currency.value}, fills and capital events give {want}",
                run_id,
                account=account,
                currency=currency.value,
                stored=have,
                computed=want,
            )
