"""The account's kill switch: a disabled account sends nothing, exits included."""

from __future__ import annotations

from ouroboros.risk.codes import CheckResult, RiskCode, denied, passed


def check_trading_enabled(enabled: bool | None) -> CheckResult:
    """``enabled`` is the account's switch; ``None`` (it could not be read) denies."""
    code = RiskCode.TRADING_ENABLED
    if enabled is None:
        return denied(code, "trading switch of the account unknown: nothing is sent")
    if not enabled:
        return denied(code, "trading is disabled for the account (kill switch): nothing is sent")
    return passed(code, "trading enabled for the account")
