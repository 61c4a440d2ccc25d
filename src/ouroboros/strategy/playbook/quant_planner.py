"""The deterministic quant planner: the playbook writer when no LLM is configured.

It is a real, documented strategy (docs/engine.md), not a stub. Before each session it reads
the indicators as of the previous close and:

1. measures market breadth (share of symbols above their 50-bar SMA) to set a risk appetite;
2. picks candidates: the ``max_candidates`` highest momentum scores among liquid symbols
   (volume ratio defined) that are in an up-trend (SMA 10 above SMA 30);
3. gives each candidate up to three entry scenarios - trend pull-back, volume breakout and an
   oversold bounce - with ATR stops (2x) and take-profits (3x);
4. gives every symbol two exit scenarios - trend break and overbought - which only act on
   holdings.

In weak breadth it lowers entry confidence (so fewer entries pass the threshold) and tightens
the breakout volume requirement.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np

from ouroboros.domain.playbook import Action, Condition, Op, Playbook, Scenario, StockPlan
from ouroboros.strategy.base import StepView


@dataclass(frozen=True)
class QuantPlannerConfig:
    max_candidates: int = 10
    base_confidence: float = 0.7
    weak_breadth: float = 0.4
    stop_atr: float = 2.0
    take_profit_atr: float = 3.0


def exit_scenarios() -> tuple[Scenario, ...]:
    return (
        Scenario(
            "trend-break-exit",
            Action.SELL,
            (Condition("close", Op.LT, "sma_30"), Condition("macd_hist", Op.LT, 0.0)),
            0.8,
            rationale="close below SMA 30 with negative MACD histogram: the up-trend is over",
        ),
        Scenario(
            "overbought-exit",
            Action.SELL,
            (Condition("rsi_14", Op.GT, 78.0),),
            0.7,
            rationale="RSI above 78: take the gain before mean reversion",
        ),
    )


class QuantPlanner:
    name = "quant"

    def __init__(self, config: QuantPlannerConfig | None = None) -> None:
        self.config = config or QuantPlannerConfig()

    def plan(
        self,
        market: str,
        session_date: date,
        now: datetime,
        symbols: Sequence[str],
        view: StepView,
        held: Sequence[str],
    ) -> Playbook:
        cfg = self.config
        with np.errstate(invalid="ignore"):
            above50 = view.at("close") > view.at("sma_50")
        valid50 = ~np.isnan(view.at("sma_50"))
        breadth = float(above50[valid50].mean()) if valid50.any() else 0.5
        weak = breadth < cfg.weak_breadth
        confidence = cfg.base_confidence - (0.1 if weak else 0.0)
        surge = 2.0 if weak else 1.5
        score = view.at("momentum_score").copy()
        with np.errstate(invalid="ignore"):
            eligible = (view.at("sma_10") > view.at("sma_30")) & ~np.isnan(
                view.at("volume_ratio_20")
            )
        score[~eligible | np.isnan(score)] = -np.inf
        order = np.argsort(-score, kind="stable")[: cfg.max_candidates]
        candidates = {symbols[j] for j in order if np.isfinite(score[j])}
        exits = exit_scenarios()
        stocks = []
        for symbol in symbols:
            if symbol in candidates:
                stocks.append(StockPlan(symbol, (*self._entries(confidence, surge), *exits)))
            elif symbol in held:
                stocks.append(StockPlan(symbol, exits))
        notes = (
            f"breadth={breadth:.2f}",
            f"candidates={len(candidates)}",
            "weak-market" if weak else "normal",
        )
        return Playbook(market, session_date, self.name, now, tuple(stocks), notes=notes)

    def _entries(self, confidence: float, surge: float) -> tuple[Scenario, ...]:
        cfg = self.config
        return (
            Scenario(
                "trend-pullback",
                Action.BUY,
                (
                    Condition("close", Op.GT, "sma_30"),
                    Condition("sma_10", Op.GT, "sma_30"),
                    Condition("rsi_14", Op.LT, 45.0),
                ),
                confidence,
                cfg.stop_atr,
                cfg.take_profit_atr,
                "pull-back inside an up-trend",
            ),
            Scenario(
                "volume-breakout",
                Action.BUY,
                (
                    Condition("breakout_20", Op.EQ, 1.0),
                    Condition("volume_ratio_20", Op.GT, surge),
                    Condition("rsi_14", Op.LT, 75.0),
                ),
                min(1.0, confidence + 0.05),
                cfg.stop_atr,
                cfg.take_profit_atr,
                "new 20-bar high on a volume surge",
            ),
            Scenario(
                "oversold-bounce",
                Action.BUY,
                (Condition("rsi_14", Op.LT, 30.0), Condition("change_pct_1", Op.GT, 0.0)),
                max(0.0, confidence - 0.1),
                cfg.stop_atr,
                cfg.take_profit_atr,
                "oversold and turning up",
            ),
        )


def defensive_playbook(
    market: str, session_date: date, now: datetime, held: Sequence[str], reason: str
) -> Playbook:
    """Reduce and exit only: used when planning fails, so a broken planner never adds risk."""
    stocks = tuple(StockPlan(s, exit_scenarios()) for s in held)
    return Playbook(market, session_date, "defensive", now, stocks, defensive=True, notes=(reason,))
