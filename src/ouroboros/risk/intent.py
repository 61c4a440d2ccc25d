"""What a strategy wants to trade, before risk has looked at it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from ouroboros.domain import Instrument, Money, OrderSide, OrderType, Price, Quantity


class IntentSource(StrEnum):
    """Who produced the intent. Some limits differ per source (the TA profile)."""

    TA = "ta"
    TA_ML = "ta+ml"
    PLAYBOOK = "playbook"
    LLM = "llm"
    AGENTS = "agents"
    MANUAL = "manual"
    SYSTEM = "system"

    @property
    def is_ta(self) -> bool:
        """Technical-analysis strategies get the tighter TA profile (seed 001: 10 % positions)."""
        return self in (IntentSource.TA, IntentSource.TA_ML)


class SizingMode(StrEnum):
    QUANTITY = "quantity"
    NOTIONAL = "notional"
    SIZE_ME = "size_me"


@dataclass(frozen=True, slots=True)
class OrderIntent:
    """A request to trade, in the strategy's terms.

    Sizing: give ``quantity`` (shares), or ``notional`` (cash to spend, any currency with an FX
    rate), or neither to let the risk manager size it (volatility-targeted allocation for entries,
    the whole position for risk-reducing orders).

    ``limit_price``/``stop_price`` are the order's own prices (required by LIMIT / STOP types).
    ``stop_loss`` is the protective exit level of a new position; with ``atr`` it bounds the loss
    per trade (explicit ``stop_loss`` wins over ``stop_atr_multiple`` × ``atr``).
    ``risk_reducing`` claims the order exits or shrinks a position (stop-loss, take-profit,
    liquidation). The claim is verified against the account: a false claim is denied, never
    trusted, because the claim is what lets an order through a tripped breaker.
    """

    instrument: Instrument
    side: OrderSide
    confidence: Decimal
    source: IntentSource
    order_type: OrderType = OrderType.MARKET
    quantity: Quantity | None = None
    notional: Money | None = None
    limit_price: Price | None = None
    stop_price: Price | None = None
    reference_price: Price | None = None
    stop_loss: Price | None = None
    atr: Decimal | None = None
    volatility_score: Decimal | None = None
    risk_reducing: bool = False
    decision_id: str | None = None

    def __post_init__(self) -> None:
        name = self.decision_id or str(self.instrument.id)
        if self.quantity is not None and self.notional is not None:
            raise ValueError(f"intent {name}: give quantity or notional, not both")
        if self.quantity is not None and self.quantity.is_zero:
            raise ValueError(f"intent {name}: invalid quantity, was 0")
        if self.notional is not None and self.notional.amount <= 0:
            raise ValueError(f"intent {name}: invalid notional, was {self.notional}")
        if not isinstance(self.confidence, Decimal) or not 0 <= self.confidence <= 1:
            raise ValueError(
                f"intent {name}: confidence must be a Decimal in [0, 1], was {self.confidence!r}"
            )
        if self.order_type.needs_limit_price and self.limit_price is None:
            raise ValueError(f"intent {name}: {self.order_type.value} needs a limit price")
        if self.order_type.needs_stop_price and self.stop_price is None:
            raise ValueError(f"intent {name}: {self.order_type.value} needs a stop price")
        if not self.order_type.needs_limit_price and self.limit_price is not None:
            raise ValueError(f"intent {name}: {self.order_type.value} takes no limit price")
        if not self.order_type.needs_stop_price and self.stop_price is not None:
            raise ValueError(f"intent {name}: {self.order_type.value} takes no stop price")
        for label, price in (
            ("limit", self.limit_price),
            ("stop", self.stop_price),
            ("stop-loss", self.stop_loss),
            ("reference", self.reference_price),
        ):
            if price is not None and price.value <= 0:
                raise ValueError(f"intent {name}: invalid {label} price, was {price}")
        if self.atr is not None and (not isinstance(self.atr, Decimal) or self.atr <= 0):
            raise ValueError(f"intent {name}: invalid ATR, was {self.atr!r}")
        if self.volatility_score is not None and (
            not isinstance(self.volatility_score, Decimal) or self.volatility_score < 0
        ):
            raise ValueError(
                f"intent {name}: invalid volatility score, was {self.volatility_score!r}"
            )

    @property
    def sizing(self) -> SizingMode:
        if self.quantity is not None:
            return SizingMode.QUANTITY
        if self.notional is not None:
            return SizingMode.NOTIONAL
        return SizingMode.SIZE_ME

    @property
    def label(self) -> str:
        """A short description for messages: ``BUY 10 005930.KRX``."""
        size = (
            str(self.quantity)
            if self.quantity is not None
            else str(self.notional)
            if self.notional is not None
            else "(size me)"
        )
        return f"{self.side.value} {size} {self.instrument.id}"
