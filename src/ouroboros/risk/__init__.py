"""Hard risk limits every order passes: pure, synchronous, no I/O, fail closed.

``RiskManager.evaluate(intent, account, market, now)`` approves, resizes or denies an
:class:`OrderIntent` against :class:`RiskLimits` and a :class:`CircuitBreaker`. See docs/risk.md.
"""

from ouroboros.risk.account import UNKNOWN_SECTOR, AccountView, PositionView
from ouroboros.risk.breaker import (
    BreakerAdmission,
    BreakerConfig,
    BreakerCoolingDown,
    BreakerEvent,
    BreakerResumed,
    BreakerState,
    BreakerStatus,
    BreakerTripped,
    CircuitBreaker,
    LossBasis,
    ThresholdTightened,
    TradingDayStarted,
    TriggerKind,
    strictest,
)
from ouroboros.risk.checks.sizing import allocation_pct
from ouroboros.risk.codes import CheckResult, CheckStatus, RiskCode, Verdict
from ouroboros.risk.decision import RiskDecision
from ouroboros.risk.errors import BreakerStateError, LooseningRefused
from ouroboros.risk.intent import IntentSource, OrderIntent, SizingMode
from ouroboros.risk.limits import (
    DEFAULT_LIMITS,
    PERMISSIVE_LIMITS,
    RiskLimits,
    TickPolicy,
)
from ouroboros.risk.manager import RiskManager
from ouroboros.risk.market import MarketState
from ouroboros.risk.settings import RiskSettings

__all__ = [
    "DEFAULT_LIMITS",
    "PERMISSIVE_LIMITS",
    "UNKNOWN_SECTOR",
    "AccountView",
    "BreakerAdmission",
    "BreakerConfig",
    "BreakerCoolingDown",
    "BreakerEvent",
    "BreakerResumed",
    "BreakerState",
    "BreakerStateError",
    "BreakerStatus",
    "BreakerTripped",
    "CheckResult",
    "CheckStatus",
    "CircuitBreaker",
    "IntentSource",
    "LooseningRefused",
    "LossBasis",
    "MarketState",
    "OrderIntent",
    "PositionView",
    "RiskCode",
    "RiskDecision",
    "RiskLimits",
    "RiskManager",
    "RiskSettings",
    "SizingMode",
    "ThresholdTightened",
    "TickPolicy",
    "TradingDayStarted",
    "TriggerKind",
    "Verdict",
    "allocation_pct",
    "strictest",
]
