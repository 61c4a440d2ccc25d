"""The driver shared by every mode: data -> features -> policy -> sizing/risk -> orders ->
venue -> fills -> books -> events.

Decisions are made at a close with data up to that row; the orders they imply are sized at
the next open (when the opening price is known) and sent then, so a daily strategy trades
"next open" exactly as a person placing orders at the bell would. In ``close`` fill mode
orders are sized and filled at the deciding close instead. The pieces with one job each live
beside it: the timeline (:mod:`.timeline`), the books every fill goes through (:mod:`.books`),
protective orders and levels (:mod:`.protection`) and the decision record (:mod:`.decisions`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

from ouroboros.analysis.volatility import ATR_FEATURE, average_true_range
from ouroboros.domain.events import BrokerEvent
from ouroboros.domain.fills import Fill
from ouroboros.domain.fx import FxRateSource
from ouroboros.domain.ids import InstrumentId
from ouroboros.domain.instrument import Instrument
from ouroboros.domain.money import Money, Price, Quantity, to_decimal
from ouroboros.domain.orders import Order, OrderSide
from ouroboros.domain.portfolio import Portfolio
from ouroboros.engine.books import Books, Valuation
from ouroboros.engine.clock import SimulatedClock
from ouroboros.engine.decisions import DecisionRecorder
from ouroboros.engine.protection import Protection
from ouroboros.engine.risk_gate import EntryRequest, RiskGate
from ouroboros.engine.sizing import Sizing
from ouroboros.engine.timeline import (
    OPEN,
    FeedState,
    Intent,
    MarketFeed,
    StepSummary,
    merged_timeline,
)
from ouroboros.engine.venue import Venue
from ouroboros.evaluation.trades import TradeTracker
from ouroboros.execution.fees import FeeSchedule
from ouroboros.execution.order_manager import MutableSink, OrderManager
from ouroboros.execution.simulator import FillAt
from ouroboros.risk import AccountView
from ouroboros.strategy.base import DecisionPolicy, Decisions, StepView


@dataclass
class EngineResult:
    equity_times: list[datetime]
    equity: npt.NDArray[np.float64]
    exposure: npt.NDArray[np.float64]
    portfolio: Portfolio
    trades: TradeTracker
    fills: list[Fill]
    traded_value: float
    last_close: dict[str, npt.NDArray[np.float64]]
    bars: int
    decisions: int
    books: Books


@dataclass
class _Curve:
    """The analytics curve (floats of the exact equity) and the decision count."""

    times: list[datetime]
    equity: list[float]
    exposure: list[float]
    decisions: int = 0


class Engine:
    """Runs one policy over one or more markets on a simulated clock.

    Every order goes through the risk gate; every mark of the account feeds the circuit
    breaker. A run can resume at a timeline index: the points before it are re-simulated with
    the sink muted (they are already on record), so the policy, the venue and the books reach
    exactly the state they had, and ``on_resume`` can check that state against the record
    before anything new is written.
    """

    def __init__(
        self,
        feeds: Sequence[MarketFeed],
        policy: DecisionPolicy,
        portfolio: Portfolio,
        venue: Venue,
        orders: OrderManager,
        sink: MutableSink,
        fx: FxRateSource,
        sizing: Sizing,
        fees: Callable[[Instrument], FeeSchedule],
        gate: RiskGate,
        min_confidence: float = 0.0,
        on_step: Callable[[StepSummary], None] | None = None,
    ) -> None:
        self.policy = policy
        self.portfolio = portfolio
        self.venue = venue
        self.orders = orders
        self.sink = sink
        self.fx = fx
        self.sizing = sizing
        self.fees = fees
        self.gate = gate
        self.min_confidence = min_confidence
        self.on_step = on_step
        self.cursor = 0
        """Timeline points processed so far: where a resumed run continues."""
        self._instruments = {i.id: i for f in feeds for i in f.instruments}
        self.books = Books(portfolio, orders, sink, fx, self._instruments)
        self.books.listen(self._on_quantity)
        self.protection = Protection(venue, orders, gate, sink, portfolio)
        self.recorder = DecisionRecorder(orders.run_id, sink, portfolio, policy.name)
        self._where: dict[InstrumentId, tuple[FeedState, int]] = {}
        self._markets = [self._state(feed) for feed in feeds]
        self._value = self._mark()
        self._carried: list[Money] = []

    def _state(self, feed: MarketFeed) -> FeedState:
        n = len(feed.panel.symbols)
        features = self.policy.prepare(feed.code, feed.panel)
        state = FeedState(
            feed=feed,
            features=features,
            qty=np.zeros(n),
            last_close=np.full(n, np.nan),
            atr=features[ATR_FEATURE]
            if ATR_FEATURE in features
            else average_true_range(feed.panel),
            index_of={inst.id: j for j, inst in enumerate(feed.instruments)},
            instrument_ids=frozenset(i.id for i in feed.instruments),
        )
        for j, inst in enumerate(feed.instruments):
            self._where[inst.id] = (state, j)
        return state

    def carry_closed(self, pnl: Sequence[Money]) -> None:
        """Round trips closed before the run (adopted at reconciliation): the breaker gets
        them with the first mark, like trades closed during the run."""
        self._carried = list(pnl)

    @property
    def instruments(self) -> Mapping[InstrumentId, Instrument]:
        return self._instruments

    @property
    def trades(self) -> TradeTracker:
        return self.books.trades

    @property
    def fills(self) -> list[Fill]:
        return self.books.fills

    def checkpoint(self) -> dict[str, Any]:
        """What the record must hold to resume after the current point (stored with the
        cursor, in the same transaction as the rows of the points before it). The key
        ``position`` is the cursor (stored runs keep that name)."""
        breaker = self.gate.breaker
        return {
            "position": self.cursor,
            "order_seq": self.orders.seq,
            "decision_seq": self.recorder.seq,
            "fills": len(self.books.fills),
            "breaker": breaker.to_dict() if breaker is not None else None,
        }

    def run(
        self,
        clock: SimulatedClock,
        resume_at: int = 0,
        on_resume: Callable[[Engine], None] | None = None,
    ) -> EngineResult:
        self.clock = clock
        curve = _Curve([], [], [])
        timeline = merged_timeline(self._markets)
        if not 0 <= resume_at <= len(timeline):
            raise ValueError(f"resume point {resume_at} outside the timeline (0..{len(timeline)})")
        self.sink.muted = resume_at > 0
        for i, (ts, phase, m, t) in enumerate(timeline):
            if i == resume_at and self.sink.muted:
                self._unmute(on_resume)
            clock.advance_to(ts)
            self.cursor = i + 1
            if phase == OPEN:
                self._open(self._markets[m], t, ts)
            else:
                self._step_close(self._markets[m], t, ts, curve)
        if self.sink.muted:  # resumed at the very end: nothing was left to do
            self._unmute(on_resume)
        self.sink.flush()
        return self._result(curve)

    def _unmute(self, on_resume: Callable[[Engine], None] | None) -> None:
        self.sink.muted = False
        if on_resume is not None:
            on_resume(self)

    def _step_close(self, state: FeedState, t: int, ts: datetime, curve: _Curve) -> None:
        """A close: fills, then (after warm-up) the mark, the breaker, the decisions and the
        step boundary the store commits at."""
        n_fills = self._close(state, t, ts)
        if t < state.feed.warmup_rows:
            return
        value = self._value = self._mark()
        self.books.snapshot(ts, value.equity)
        closed, self._carried = [*self._carried, *self.books.closed_since()], []
        self.gate.observe(ts, value.equity, closed)
        eq = float(value.equity)
        curve.times.append(ts)
        curve.equity.append(eq)
        curve.exposure.append(float(value.exposure))
        curve.decisions += self._decide(state, t, ts)
        self.sink.step(ts, self.checkpoint())
        if self.on_step is not None and not self.sink.muted:
            self.on_step(StepSummary(state.feed.code, t, ts, eq, n_fills))

    def _result(self, curve: _Curve) -> EngineResult:
        bars = sum(
            int(np.count_nonzero(~np.isnan(s.feed.panel.close[s.feed.warmup_rows :])))
            for s in self._markets
        )
        return EngineResult(
            equity_times=curve.times,
            equity=np.asarray(curve.equity, dtype=np.float64),
            exposure=np.asarray(curve.exposure, dtype=np.float64),
            portfolio=self.portfolio,
            trades=self.books.trades,
            fills=self.books.fills,
            traded_value=float(self.books.traded_value),
            last_close={s.feed.code: s.last_close for s in self._markets},
            bars=bars,
            decisions=curve.decisions,
            books=self.books,
        )

    def settle(self, events: Sequence[BrokerEvent], at: datetime) -> list[Fill]:
        """Book broker news that arrived after the last step (late fills, adoptions at the
        end reconciliation) through the same books, then mark the account once more: the
        snapshot and the breaker see them like any other fill."""
        fills = self.books.apply(events, at, late=True)
        if fills:
            self.remark(at)
        return fills

    def remark(self, at: datetime) -> None:
        """Mark the account after a booking outside the timeline (late fills, adoptions, a
        fee adjustment): a snapshot, the breaker's view, and a flush."""
        self._value = self._mark()
        self.books.snapshot(at, self._value.equity)
        self.gate.observe(at, self._value.equity, self.books.closed_since())
        self.sink.flush()

    # ------------------------------------------------------------------ price points
    def _open(self, state: FeedState, t: int, ts: datetime) -> None:
        if t < state.feed.warmup_rows:
            return
        self.policy.before_session(state.feed.code, t, state.features, state.qty)
        pending, state.pending = state.pending, []
        for intent in pending:
            self._send(state, t, intent, ts, use_open=True)
        panel = state.feed.panel
        for iid in self.venue.working_instruments():
            col = state.index_of.get(iid)
            if col is None or not self.venue.needs_bar(
                iid, panel.high[t, col], panel.low[t, col], True
            ):
                continue
            bar = state.bar(t, col, ts)
            if bar is not None:
                self.venue.on_open(iid, bar)

    def _close(self, state: FeedState, t: int, ts: datetime) -> int:
        panel = state.feed.panel
        for iid in self.venue.working_instruments():
            j = state.index_of.get(iid)
            if j is None or not self.venue.needs_bar(iid, panel.high[t, j], panel.low[t, j], False):
                continue
            bar = state.bar(t, j, ts)
            if bar is not None:
                self.venue.on_bar(iid, bar)
                self.venue.on_close(iid, bar)
        closes = state.feed.panel.close[t]
        np.copyto(state.last_close, closes, where=~np.isnan(closes))
        n = self._book(ts)
        self.venue.end_of_session(state.instrument_ids, ts)
        n += self._book(ts)
        if state.guards and t >= state.feed.warmup_rows:
            for exit_ in self.protection.triggered(state, t):
                if self.venue.model.fill_at is FillAt.CLOSE:
                    self._send(state, t, exit_, ts, use_open=False)
                else:
                    state.pending.append(exit_)
        return n

    def _book(self, ts: datetime) -> int:
        events = self.venue.drain()
        return len(self.books.apply(events, ts)) if events else 0

    def _on_quantity(self, iid: InstrumentId, after: Decimal) -> None:
        """The books moved a position: keep the policy's share counts (and guards) in step."""
        where = self._where.get(iid)
        if where is not None:
            state, j = where
            state.qty[j] = float(after)
            if after == 0:
                state.guards.pop(j, None)

    # ------------------------------------------------------------------ the account
    def _marks(self) -> dict[InstrumentId, Decimal]:
        """The last close of every held instrument that has one."""
        marks: dict[InstrumentId, Decimal] = {}
        for iid, position in self.portfolio.positions.items():
            if position.quantity and iid in self._where:
                state, j = self._where[iid]
                px = state.last_close[j]
                if not np.isnan(px):
                    marks[iid] = to_decimal(float(px))
        return marks

    def _mark(self) -> Valuation:
        """The account now, exact (equity computed once per mark: limits, breaker, sizing and
        the stored snapshot all take this value)."""
        return self.books.value(self._marks())

    def _account(self, replaced: Sequence[Order] = ()) -> AccountView:
        """The account for the gate; ``replaced`` are working orders the intent will cancel
        once approved (left out, as they will be gone when it is sent)."""
        marks = self._marks()
        gone = {o.client_order_id for o in replaced}
        working = [
            o
            for iid in self.venue.working_instruments()
            for o in self.venue.working_for(iid)
            if o.client_order_id not in gone
        ]
        for order in working:
            iid = order.instrument_id
            where = self._where.get(iid)
            if iid not in marks and where is not None:
                state, j = where
                if not np.isnan(state.last_close[j]):
                    marks[iid] = to_decimal(float(state.last_close[j]))
        return self.gate.account(self._value.equity, marks, working, self._instruments)

    # ------------------------------------------------------------------ decisions
    def _decide(self, state: FeedState, t: int, ts: datetime) -> int:
        view = StepView(t, state.features, state.feed.panel.close, state.qty)
        d: Decisions = self.policy.decide(state.feed.code, view)
        buys = np.flatnonzero(d.buy & (d.confidence >= self.min_confidence))
        sells = np.flatnonzero(d.sell)
        if not len(buys) and not len(sells):
            return 0
        close_mode = self.venue.model.fill_at is FillAt.CLOSE
        wanted = [(int(j), OrderSide.SELL) for j in sells] + [(int(j), OrderSide.BUY) for j in buys]
        breaker = self.gate.breaker
        for j, side in wanted:
            buy = side is OrderSide.BUY
            tag = d.reason[j] if j < len(d.reason) and d.reason[j] else self.policy.name
            confidence = float(d.confidence[j])
            decision_id = self.recorder.record(
                state, t, ts, j, side, confidence, tag, self._value.equity, breaker
            )
            intent = Intent(
                j,
                side,
                confidence,
                float(d.stop_price[j]) if buy else np.nan,
                float(d.take_profit[j]) if buy else np.nan,
                decision_id,
                tag,
            )
            if close_mode:
                self._send(state, t, intent, ts, use_open=False)
            else:
                state.pending.append(intent)
        if close_mode:
            self._book(ts)
        return len(buys) + len(sells)

    # ------------------------------------------------------------------ orders
    def _send(
        self, state: FeedState, t: int, intent: Intent, ts: datetime, *, use_open: bool
    ) -> None:
        j, side = intent.column, intent.side
        inst = state.feed.instruments[j]
        raw = state.feed.panel.open[t, j] if use_open else state.feed.panel.close[t, j]
        if np.isnan(raw):
            self._refuse("intent.skipped", inst, side, "no bar", intent, ts)
            return
        price = to_decimal(float(raw))
        replaced: list[Order] = []
        if side is OrderSide.SELL:
            held = self.portfolio.quantity_of(inst.id)
            if held <= 0:
                return
            qty: Quantity | None = Quantity(held)
            # Resting protective sells stay until the exit replacing them is approved: the
            # gate judges the exit as if they were gone (they cover the same shares).
            replaced = [o for o in self.venue.working_for(inst.id) if o.side is OrderSide.SELL]
        else:
            qty = self._entry_quantity(inst, price, intent, ts)
            if qty is not None and qty.is_zero:
                return
        request = EntryRequest(
            inst,
            side,
            price,
            intent.confidence,
            qty,
            stop_loss=intent.stop,
            atr=float(state.atr[t, j]) if side is OrderSide.BUY else np.nan,
            risk_reducing=side is OrderSide.SELL,
            decision_id=intent.decision_id,
            price_at=ts,  # safety-state: the price's own time, and the decision's price
            reference=_decided_price(state.feed.panel.close[t - 1 if use_open else t, j]),
        )
        verdict = self.gate.evaluate(request, self._account(replaced), ts)
        if not verdict.approved:
            return
        quantity: Quantity | None = verdict.quantity
        if side is OrderSide.SELL:
            quantity = self._replace_protection(state, j, replaced, verdict.quantity, ts)
        if quantity is not None:
            self._submit(state, t, intent, quantity, price, ts, use_open=use_open)

    def _entry_quantity(
        self, inst: Instrument, price: Decimal, intent: Intent, ts: datetime
    ) -> Quantity | None:
        """Shares an entry asks the gate for (None: the gate sizes it; zero: refused here)."""
        if intent.stop > 0 and price <= to_decimal(intent.stop):
            # The price already gapped through the stop: buying would be stopped out on the
            # same bar. Denied (not re-stopped): the decision's risk no longer holds.
            reason = "the price is at or below the entry's stop"
            self._refuse("intent.denied", inst, OrderSide.BUY, reason, intent, ts)
            return Quantity.zero()
        if self.sizing.kind == "risk":
            return None
        qty = self._size(inst, price)
        if qty.is_zero:
            self._refuse("intent.denied", inst, OrderSide.BUY, "sized to zero lots", intent, ts)
        return qty

    def _replace_protection(
        self, state: FeedState, j: int, replaced: Sequence[Order], approved: Quantity, ts: datetime
    ) -> Quantity | None:
        """An approved exit takes over from the protection it replaces: cancel the resting
        protective sells and drop the engine-held levels, then sell what is still held."""
        for resting in replaced:
            self.venue.cancel(resting.client_order_id, ts, "replaced by exit")
        self._book(ts)
        held = self.portfolio.quantity_of(state.feed.instruments[j].id)
        if held <= 0:  # a protective order filled first
            return None
        state.guards.pop(j, None)
        return min(approved, Quantity(held))

    def _submit(
        self,
        state: FeedState,
        t: int,
        intent: Intent,
        quantity: Quantity,
        price: Decimal,
        ts: datetime,
        *,
        use_open: bool,
    ) -> None:
        j, side = intent.column, intent.side
        inst = state.feed.instruments[j]
        order = self.orders.create(
            inst.id,
            side,
            quantity,
            ts,
            tag=f"{intent.tag}; confidence={intent.confidence:.2f}",
            decision_id=intent.decision_id,
        )
        self.orders.mark_submitted(order, ts)
        self.venue.submit(order, ts, price)
        bar = state.bar(t, j, ts)
        if bar is not None:
            if use_open:
                self.venue.on_open(inst.id, bar)
            else:
                self.venue.on_close(inst.id, bar)
        self._book(ts)
        if side is OrderSide.BUY and self.portfolio.quantity_of(inst.id) > 0:
            self.protection.protect(state, j, intent, price, ts, self._account)
            self._book(ts)

    def _refuse(
        self,
        kind: str,
        inst: Instrument,
        side: OrderSide,
        reason: str,
        intent: Intent,
        ts: datetime,
    ) -> None:
        payload: dict[str, Any] = {"instrument_id": str(inst.id)}
        if kind != "intent.skipped":
            payload["side"] = side.value
        payload |= {"reason": reason, "decision_id": intent.decision_id}
        self.sink.emit(kind, ts, payload)

    def _size(self, inst: Instrument, price: Decimal) -> Quantity:
        cash = self.portfolio.cash_of(inst.currency).amount
        fee = self.fees(inst)
        cost_rate = (
            fee.commission_rate
            + fee.buy_tax_rate
            + self.venue.model.spread_pct / 2
            + self.venue.model.slippage_pct
        )
        equity_local = self._value.equity * (
            Decimal(1)
            if inst.currency is self.portfolio.base_currency
            else self.fx.rate(self.portfolio.base_currency, inst.currency)
        )
        return self.sizing.quantity(inst, price, cash, equity_local, cost_rate)

    def final_equity(self, result: EngineResult) -> Money:
        """Exact equity: ledger cash plus positions marked at each market's last close."""
        prices = {iid: Price(mark) for iid, mark in self._marks().items()}
        return self.portfolio.equity(prices, self.fx)


def _decided_price(close: float) -> Decimal | None:
    """The close a decision was made at (intents sent at an open were decided at the close
    before it), the risk gate's reference price; None when that bar is missing."""
    return None if np.isnan(close) else to_decimal(float(close))


__all__ = ["Engine", "EngineResult", "MarketFeed", "StepSummary"]
