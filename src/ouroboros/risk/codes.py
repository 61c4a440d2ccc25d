"""Machine codes and verdicts: what the risk manager decided, and why, in a form code can match.

Every check contributes one :class:`CheckResult`. The human ``message`` is for operators and the
audit log; callers branch on ``code`` and ``status`` only (messages may be reworded).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from enum import StrEnum


class Verdict(StrEnum):
    """The overall answer to an order intent."""

    APPROVE = "APPROVE"
    RESIZE = "RESIZE"
    DENY = "DENY"


class CheckStatus(StrEnum):
    """One check's verdict.

    ``RESIZE`` means the check allows a smaller quantity (``max_quantity``); ``ADJUST`` means it
    changed something other than the quantity (a limit price snapped to the tick grid); ``SKIP``
    means the check did not apply (disabled limit, or exempt because the order reduces risk).
    """

    PASS = "PASS"
    RESIZE = "RESIZE"
    ADJUST = "ADJUST"
    DENY = "DENY"
    SKIP = "SKIP"


class RiskCode(StrEnum):
    """One code per check (and per fail-closed data problem)."""

    # Fail-closed data checks: missing, stale or inconsistent inputs deny.
    PRICE_DATA = "PRICE_DATA"
    ACCOUNT_DATA = "ACCOUNT_DATA"
    FX_RATE = "FX_RATE"
    PNL_DATA = "PNL_DATA"
    # Gates.
    TRADING_ENABLED = "TRADING_ENABLED"
    CIRCUIT_BREAKER = "CIRCUIT_BREAKER"
    MIN_CONFIDENCE = "MIN_CONFIDENCE"
    MARKET_OPEN = "MARKET_OPEN"
    TICK_SIZE = "TICK_SIZE"
    PRICE_DEVIATION = "PRICE_DEVIATION"
    RISK_REDUCING = "RISK_REDUCING"
    # Sizing and quantity caps.
    SIZING = "SIZING"
    RISK_PER_TRADE = "RISK_PER_TRADE"
    FAT_FINGER = "FAT_FINGER"
    CASH = "CASH"
    POSITION_LIMIT = "POSITION_LIMIT"
    SECTOR_LIMIT = "SECTOR_LIMIT"
    MAX_POSITIONS = "MAX_POSITIONS"
    CORRELATED_POSITIONS = "CORRELATED_POSITIONS"
    TOTAL_EXPOSURE = "TOTAL_EXPOSURE"
    LOT_SIZE = "LOT_SIZE"


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One check's verdict with a machine code and a human message.

    ``max_quantity`` is set on ``RESIZE``: the largest quantity (before lot rounding) this check
    allows. The manager takes the smallest cap over all checks, then rounds down to whole lots.
    """

    code: RiskCode
    status: CheckStatus
    message: str
    max_quantity: Decimal | None = None

    def __post_init__(self) -> None:
        if self.status is CheckStatus.RESIZE and self.max_quantity is None:
            raise ValueError(f"{self.code}: a RESIZE result needs max_quantity")

    @property
    def blocks(self) -> bool:
        return self.status is CheckStatus.DENY

    def __str__(self) -> str:
        return f"{self.code} {self.status}: {self.message}"


def passed(code: RiskCode, message: str) -> CheckResult:
    return CheckResult(code, CheckStatus.PASS, message)


def denied(code: RiskCode, message: str) -> CheckResult:
    return CheckResult(code, CheckStatus.DENY, message)


def skipped(code: RiskCode, message: str) -> CheckResult:
    return CheckResult(code, CheckStatus.SKIP, message)


def resized(code: RiskCode, message: str, max_quantity: Decimal) -> CheckResult:
    """A RESIZE whose message ends with the cap, e.g. ``(at most 214.28 shares)``."""
    cap = max(max_quantity, Decimal(0))
    shown = format(cap.quantize(Decimal("0.01"), rounding=ROUND_FLOOR).normalize(), "f")
    return CheckResult(code, CheckStatus.RESIZE, f"{message} (at most {shown} shares)", cap)
