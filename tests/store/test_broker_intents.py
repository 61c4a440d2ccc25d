"""Broker intents and fill ledgers on both backends: upsert in place, one transaction per
booking, scoped by account, trade date part of the ledger key."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.engine import Engine

from ouroboros.store import BrokerIntentRepository
from ouroboros.store.repositories import LedgerEntry, LedgerFill
from tests.store.factories import T0

DAY = date(2026, 3, 2)


def _fill(fill_id: str, qty: str) -> LedgerFill:
    return LedgerFill(fill_id, "c-1", "005930.KRX", "BUY", Decimal(qty), Decimal("70000.5"), T0)


def test_an_intent_is_overwritten_in_place_and_scoped_to_its_account(engine: Engine) -> None:
    repo = BrokerIntentRepository(engine, "kis-virtual:1")
    repo.put_intent("c-1", DAY, "pending", {"client_order_id": "c-1", "odnos": []}, T0)
    later = T0 + timedelta(seconds=1)
    repo.put_intent("c-1", DAY, "acked", {"client_order_id": "c-1", "odnos": ["0000000001"]}, later)
    BrokerIntentRepository(engine, "kis-real:2").put_intent("c-1", DAY, "pending", {}, T0)
    (row,) = repo.intents()
    assert (row.state, row.record["odnos"], row.updated_at) == ("acked", ["0000000001"], later)


def test_the_ledger_is_keyed_by_trade_date_and_order_number(engine: Engine) -> None:
    repo = BrokerIntentRepository(engine, "kis-virtual:1")
    repo.book(LedgerEntry(DAY, "0000000001", Decimal(2), Decimal(140001)), _fill("a", "2"), T0)
    repo.book(LedgerEntry(DAY, "0000000001", Decimal(5), Decimal(350002)), _fill("b", "3"), T0)
    other_day = DAY + timedelta(days=1)
    repo.book(LedgerEntry(other_day, "0000000001", Decimal(1), Decimal(70000)), _fill("c", "1"), T0)
    repo.book(LedgerEntry(DAY, "0000000001", Decimal(5), Decimal(350002)), _fill("b", "3"), T0)
    entries = {(e.trade_date, e.venue_order_id): e for e in repo.ledger()}
    first = entries[(DAY, "0000000001")]
    assert (first.cum_quantity, first.cum_amount) == (Decimal(5), Decimal(350002))
    assert [f.fill_id for f in first.fills] == ["a", "b"]  # a replayed step is stored once
    assert [f.fill_id for f in entries[(other_day, "0000000001")].fills] == ["c"]
    assert entries[(DAY, "0000000001")].fills[0].price == Decimal("70000.5")
