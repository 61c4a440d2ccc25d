"""The risk manager's answer: approve, resize or deny, with every check's verdict."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ouroboros.domain import Price, Quantity
from ouroboros.risk.codes import CheckResult, CheckStatus, RiskCode, Verdict
from ouroboros.risk.intent import OrderIntent


@dataclass(frozen=True, slots=True)
class RiskDecision:
    """What may be sent: ``quantity`` (zero when denied) at ``limit_price``/``stop_price``.

    ``requested`` is the quantity the intent asked for or was sized to (``None`` when it could
    not be worked out). ``checks`` holds every check that ran, in order, PASS and SKIP included,
    so the audit log shows why an order went out as much as why one did not.
    """

    verdict: Verdict
    intent: OrderIntent
    quantity: Quantity
    requested: Quantity | None
    limit_price: Price | None
    stop_price: Price | None
    risk_reducing: bool
    checks: tuple[CheckResult, ...]
    evaluated_at: datetime

    def __post_init__(self) -> None:
        if self.verdict is Verdict.DENY and not self.quantity.is_zero:
            raise ValueError(f"a denied decision must have quantity 0, was {self.quantity}")
        if self.verdict is not Verdict.DENY and self.quantity.is_zero:
            raise ValueError(f"an {self.verdict} decision needs a positive quantity")

    @property
    def approved(self) -> bool:
        """True for APPROVE and RESIZE: an order of ``quantity`` may be sent."""
        return self.verdict is not Verdict.DENY

    @property
    def reasons(self) -> tuple[CheckResult, ...]:
        """The checks that shaped the outcome: denials, resizes and adjustments."""
        shaping = (CheckStatus.DENY, CheckStatus.RESIZE, CheckStatus.ADJUST)
        return tuple(c for c in self.checks if c.status in shaping)

    @property
    def codes(self) -> tuple[RiskCode, ...]:
        return tuple(c.code for c in self.reasons)

    def check(self, code: RiskCode) -> CheckResult | None:
        """The (last) result for one check, if it ran."""
        found = [c for c in self.checks if c.code is code]
        return found[-1] if found else None

    def summary(self) -> str:
        """One line for logs and notifications."""
        head = (
            f"{self.verdict} {self.intent.side.value} {self.quantity} {self.intent.instrument.id}"
        )
        if self.requested is not None and self.requested != self.quantity:
            head += f" (requested {self.requested})"
        detail = "; ".join(c.message for c in self.reasons)
        return f"{head}: {detail}" if detail else head
