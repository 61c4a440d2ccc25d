"""The engine's store sink: rows a real run produces land whole, including derived averages."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

from ouroboros.domain import Currency, InstrumentId, Money
from ouroboros.engine.recording import StoreSink, start_run
from ouroboros.evaluation.trades import Trade
from ouroboros.store import RunMode, make_engine, upgrade


def test_a_trade_averaged_over_several_fills_is_stored_rounded(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'sink.db'}")
    upgrade(engine)
    at = datetime(2026, 11, 20, 6, tzinfo=UTC)
    start_run(engine, "r1", RunMode.REPLAY, "h", at, [Money.of(1_000_000, "KRW")])
    sink = StoreSink(engine, "r1")
    trade = Trade(
        InstrumentId.parse("005930.KRX"),
        at,
        Decimal(239075) / 3,  # three fills at 79,600 / 79,700 / 79,775
        Decimal(3),
        exit_ts=at,
        exit_price=Decimal(240100) / 3,
        pnl=Decimal(1025),
    )
    sink.record_trade(trade, Currency.KRW, None)
    sink.flush()
    with engine.connect() as conn:
        entry, exit_ = conn.execute(sa.text("select entry_price, exit_price from trades")).one()
    assert abs(Decimal(str(entry)) - Decimal(239075) / 3) < Decimal("1e-8")
    assert abs(Decimal(str(exit_)) - Decimal(240100) / 3) < Decimal("1e-8")
