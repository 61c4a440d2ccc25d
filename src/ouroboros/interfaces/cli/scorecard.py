"""The console scorecard of a replay: one line per market close, and the breaker's trips.

Each line shows the account's equity in the run's base currency and its change since the
previous mark, the market's own day change (the mean close-to-close move of its symbols),
and every fill of that market since its previous close (fills at the open included). The
scorecard sees fills and breaker events by standing between the engine and its sink.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import numpy as np

from ouroboros.domain.currency import Currency
from ouroboros.domain.decision import Decision
from ouroboros.domain.fills import Fill
from ouroboros.domain.orders import Order
from ouroboros.domain.position import Position
from ouroboros.engine.loop import MarketFeed, StepSummary
from ouroboros.evaluation.trades import Trade
from ouroboros.execution.order_manager import EventSink

QUIET_BREAKER_EVENTS = ("breaker.TradingDayStarted",)
"""Breaker events the scorecard does not print (every day has one)."""


class Scorecard:
    """Counts fills per market and collects breaker events from the events it forwards."""

    def __init__(self, feeds: Sequence[MarketFeed], base: Currency) -> None:
        self.base = base
        self._market_of = {str(i.id): f.code for f in feeds for i in f.instruments}
        self._closes = {f.code: f.panel.close for f in feeds}
        self._fills: dict[str, int] = dict.fromkeys(self._closes, 0)
        self._notes: list[str] = []
        self._last_equity: float | None = None
        self.breaker_events = 0

    def observe(self, kind: str, ts: datetime, payload: Mapping[str, Any]) -> None:
        if kind == "fill":
            market = self._market_of.get(str(payload.get("instrument_id")))
            if market is not None:
                self._fills[market] += 1
        elif kind.startswith("breaker.") and kind not in QUIET_BREAKER_EVENTS:
            self.breaker_events += 1
            what = kind.removeprefix("breaker.Breaker").removeprefix("breaker.").lower()
            detail = payload.get("reason") or ""
            note = f"{ts:%Y-%m-%d %H:%M} breaker {what}" + (f": {detail}" if detail else "")
            self._notes.append(note)

    def market_change(self, market: str, row: int) -> float | None:
        """Mean close-to-close move of the market's symbols into ``row`` (None on the first)."""
        closes = self._closes.get(market)
        if closes is None or row < 1:
            return None
        today, before = closes[row], closes[row - 1]
        ok = ~(np.isnan(today) | np.isnan(before)) & (before > 0)
        if not ok.any():
            return None
        return float(np.mean(today[ok] / before[ok] - 1))

    def line(self, step: StepSummary) -> list[str]:
        """The breaker notes since the last line, then this close's line."""
        lines, self._notes = self._notes, []
        change = (
            f"{(step.equity / self._last_equity - 1) * 100:+.2f}%"
            if self._last_equity
            else "   n/a"
        )
        self._last_equity = step.equity
        move = self.market_change(step.market, step.row)
        market = f"{move * 100:+.2f}%" if move is not None else "   n/a"
        fills, self._fills[step.market] = self._fills.get(step.market, 0), 0
        lines.append(
            f"{step.ts.date()} {step.market:<10} equity {step.equity:>16,.2f} {self.base.value} "
            f"{change}  market {market}  fills {fills}"
        )
        return lines

    def tee(self, inner: EventSink) -> EventSink:
        return _Tee(inner, self.observe)


class _Tee:
    """Forwards every call to ``inner``; events also go to ``observe``."""

    def __init__(
        self, inner: EventSink, observe: Callable[[str, datetime, Mapping[str, Any]], None]
    ) -> None:
        self.inner = inner
        self._observe = observe

    def emit(self, kind: str, ts: datetime, payload: dict[str, Any]) -> None:
        self.inner.emit(kind, ts, payload)
        self._observe(kind, ts, payload)

    def record_order(self, order: Order, decision_id: str | None = None) -> None:
        self.inner.record_order(order, decision_id)

    def record_decision(self, decision: Decision) -> None:
        self.inner.record_decision(decision)

    def record_trade(self, trade: Trade, currency: Currency, decision_id: str | None) -> None:
        self.inner.record_trade(trade, currency, decision_id)

    def record_fill(self, fill: Fill) -> None:
        self.inner.record_fill(fill)

    def record_position(self, position: Position, at: datetime) -> None:
        self.inner.record_position(position, at)

    def record_snapshot(
        self, ts: datetime, base: Currency, cash: Mapping[Currency, Decimal], equity: Decimal
    ) -> None:
        self.inner.record_snapshot(ts, base, cash, equity)

    def step(self, at: datetime, checkpoint: Mapping[str, Any] | None = None) -> None:
        self.inner.step(at, checkpoint)

    def flush(self) -> None:
        self.inner.flush()
