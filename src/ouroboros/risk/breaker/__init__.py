"""The circuit breaker: halts new risk after losses, drawdown, losing streaks or API bursts."""

from ouroboros.risk.breaker.carry import CarriedDay, carry_over, restore
from ouroboros.risk.breaker.codec import config_from_dict, config_to_dict
from ouroboros.risk.breaker.config import BreakerConfig, LossBasis, TriggerKind
from ouroboros.risk.breaker.events import (
    BreakerCoolingDown,
    BreakerEvent,
    BreakerResumed,
    BreakerTripped,
    ThresholdTightened,
    TradingDayStarted,
)
from ouroboros.risk.breaker.machine import BreakerAdmission, CircuitBreaker
from ouroboros.risk.breaker.state import BreakerState, BreakerStatus
from ouroboros.risk.breaker.tighten import strictest

__all__ = [
    "BreakerAdmission",
    "BreakerConfig",
    "BreakerCoolingDown",
    "BreakerEvent",
    "BreakerResumed",
    "BreakerState",
    "BreakerStatus",
    "BreakerTripped",
    "CarriedDay",
    "CircuitBreaker",
    "LossBasis",
    "ThresholdTightened",
    "TradingDayStarted",
    "TriggerKind",
    "carry_over",
    "config_from_dict",
    "config_to_dict",
    "restore",
    "strictest",
]
