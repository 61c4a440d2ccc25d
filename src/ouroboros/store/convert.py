"""Domain objects to table rows and back; shared by the repositories and the batch writer so
both write exactly the same columns."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.engine import RowMapping

from ouroboros.domain.currency import Currency
from ouroboros.domain.fills import Fill
from ouroboros.domain.ids import ClientOrderId, InstrumentId, VenueOrderId
from ouroboros.domain.money import Money, Price, Quantity
from ouroboros.domain.orders import Order, OrderSide, OrderStatus, OrderType, TimeInForce
from ouroboros.domain.position import Position
from ouroboros.store.records import (
    CapitalEvent,
    CapitalEventKind,
    DecisionRecord,
    EventRecord,
    SnapshotRecord,
    StoredEvent,
    TradeRecord,
)
from ouroboros.store.types import quantize_for_storage

Row = dict[str, Any]
ORDER_MUTABLE_COLUMNS = (
    "venue_order_id",
    "status",
    "filled_quantity",
    "average_fill_price",
    "reason",
    "updated_at",
)


def order_row(order: Order, *, run_id: str, account: str, decision_id: str | None) -> Row:
    return {
        "client_order_id": order.client_order_id.value,
        "run_id": run_id,
        "account": account,
        "decision_id": decision_id,
        "instrument_id": str(order.instrument_id),
        "side": order.side.value,
        "order_type": order.order_type.value,
        "time_in_force": order.time_in_force.value,
        "quantity": order.quantity.value,
        "limit_price": order.limit_price.value if order.limit_price else None,
        "stop_price": order.stop_price.value if order.stop_price else None,
        "created_at": order.created_at,
        "tag": order.tag,
        **order_state(order),
    }


def order_state(order: Order) -> Row:
    """The columns an order's lifecycle changes (see ``ORDER_MUTABLE_COLUMNS``)."""
    avg = order.average_fill_price
    return {
        "venue_order_id": order.venue_order_id.value if order.venue_order_id else None,
        "status": order.status.value,
        "filled_quantity": order.filled_quantity.value,
        # The average is a quotient with up to 28 digits; it is stored rounded to 10 places.
        "average_fill_price": quantize_for_storage(avg) if avg is not None else None,
        "reason": order.status_reason,
        "updated_at": order.updated_at,
    }


def order_from(row: RowMapping) -> Order:
    return Order(
        client_order_id=ClientOrderId(row["client_order_id"]),
        instrument_id=InstrumentId.parse(row["instrument_id"]),
        side=OrderSide(row["side"]),
        order_type=OrderType(row["order_type"]),
        quantity=Quantity(row["quantity"]),
        created_at=row["created_at"],
        limit_price=_price(row["limit_price"]),
        stop_price=_price(row["stop_price"]),
        time_in_force=TimeInForce(row["time_in_force"]),
        status=OrderStatus(row["status"]),
        filled_quantity=Quantity(row["filled_quantity"]),
        average_fill_price=row["average_fill_price"],
        venue_order_id=VenueOrderId(row["venue_order_id"]) if row["venue_order_id"] else None,
        tag=row["tag"] or "",
        status_reason=row["reason"] or "",
        updated_at=row["updated_at"],
    )


def _price(value: Decimal | None) -> Price | None:
    return Price(value) if value is not None else None


def fill_row(fill: Fill, *, run_id: str, broker: str) -> Row:
    return {
        "broker": broker,
        "fill_id": fill.fill_id,
        "client_order_id": fill.client_order_id.value,
        "run_id": run_id,
        "instrument_id": str(fill.instrument_id),
        "side": fill.side.value,
        "quantity": fill.quantity.value,
        "price": fill.price.value,
        "fee": fill.fee.amount,
        "currency": fill.fee.currency.value,
        "ts": fill.ts,
    }


def fill_from(row: RowMapping) -> Fill:
    return Fill(
        fill_id=row["fill_id"],
        client_order_id=ClientOrderId(row["client_order_id"]),
        instrument_id=InstrumentId.parse(row["instrument_id"]),
        side=OrderSide(row["side"]),
        quantity=Quantity(row["quantity"]),
        price=Price(row["price"]),
        fee=Money(row["fee"], Currency.parse(row["currency"])),
        ts=row["ts"],
    )


def position_row(position: Position, *, run_id: str, account: str, at: datetime) -> Row:
    return {
        "run_id": run_id,
        "account": account,
        "instrument_id": str(position.instrument_id),
        "currency": position.currency.value,
        "quantity": position.quantity,
        "cost_basis": position.cost_basis,
        "realized_pnl": position.realized_pnl,
        "updated_at": at,
    }


def position_from(row: RowMapping) -> Position:
    return Position(
        instrument_id=InstrumentId.parse(row["instrument_id"]),
        currency=Currency.parse(row["currency"]),
        quantity=row["quantity"],
        cost_basis=row["cost_basis"],
        realized_pnl=row["realized_pnl"],
    )


def event_row(event: EventRecord) -> Row:
    return {
        "event_id": event.event_id,
        "ts": event.ts,
        "type": event.type,
        "payload": dict(event.payload),
        "run_id": event.run_id,
        "cycle_id": event.cycle_id,
        "trace_id": event.trace_id,
        "causation_id": event.causation_id,
        "correlation_id": event.correlation_id,
        "aggregate_id": event.aggregate_id,
    }


def event_from(row: RowMapping) -> StoredEvent:
    return StoredEvent(
        seq=row["seq"],
        event=EventRecord(
            type=row["type"],
            payload=row["payload"],
            ts=row["ts"],
            event_id=row["event_id"],
            run_id=row["run_id"],
            cycle_id=row["cycle_id"],
            trace_id=row["trace_id"],
            causation_id=row["causation_id"],
            correlation_id=row["correlation_id"],
            aggregate_id=row["aggregate_id"],
        ),
    )


def snapshot_row(snapshot: SnapshotRecord) -> Row:
    return {
        "run_id": snapshot.run_id,
        "account": snapshot.account,
        "ts": snapshot.ts,
        "base_currency": snapshot.base_currency.value,
        # JSON numbers would go through floats; decimal strings keep the cash exact.
        "cash": {c.value: str(amount) for c, amount in snapshot.cash.items()},
        "equity": snapshot.equity,
    }


def snapshot_from(row: RowMapping) -> SnapshotRecord:
    return SnapshotRecord(
        run_id=row["run_id"],
        account=row["account"],
        ts=row["ts"],
        base_currency=Currency.parse(row["base_currency"]),
        cash={Currency.parse(code): Decimal(text) for code, text in row["cash"].items()},
        equity=row["equity"],
    )


def trade_row(trade: TradeRecord) -> Row:
    if trade.pnl.currency is not trade.fees.currency:
        raise ValueError(
            f"trade on {trade.instrument_id}: pnl in {trade.pnl.currency.value}, "
            f"fees in {trade.fees.currency.value}"
        )
    return {
        "run_id": trade.run_id,
        "account": trade.account,
        "instrument_id": str(trade.instrument_id),
        "side": trade.side.value,
        "quantity": trade.quantity.value,
        "entry_price": trade.entry_price.value,
        "exit_price": trade.exit_price.value,
        "entry_at": trade.entry_at,
        "exit_at": trade.exit_at,
        "pnl": trade.pnl.amount,
        "fees": trade.fees.amount,
        "currency": trade.pnl.currency.value,
        "decision_id": trade.decision_id,
    }


def trade_from(row: RowMapping) -> TradeRecord:
    currency = Currency.parse(row["currency"])
    return TradeRecord(
        run_id=row["run_id"],
        account=row["account"],
        instrument_id=InstrumentId.parse(row["instrument_id"]),
        side=OrderSide(row["side"]),
        quantity=Quantity(row["quantity"]),
        entry_price=Price(row["entry_price"]),
        exit_price=Price(row["exit_price"]),
        entry_at=row["entry_at"],
        exit_at=row["exit_at"],
        pnl=Money(row["pnl"], currency),
        fees=Money(row["fees"], currency),
        decision_id=row["decision_id"],
    )


def capital_row(event: CapitalEvent) -> Row:
    return {
        "event_id": event.event_id,
        "run_id": event.run_id,
        "account": event.account,
        "kind": event.kind.value,
        "amount": event.amount.amount,
        "currency": event.amount.currency.value,
        "ts": event.ts,
        "note": event.note,
    }


def capital_from(row: RowMapping) -> CapitalEvent:
    return CapitalEvent(
        event_id=row["event_id"],
        run_id=row["run_id"],
        account=row["account"],
        kind=CapitalEventKind(row["kind"]),
        amount=Money(row["amount"], Currency.parse(row["currency"])),
        ts=row["ts"],
        note=row["note"],
    )


def decision_row(d: DecisionRecord) -> Row:
    return {
        "decision_id": d.decision_id,
        "ts": d.ts,
        "run_id": d.run_id,
        "market": d.market,
        "symbol": d.symbol,
        "action": d.action,
        "confidence": d.confidence,
        "rationale": d.rationale,
        "scenario_id": d.scenario_id,
        "playbook_id": d.playbook_id,
        "cycle_id": d.cycle_id,
        "trace_id": d.trace_id,
        "context_snapshot": dict(d.context_snapshot),
        "input_data": dict(d.input_data),
        "outcome_pnl": d.outcome_pnl.amount if d.outcome_pnl else None,
        "outcome_currency": d.outcome_pnl.currency.value if d.outcome_pnl else None,
        "outcome_accuracy": d.outcome_accuracy,
        "outcome_at": d.outcome_at,
        "reviewed": d.reviewed,
        "review_notes": d.review_notes,
    }


def decision_from(row: RowMapping) -> DecisionRecord:
    pnl = (
        Money(row["outcome_pnl"], Currency.parse(row["outcome_currency"]))
        if row["outcome_pnl"] is not None
        else None
    )
    return DecisionRecord(
        decision_id=row["decision_id"],
        ts=row["ts"],
        run_id=row["run_id"],
        market=row["market"],
        symbol=row["symbol"],
        action=row["action"],
        confidence=row["confidence"],
        rationale=row["rationale"],
        scenario_id=row["scenario_id"],
        playbook_id=row["playbook_id"],
        cycle_id=row["cycle_id"],
        trace_id=row["trace_id"],
        context_snapshot=row["context_snapshot"],
        input_data=row["input_data"],
        outcome_pnl=pnl,
        outcome_accuracy=row["outcome_accuracy"],
        outcome_at=row["outcome_at"],
        reviewed=bool(row["reviewed"]),
        review_notes=row["review_notes"],
    )
