"""The event loop shared by every mode: data -> features -> policy -> sizing/risk -> orders ->
venue -> fills -> ledger -> events.

Each market contributes two price points per row: its open and its close. Decisions are made
at a close with data up to that row; the orders they imply are sized at the next open (when the
opening price is known) and sent then, so a daily strategy trades "next open" exactly as a
person placing orders at the bell would. In ``close`` fill mode orders are sized and filled at
the deciding close instead. All markets' price points run on one merged timeline, so a
multi-market replay books fills in true time order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

from ouroboros.analysis.volatility import ATR_FEATURE, average_true_range
from ouroboros.data.panel import FloatMatrix, Panel
from ouroboros.domain.decision import Decision
from ouroboros.domain.events import BrokerEvent
from ouroboros.domain.fills import Fill
from ouroboros.domain.fx import FxRateSource
from ouroboros.domain.ids import InstrumentId
from ouroboros.domain.instrument import Instrument
from ouroboros.domain.money import Money, Price, Quantity, to_decimal
from ouroboros.domain.orders import Order, OrderSide, OrderType, TimeInForce
from ouroboros.domain.portfolio import Portfolio
from ouroboros.domain.ticks import PriceRounding
from ouroboros.engine.books import Books, Valuation
from ouroboros.engine.clock import SimulatedClock
from ouroboros.engine.risk_gate import EntryRequest, RiskGate
from ouroboros.engine.sizing import Sizing
from ouroboros.engine.venue import Venue
from ouroboros.evaluation.trades import TradeTracker
from ouroboros.execution.fees import FeeSchedule
from ouroboros.execution.order_manager import MutableSink, OrderManager
from ouroboros.execution.simulator import BarPoint, FillAt
from ouroboros.risk import AccountView
from ouroboros.strategy.base import DecisionPolicy, Decisions, StepView

OPEN, CLOSE = 0, 1


@dataclass
class MarketFeed:
    """One market's data for a run: its panel, instruments and the real time of each row."""

    code: str
    panel: Panel
    instruments: Sequence[Instrument]
    open_times: Sequence[datetime]
    close_times: Sequence[datetime]
    warmup_rows: int = 0
    """Rows that only feed indicators: no decisions, no equity points (replay warm-up)."""

    def __post_init__(self) -> None:
        n = len(self.panel.index)
        if len(self.open_times) != n or len(self.close_times) != n:
            raise ValueError(f"{self.code}: need one open and close time per row ({n})")
        if [str(i.id) for i in self.instruments] != list(self.panel.symbols):
            raise ValueError(f"{self.code}: instruments must align with the panel's symbols")


@dataclass
class StepSummary:
    market: str
    row: int
    ts: datetime
    equity: float
    fills: int


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


@dataclass(frozen=True, slots=True)
class _Intent:
    """A decision waiting for its price point (the next open, or the deciding close)."""

    column: int
    side: OrderSide
    confidence: float
    stop: float
    take: float
    decision_id: str | None
    reason: str


@dataclass
class _MarketState:
    feed: MarketFeed
    features: Mapping[str, FloatMatrix]
    qty: npt.NDArray[np.float64]
    last_close: npt.NDArray[np.float64]
    atr: FloatMatrix
    pending: list[_Intent] = field(default_factory=list)
    index_of: dict[InstrumentId, int] = field(default_factory=dict)
    instrument_ids: frozenset[InstrumentId] = frozenset()
    guards: dict[int, tuple[float, float]] = field(default_factory=dict)
    """Protective levels (stop, take-profit) the engine watches itself, by column, when the
    venue cannot hold resting protective orders."""


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
        self.position = 0
        """Timeline points processed so far: the resume cursor."""
        self._decision_seq = 0
        self._instruments = {i.id: i for f in feeds for i in f.instruments}
        self.books = Books(portfolio, orders, sink, fx, self._instruments)
        self.books.listen(self._on_quantity)
        self._where: dict[InstrumentId, tuple[_MarketState, int]] = {}
        self._markets: list[_MarketState] = []
        for feed in feeds:
            n = len(feed.panel.symbols)
            features = policy.prepare(feed.code, feed.panel)
            state = _MarketState(
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
            self._markets.append(state)
            for j, inst in enumerate(feed.instruments):
                self._where[inst.id] = (state, j)
        self._value = self._mark()

    @property
    def trades(self) -> TradeTracker:
        return self.books.trades

    @property
    def fills(self) -> list[Fill]:
        return self.books.fills

    @property
    def instruments(self) -> Mapping[InstrumentId, Instrument]:
        return self._instruments

    def timeline(self) -> list[tuple[datetime, int, int, int]]:
        points: list[tuple[datetime, int, int, int]] = []
        for m, state in enumerate(self._markets):
            for t in range(len(state.feed.panel.index)):
                points.append((state.feed.open_times[t], OPEN, m, t))
                points.append((state.feed.close_times[t], CLOSE, m, t))
        points.sort(key=lambda p: (p[0], p[1], p[2], p[3]))
        return points

    def checkpoint(self) -> dict[str, Any]:
        """What the record must hold to resume after the current point (stored with the
        cursor, in the same transaction as the rows of the points before it)."""
        breaker = self.gate.breaker
        return {
            "position": self.position,
            "order_seq": self.orders.seq,
            "decision_seq": self._decision_seq,
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
        times: list[datetime] = []
        equity: list[float] = []
        exposure: list[float] = []
        decisions = 0
        timeline = self.timeline()
        if not 0 <= resume_at <= len(timeline):
            raise ValueError(f"resume point {resume_at} outside the timeline (0..{len(timeline)})")
        self.sink.muted = resume_at > 0
        for i, (ts, phase, m, t) in enumerate(timeline):
            if i == resume_at and self.sink.muted:
                self.sink.muted = False
                if on_resume is not None:
                    on_resume(self)
            clock.advance_to(ts)
            state = self._markets[m]
            self.position = i + 1
            if phase == OPEN:
                self._open(state, t, ts)
                continue
            n_fills = self._close(state, t, ts)
            if t < state.feed.warmup_rows:
                continue
            value = self._value = self._mark()
            self.books.snapshot(ts, value.equity)
            self.gate.observe(ts, value.equity, self.books.closed_since())
            eq = float(value.equity)
            times.append(ts)
            equity.append(eq)
            exposure.append(float(value.exposure))
            decisions += self._decide(state, t, ts)
            self.sink.step(ts, self.checkpoint())
            if self.on_step is not None and not self.sink.muted:
                self.on_step(StepSummary(state.feed.code, t, ts, eq, n_fills))
        if self.sink.muted:  # resumed at the very end: nothing was left to do
            self.sink.muted = False
            if on_resume is not None:
                on_resume(self)
        self.sink.flush()
        bars = sum(
            int(np.count_nonzero(~np.isnan(s.feed.panel.close[s.feed.warmup_rows :])))
            for s in self._markets
        )
        return EngineResult(
            equity_times=times,
            equity=np.asarray(equity, dtype=np.float64),
            exposure=np.asarray(exposure, dtype=np.float64),
            portfolio=self.portfolio,
            trades=self.books.trades,
            fills=self.books.fills,
            traded_value=float(self.books.traded_value),
            last_close={s.feed.code: s.last_close for s in self._markets},
            bars=bars,
            decisions=decisions,
            books=self.books,
        )

    def settle(self, events: Sequence[BrokerEvent], at: datetime) -> list[Fill]:
        """Book broker news that arrived after the last step (late fills, adoptions at the
        end reconciliation) through the same books, then mark the account once more: the
        snapshot and the breaker see them like any other fill."""
        fills = self.books.apply(events, at, late=True)
        if fills:
            self._value = self._mark()
            self.books.snapshot(at, self._value.equity)
            self.gate.observe(at, self._value.equity, self.books.closed_since())
            self.sink.flush()
        return fills

    # ------------------------------------------------------------------ price points
    def _bar(self, state: _MarketState, t: int, j: int, ts: datetime) -> BarPoint | None:
        p = state.feed.panel
        c = p.close[t, j]
        if np.isnan(c):
            return None
        return BarPoint.from_floats(ts, p.open[t, j], p.high[t, j], p.low[t, j], c, p.volume[t, j])

    def _open(self, state: _MarketState, t: int, ts: datetime) -> None:
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
            bar = self._bar(state, t, col, ts)
            if bar is not None:
                self.venue.on_open(iid, bar)

    def _close(self, state: _MarketState, t: int, ts: datetime) -> int:
        panel = state.feed.panel
        for iid in self.venue.working_instruments():
            j = state.index_of.get(iid)
            if j is None or not self.venue.needs_bar(iid, panel.high[t, j], panel.low[t, j], False):
                continue
            bar = self._bar(state, t, j, ts)
            if bar is not None:
                self.venue.on_bar(iid, bar)
                self.venue.on_close(iid, bar)
        closes = state.feed.panel.close[t]
        np.copyto(state.last_close, closes, where=~np.isnan(closes))
        n = self._book(ts)
        self.venue.end_of_session(state.instrument_ids, ts)
        n += self._book(ts)
        if state.guards and t >= state.feed.warmup_rows:
            self._check_guards(state, t, ts)
        return n

    def _check_guards(self, state: _MarketState, t: int, ts: datetime) -> None:
        """Protective levels the venue cannot hold: a close through one sends a market exit.

        The level stays in force until the exit that replaces it is approved and sent
        (``_send`` drops it then): an exit skipped for want of a bar, or denied, leaves the
        position protected, and the next close through the level tries again."""
        panel = state.feed.panel
        for j, (stop, take) in list(state.guards.items()):
            low, high = panel.low[t, j], panel.high[t, j]
            if np.isnan(low):
                continue
            hit = "stop-loss" if low <= stop else "take-profit" if high >= take else ""
            if not hit:
                continue
            if any(p.column == j and p.side is OrderSide.SELL for p in state.pending):
                continue  # an exit is already waiting for the next open
            exit_ = _Intent(j, OrderSide.SELL, 1.0, np.nan, np.nan, None, f"{hit} (engine-held)")
            if self.venue.model.fill_at is FillAt.CLOSE:
                self._send(state, t, exit_, ts, use_open=False)
            else:
                state.pending.append(exit_)

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

    # ------------------------------------------------------------------ decisions
    def _decide(self, state: _MarketState, t: int, ts: datetime) -> int:
        view = StepView(t, state.features, state.feed.panel.close, state.qty)
        d: Decisions = self.policy.decide(state.feed.code, view)
        buys = np.flatnonzero(d.buy & (d.confidence >= self.min_confidence))
        sells = np.flatnonzero(d.sell)
        if not len(buys) and not len(sells):
            return 0
        close_mode = self.venue.model.fill_at is FillAt.CLOSE
        wanted = [(int(j), OrderSide.SELL) for j in sells] + [(int(j), OrderSide.BUY) for j in buys]
        for j, side in wanted:
            buy = side is OrderSide.BUY
            reason = d.reason[j] if j < len(d.reason) and d.reason[j] else self.policy.name
            intent = _Intent(
                j,
                side,
                float(d.confidence[j]),
                float(d.stop_price[j]) if buy else np.nan,
                float(d.take_profit[j]) if buy else np.nan,
                self._log_decision(state, t, ts, j, side, float(d.confidence[j]), reason),
                reason,
            )
            if close_mode:
                self._send(state, t, intent, ts, use_open=False)
            else:
                state.pending.append(intent)
        if close_mode:
            self._book(ts)
        return len(buys) + len(sells)

    def _log_decision(
        self,
        state: _MarketState,
        t: int,
        ts: datetime,
        j: int,
        side: OrderSide,
        confidence: float,
        reason: str,
    ) -> str:
        """Record the decision with the account context and the data it was based on."""
        self._decision_seq += 1
        decision_id = f"{self.orders.run_id}-D{self._decision_seq:07d}"
        panel = state.feed.panel
        inst = state.feed.instruments[j]
        inputs: dict[str, Any] = {
            "bar": {
                "ts": ts.isoformat(),
                "open": _num(panel.open[t, j]),
                "high": _num(panel.high[t, j]),
                "low": _num(panel.low[t, j]),
                "close": _num(panel.close[t, j]),
                "volume": _num(panel.volume[t, j]),
            },
            "features": {name: _num(m[t, j]) for name, m in state.features.items()},
        }
        breaker = self.gate.breaker
        context = {
            "equity": float(round(self._value.equity, 2)),
            "currency": self.portfolio.base_currency.value,
            "cash": str(self.portfolio.cash_of(inst.currency)),
            "position": str(self.portfolio.quantity_of(inst.id)),
            "open_positions": sum(1 for p in self.portfolio.positions.values() if p.quantity),
            "breaker": breaker.status.value if breaker is not None else None,
            "policy": self.policy.name,
        }
        self.sink.record_decision(
            Decision(
                decision_id, ts, state.feed.code, inst.id, side, confidence, reason, context, inputs
            )
        )
        return decision_id

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
            if iid not in marks:
                for state in self._markets:
                    j = state.index_of.get(iid)
                    if j is not None and not np.isnan(state.last_close[j]):
                        marks[iid] = to_decimal(float(state.last_close[j]))
        return self.gate.account(
            self._value.equity,
            marks,
            working,
            self._instruments,
        )

    def _send(
        self, state: _MarketState, t: int, intent: _Intent, ts: datetime, *, use_open: bool
    ) -> None:
        j, side = intent.column, intent.side
        inst = state.feed.instruments[j]
        panel = state.feed.panel
        raw = panel.open[t, j] if use_open else panel.close[t, j]
        if np.isnan(raw):
            self.sink.emit(
                "intent.skipped",
                ts,
                {
                    "instrument_id": str(inst.id),
                    "reason": "no bar",
                    "decision_id": intent.decision_id,
                },
            )
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
            if intent.stop > 0 and price <= to_decimal(intent.stop):
                # The price already gapped through the stop: buying would be stopped out on
                # the same bar. Denied (not re-stopped): the decision's risk no longer holds.
                self._deny(inst, side, "the price is at or below the entry's stop", intent, ts)
                return
            qty = None if self.sizing.kind == "risk" else self._size(inst, price)
            if qty is not None and qty.is_zero:
                self._deny(inst, side, "sized to zero lots", intent, ts)
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
        )
        verdict = self.gate.evaluate(request, self._account(replaced), ts)
        if not verdict.approved:
            return
        quantity = verdict.quantity
        if side is OrderSide.SELL:
            for resting in replaced:
                self.venue.cancel(resting.client_order_id, ts, "replaced by exit")
            self._book(ts)
            held = self.portfolio.quantity_of(inst.id)  # a protective order may have filled
            if held <= 0:
                return
            quantity = min(quantity, Quantity(held))
            state.guards.pop(j, None)  # the exit replaces the levels it was guarding
        order = self.orders.create(
            inst.id,
            side,
            quantity,
            ts,
            tag=f"{intent.reason}; confidence={intent.confidence:.2f}",
            decision_id=intent.decision_id,
        )
        self.orders.mark_submitted(order, ts)
        self.venue.submit(order, ts, price)
        bar = self._bar(state, t, j, ts)
        if bar is not None:
            if use_open:
                self.venue.on_open(inst.id, bar)
            else:
                self.venue.on_close(inst.id, bar)
        self._book(ts)
        if side is OrderSide.BUY and self.portfolio.quantity_of(inst.id) > 0:
            self._protect(state, j, intent, price, ts)

    def _deny(
        self, inst: Instrument, side: OrderSide, reason: str, intent: _Intent, ts: datetime
    ) -> None:
        self.sink.emit(
            "intent.denied",
            ts,
            {
                "instrument_id": str(inst.id),
                "side": side.value,
                "reason": reason,
                "decision_id": intent.decision_id,
            },
        )

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

    def _protect(
        self, state: _MarketState, j: int, intent: _Intent, price: Decimal, ts: datetime
    ) -> None:
        """Protect a fresh position: resting GTC stop-loss and take-profit (one cancels the
        other) at venues that hold them, else levels the engine watches itself.

        The pair goes through the risk gate once, as the stop-loss (or the take-profit when
        there is no stop): both cover the same shares, so the second leg adds no risk.
        """
        inst = state.feed.instruments[j]
        stop, take = intent.stop, intent.take
        has_stop = not np.isnan(stop) and stop > 0
        has_take = not np.isnan(take) and take > 0
        if not has_stop and not has_take:
            return
        if not self.venue.supports_protective_orders:
            state.guards[j] = (stop if has_stop else -np.inf, take if has_take else np.inf)
            self.sink.emit(
                "protect.engine_held",
                ts,
                {
                    "instrument_id": str(inst.id),
                    "stop": _num(stop),
                    "take_profit": _num(take),
                    "decision_id": intent.decision_id,
                },
            )
            return
        qty = Quantity(self.portfolio.quantity_of(inst.id))
        check = EntryRequest(
            inst,
            OrderSide.SELL,
            price,
            1.0,
            qty,
            risk_reducing=True,
            decision_id=intent.decision_id,
        )
        verdict = self.gate.evaluate(check, self._account(), ts)
        if not verdict.approved:
            return
        qty = verdict.quantity
        stop_id = None
        if has_stop:
            o = self.orders.create(
                inst.id,
                OrderSide.SELL,
                qty,
                ts,
                order_type=OrderType.STOP,
                stop_price=inst.round_price(to_decimal(stop), PriceRounding.DOWN),
                tif=TimeInForce.GTC,
                tag="stop-loss",
                decision_id=intent.decision_id,
            )
            self.orders.mark_submitted(o, ts)
            self.venue.submit(o, ts, None)
            stop_id = o.client_order_id
        if has_take:
            o = self.orders.create(
                inst.id,
                OrderSide.SELL,
                qty,
                ts,
                order_type=OrderType.LIMIT,
                limit_price=inst.round_price(to_decimal(take), PriceRounding.UP),
                tif=TimeInForce.GTC,
                tag="take-profit",
                decision_id=intent.decision_id,
            )
            self.orders.mark_submitted(o, ts)
            self.venue.submit(o, ts, None, oco_with=stop_id)
        self._book(ts)

    def final_equity(self, result: EngineResult) -> Money:
        """Exact equity: ledger cash plus positions marked at each market's last close."""
        prices: dict[Any, Price] = {}
        for state in self._markets:
            for inst, px in zip(state.feed.instruments, state.last_close, strict=True):
                if self.portfolio.quantity_of(inst.id) != 0 and not np.isnan(px):
                    prices[inst.id] = Price(to_decimal(float(px)))
        return self.portfolio.equity(prices, self.fx)


def _num(value: float) -> float | None:
    """A float for JSON: NaN (no data yet) becomes null."""
    return None if np.isnan(value) else float(value)
