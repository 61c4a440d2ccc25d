"""The decision recorder: every decision the policy makes joins the record with the account
context it was made in and the data it was based on, under a run-scoped id that its orders,
its trade and its outcome point back to."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from ouroboros.domain.decision import Decision
from ouroboros.domain.orders import OrderSide
from ouroboros.domain.portfolio import Portfolio
from ouroboros.engine.timeline import FeedState, num
from ouroboros.execution.order_manager import EventSink
from ouroboros.risk import CircuitBreaker


class DecisionRecorder:
    def __init__(self, run_id: str, sink: EventSink, portfolio: Portfolio, policy: str) -> None:
        self.run_id = run_id
        self.sink = sink
        self.portfolio = portfolio
        self.policy = policy
        self.seq = 0
        """The last sequence number used: decision ids are ``<run>-D<seq>``."""

    def record(
        self,
        state: FeedState,
        t: int,
        ts: datetime,
        j: int,
        side: OrderSide,
        confidence: float,
        rationale: str,
        equity: Decimal,
        breaker: CircuitBreaker | None,
    ) -> str:
        """Record one decision on column ``j`` at row ``t``; returns its id."""
        self.seq += 1
        decision_id = f"{self.run_id}-D{self.seq:07d}"
        panel = state.feed.panel
        inst = state.feed.instruments[j]
        inputs: dict[str, Any] = {
            "bar": {
                "ts": ts.isoformat(),
                "open": num(panel.open[t, j]),
                "high": num(panel.high[t, j]),
                "low": num(panel.low[t, j]),
                "close": num(panel.close[t, j]),
                "volume": num(panel.volume[t, j]),
            },
            "features": {name: num(m[t, j]) for name, m in state.features.items()},
        }
        book = self.portfolio
        context = {
            "equity": float(round(equity, 2)),
            "currency": book.base_currency.value,
            "cash": str(book.cash_of(inst.currency)),
            "position": str(book.quantity_of(inst.id)),
            "open_positions": sum(1 for p in book.positions.values() if p.quantity),
            "breaker": breaker.status.value if breaker is not None else None,
            "policy": self.policy,
        }
        self.sink.record_decision(
            Decision(
                decision_id,
                ts,
                state.feed.code,
                inst.id,
                side,
                confidence,
                rationale,
                context,
                inputs,
            )
        )
        return decision_id


__all__ = ["DecisionRecorder"]
