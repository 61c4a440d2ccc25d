"""A trading decision as it was made: what, how sure, why, and everything it was based on.

Decisions are logged when they are made, before risk or the broker have had their say, so a
later review can tell a bad idea from a good idea badly executed. ``context`` is the account
and system state at the moment (equity, holding, breaker); ``inputs`` the market data the policy
looked at (the bar and the features of that instrument at that row).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ouroboros.domain.ids import InstrumentId
from ouroboros.domain.orders import OrderSide


@dataclass(frozen=True, slots=True)
class Decision:
    decision_id: str
    ts: datetime
    market: str
    instrument_id: InstrumentId
    side: OrderSide
    confidence: float
    rationale: str
    context: Mapping[str, Any]
    inputs: Mapping[str, Any]

    def __post_init__(self) -> None:
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(
                f"decision {self.decision_id}: confidence must be in [0, 1], was {self.confidence}"
            )
        if self.ts.tzinfo is None:
            raise ValueError(f"decision {self.decision_id}: time must be timezone-aware")
