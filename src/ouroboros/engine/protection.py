"""Protection of open positions: resting stop-loss / take-profit orders at venues that hold
them, levels the engine watches itself at venues that do not.

A protective level is never dropped before its replacement exists: an engine-held level stays
in force after it triggers until the exit replacing it is approved and sent (the driver drops
it then), and the driver cancels resting protective sells only once the gate has approved the
exit that replaces them. An exit skipped for want of a bar, or denied, leaves the position
protected on the next bar.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

import numpy as np

from ouroboros.domain.money import Quantity, to_decimal
from ouroboros.domain.orders import OrderSide, OrderType, TimeInForce
from ouroboros.domain.portfolio import Portfolio
from ouroboros.domain.ticks import PriceRounding
from ouroboros.engine.risk_gate import EntryRequest, RiskGate
from ouroboros.engine.timeline import FeedState, Intent, num
from ouroboros.engine.venue import Venue
from ouroboros.execution.order_manager import EventSink, OrderManager
from ouroboros.risk import AccountView


class Protection:
    def __init__(
        self,
        venue: Venue,
        orders: OrderManager,
        gate: RiskGate,
        sink: EventSink,
        portfolio: Portfolio,
    ) -> None:
        self.venue = venue
        self.orders = orders
        self.gate = gate
        self.sink = sink
        self.portfolio = portfolio

    def triggered(self, state: FeedState, t: int) -> list[Intent]:
        """Exits for engine-held levels that row ``t`` went through (the levels stay until an
        exit replacing them is sent; none is added while one is already waiting)."""
        panel = state.feed.panel
        exits: list[Intent] = []
        for j, (stop, take) in state.guards.items():
            low, high = panel.low[t, j], panel.high[t, j]
            if np.isnan(low):
                continue
            hit = "stop-loss" if low <= stop else "take-profit" if high >= take else ""
            if not hit:
                continue
            if any(p.column == j and p.side is OrderSide.SELL for p in state.pending):
                continue  # an exit is already waiting for the next open
            exits.append(
                Intent(j, OrderSide.SELL, 1.0, np.nan, np.nan, None, f"{hit} (engine-held)")
            )
        return exits

    def protect(
        self,
        state: FeedState,
        j: int,
        intent: Intent,
        price: Decimal,
        ts: datetime,
        account: Callable[[], AccountView],
    ) -> None:
        """Protect a fresh position: resting GTC stop-loss and take-profit (one cancels the
        other) at venues that hold them, else levels the engine watches itself.

        The pair goes through the risk gate once, as the stop-loss (or the take-profit when
        there is no stop): both cover the same shares, so the second leg adds no risk.
        """
        stop, take = intent.stop, intent.take
        has_stop = not np.isnan(stop) and stop > 0
        has_take = not np.isnan(take) and take > 0
        if not has_stop and not has_take:
            return
        inst = state.feed.instruments[j]
        if not self.venue.supports_protective_orders:
            state.guards[j] = (stop if has_stop else -np.inf, take if has_take else np.inf)
            self.sink.emit(
                "protect.engine_held",
                ts,
                {
                    "instrument_id": str(inst.id),
                    "stop": num(stop),
                    "take_profit": num(take),
                    "decision_id": intent.decision_id,
                },
            )
            return
        held = Quantity(self.portfolio.quantity_of(inst.id))
        check = EntryRequest(
            inst, OrderSide.SELL, price, 1.0, held, risk_reducing=True,
            decision_id=intent.decision_id, price_at=ts,
        )  # fmt: skip
        verdict = self.gate.evaluate(check, account(), ts)
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


__all__ = ["Protection"]
