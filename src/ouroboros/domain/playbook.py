"""Playbooks: the per-market, per-day plan of scenarios a planner writes before the open.

A scenario is data, never code: a conjunction of conditions on named features, an action, a
confidence (0-1) and protective distances in ATR multiples. LLM output is parsed into these
types and validated at the edge; the scenario engine only ever evaluates them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import Any


class Action(Enum):
    BUY = "BUY"
    SELL = "SELL"


class Op(Enum):
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="
    EQ = "=="


@dataclass(frozen=True, slots=True)
class Condition:
    """``feature op value`` where value is a number or another feature's name."""

    feature: str
    op: Op
    value: float | str

    def __str__(self) -> str:
        return f"{self.feature} {self.op.value} {self.value}"

    @classmethod
    def parse(cls, text: str) -> Condition:
        """The condition ``str`` wrote: ``feature op number-or-feature``."""
        feature, op, value = text.split(" ")
        try:
            return cls(feature, Op(op), float(value))
        except ValueError:
            return cls(feature, Op(op), value)


MAX_SCENARIOS_PER_STOCK = 5


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    action: Action
    conditions: tuple[Condition, ...]
    confidence: float
    stop_atr: float | None = None
    take_profit_atr: float | None = None
    rationale: str = ""

    def __post_init__(self) -> None:
        if not self.conditions:
            raise ValueError(f"scenario {self.name!r} needs at least one condition")
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(
                f"scenario {self.name!r}: confidence must be in [0, 1], was {self.confidence}"
            )
        for key, value in (("stop_atr", self.stop_atr), ("take_profit_atr", self.take_profit_atr)):
            if value is not None and not 0 < value <= 20:
                raise ValueError(f"scenario {self.name!r}: {key} must be in (0, 20], was {value}")


@dataclass(frozen=True, slots=True)
class StockPlan:
    symbol: str
    scenarios: tuple[Scenario, ...]

    def __post_init__(self) -> None:
        if len(self.scenarios) > MAX_SCENARIOS_PER_STOCK:
            raise ValueError(
                f"{self.symbol}: at most {MAX_SCENARIOS_PER_STOCK} scenarios, "
                f"was {len(self.scenarios)}"
            )


@dataclass(frozen=True, slots=True)
class Playbook:
    market: str
    session_date: date
    planner: str
    created_at: datetime
    stocks: tuple[StockPlan, ...]
    defensive: bool = False
    notes: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {
            "market": self.market,
            "session_date": self.session_date.isoformat(),
            "planner": self.planner,
            "created_at": self.created_at.isoformat(),
            "defensive": self.defensive,
            "notes": list(self.notes),
            "stocks": [
                {
                    "symbol": s.symbol,
                    "scenarios": [
                        {
                            "name": sc.name,
                            "action": sc.action.value,
                            "conditions": [str(c) for c in sc.conditions],
                            "confidence": sc.confidence,
                            "stop_atr": sc.stop_atr,
                            "take_profit_atr": sc.take_profit_atr,
                            "rationale": sc.rationale,
                        }
                        for sc in s.scenarios
                    ],
                }
                for s in self.stocks
            ],
        }

    @classmethod
    def from_dict(cls, body: dict[str, Any]) -> Playbook:
        """The playbook :meth:`to_dict` wrote (a stored playbook, read back)."""
        return cls(
            market=body["market"],
            session_date=date.fromisoformat(body["session_date"]),
            planner=body["planner"],
            created_at=datetime.fromisoformat(body["created_at"]),
            defensive=bool(body.get("defensive", False)),
            notes=tuple(body.get("notes", ())),
            stocks=tuple(
                StockPlan(
                    s["symbol"],
                    tuple(
                        Scenario(
                            sc["name"],
                            Action(sc["action"]),
                            tuple(Condition.parse(c) for c in sc["conditions"]),
                            sc["confidence"],
                            sc.get("stop_atr"),
                            sc.get("take_profit_atr"),
                            sc.get("rationale", ""),
                        )
                        for sc in s["scenarios"]
                    ),
                )
                for s in body["stocks"]
            ),
        )
