"""Minimum confidence: a weak signal does not open risk (seed 000: HOLD below 80 %)."""

from __future__ import annotations

from ouroboros.risk import _fmt
from ouroboros.risk.codes import CheckResult, RiskCode, denied, passed, skipped
from ouroboros.risk.intent import OrderIntent
from ouroboros.risk.limits import RiskLimits


def check_confidence(intent: OrderIntent, limits: RiskLimits) -> CheckResult:
    floor = limits.min_confidence_for(intent.source)
    shown = _fmt.pct(intent.confidence * 100)
    if floor == 0:
        return skipped(RiskCode.MIN_CONFIDENCE, f"no minimum confidence (was {shown} %)")
    floor_shown = _fmt.plain(floor * 100)
    if intent.confidence < floor:
        return denied(
            RiskCode.MIN_CONFIDENCE,
            f"confidence {shown} % is below the minimum {floor_shown} % for {intent.source}",
        )
    return passed(
        RiskCode.MIN_CONFIDENCE,
        f"confidence {shown} % meets the minimum {floor_shown} % for {intent.source}",
    )
