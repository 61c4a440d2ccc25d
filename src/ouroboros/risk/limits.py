"""The hard limits, as one frozen value. Percentages are percent (``Decimal('20')`` = 20 %).

A limit set to ``None`` is disabled (its check reports SKIP). Only the ``permissive`` profile
disables limits, and the manager refuses it in live mode.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import timedelta
from decimal import Decimal
from enum import StrEnum

from ouroboros.errors import ConfigError
from ouroboros.risk.intent import IntentSource

DEFAULT_PROFILE = "default"
PERMISSIVE_PROFILE = "permissive"
_HUNDRED = Decimal(100)


class TickPolicy(StrEnum):
    """What to do with a limit or stop price that is off the exchange's tick grid.

    ``SNAP`` moves it to the passive side (buys down, sells up), which never pays more or sells
    for less than the strategy asked and, for stops, triggers protective exits no later.
    """

    REJECT = "reject"
    SNAP = "snap"


@dataclass(frozen=True, slots=True)
class RiskLimits:
    """Every limit the risk manager enforces, all at once on every risk-increasing order.

    See docs/risk.md for each limit's meaning, default and environment name.
    """

    profile: str = DEFAULT_PROFILE
    # Cash.
    max_order_pct_of_cash: Decimal | None = Decimal(30)
    cash_buffer_pct: Decimal = Decimal(1)
    cross_currency_cash: bool = False
    # Concentration and exposure (of equity, after the order).
    max_position_pct: Decimal | None = Decimal(20)
    ta_max_position_pct: Decimal | None = Decimal(10)
    max_sector_pct: Decimal | None = Decimal(30)
    max_open_positions: int | None = 10
    # Correlated positions (seed 001): at most N open positions whose daily returns over the
    # lookback correlate above the threshold (see risk/checks/correlated.py).
    max_correlated_positions: int | None = 3
    correlation_lookback: int = 60
    correlation_threshold: Decimal = Decimal("0.7")
    max_total_exposure_pct: Decimal | None = Decimal(80)
    # Loss per trade.
    risk_per_trade_pct: Decimal | None = Decimal(1)
    stop_atr_multiple: Decimal = Decimal(2)
    require_stop: bool = True
    # Volatility-targeted sizing for "size me" intents (seed 000).
    sizing_enabled: bool = True
    base_allocation_pct: Decimal = Decimal(5)
    min_allocation_pct: Decimal = Decimal(1)
    max_allocation_pct: Decimal = Decimal(10)
    volatility_target_score: Decimal = Decimal(50)
    # Signal quality and order validity.
    min_confidence: Decimal = Decimal("0.8")
    ta_min_confidence: Decimal = Decimal("0.6")
    require_market_open: bool = True
    tick_policy: TickPolicy = TickPolicy.SNAP
    max_price_deviation_pct: Decimal | None = Decimal(10)
    max_price_age: timedelta = timedelta(seconds=120)
    max_clock_skew: timedelta = timedelta(seconds=5)

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, float):
                raise ConfigError(f"invalid {f.name}, was {value!r}: use Decimal, not float")
        for name in (
            "max_order_pct_of_cash",
            "max_position_pct",
            "ta_max_position_pct",
            "max_sector_pct",
            "max_total_exposure_pct",
            "risk_per_trade_pct",
            "max_price_deviation_pct",
        ):
            _check_pct(name, getattr(self, name))
        for name in ("base_allocation_pct", "min_allocation_pct", "max_allocation_pct"):
            _check_pct(name, getattr(self, name))
        if not Decimal(0) <= self.cash_buffer_pct < _HUNDRED:
            raise ConfigError(
                f"invalid cash_buffer_pct, was {self.cash_buffer_pct}: must be in [0, 100)"
            )
        if not self.min_allocation_pct <= self.base_allocation_pct <= self.max_allocation_pct:
            raise ConfigError(
                "invalid min_allocation_pct / base_allocation_pct / max_allocation_pct, were "
                f"{self.min_allocation_pct} / {self.base_allocation_pct} / "
                f"{self.max_allocation_pct}: need min <= base <= max"
            )
        if self.volatility_target_score <= 0:
            raise ConfigError(
                f"invalid volatility_target_score, was {self.volatility_target_score}: must be > 0"
            )
        if self.stop_atr_multiple <= 0:
            raise ConfigError(
                f"invalid stop_atr_multiple, was {self.stop_atr_multiple}: must be > 0"
            )
        for name in ("min_confidence", "ta_min_confidence"):
            value = getattr(self, name)
            if not Decimal(0) <= value <= 1:
                raise ConfigError(f"invalid {name}, was {value}: must be in [0, 1]")
        if self.max_open_positions is not None and self.max_open_positions < 1:
            raise ConfigError(
                f"invalid max_open_positions, was {self.max_open_positions}: must be >= 1"
            )
        if self.max_correlated_positions is not None and self.max_correlated_positions < 1:
            raise ConfigError(
                "invalid max_correlated_positions, was "
                f"{self.max_correlated_positions}: must be >= 1"
            )
        if self.correlation_lookback < 2:
            raise ConfigError(
                f"invalid correlation_lookback, was {self.correlation_lookback}: must be >= 2"
            )
        if not Decimal(0) <= self.correlation_threshold < 1:
            raise ConfigError(
                f"invalid correlation_threshold, was {self.correlation_threshold}: "
                "must be in [0, 1)"
            )
        if self.max_price_age <= timedelta(0):
            raise ConfigError(f"invalid max_price_age, was {self.max_price_age}: must be > 0")
        if self.max_clock_skew < timedelta(0):
            raise ConfigError(f"invalid max_clock_skew, was {self.max_clock_skew}: must be >= 0")
        if not self.profile:
            raise ConfigError("invalid profile, was '': name the profile")

    @classmethod
    def named(cls, profile: str) -> RiskLimits:
        """A built-in profile: ``default`` or ``permissive``."""
        if profile == DEFAULT_PROFILE:
            return DEFAULT_LIMITS
        if profile == PERMISSIVE_PROFILE:
            return PERMISSIVE_LIMITS
        raise ConfigError(
            f"invalid risk profile, was {profile!r} (known: {DEFAULT_PROFILE}, "
            f"{PERMISSIVE_PROFILE})"
        )

    @property
    def is_permissive(self) -> bool:
        return self.profile == PERMISSIVE_PROFILE

    def position_cap_pct(self, source: IntentSource) -> Decimal | None:
        """The position limit for intents from ``source``: TA strategies get the tighter one."""
        caps = [self.max_position_pct]
        if source.is_ta:
            caps.append(self.ta_max_position_pct)
        present = [c for c in caps if c is not None]
        return min(present) if present else None

    def min_confidence_for(self, source: IntentSource) -> Decimal:
        """TA confidences are on the TA scale (seed 001 trades at >= 0.6), others on the LLM's."""
        return self.ta_min_confidence if source.is_ta else self.min_confidence

    def live_problems(self) -> list[str]:
        """Why these limits must not guard real money (empty when they may)."""
        problems: list[str] = []
        if self.is_permissive:
            problems.append("the permissive profile is for reference backtests only")
        for name in ("max_order_pct_of_cash", "max_position_pct", "max_total_exposure_pct"):
            if getattr(self, name) is None:
                problems.append(f"{name} is disabled")
        return problems


def _check_pct(name: str, value: Decimal | None) -> None:
    if value is None:
        return
    if not isinstance(value, Decimal) or not Decimal(0) < value <= _HUNDRED:
        raise ConfigError(f"invalid {name}, was {value}: must be a Decimal in (0, 100]")


DEFAULT_LIMITS = RiskLimits()

PERMISSIVE_LIMITS = RiskLimits(
    profile=PERMISSIVE_PROFILE,
    max_order_pct_of_cash=None,
    cash_buffer_pct=Decimal(0),
    max_position_pct=None,
    ta_max_position_pct=None,
    max_sector_pct=None,
    max_open_positions=None,
    max_correlated_positions=None,
    max_total_exposure_pct=None,
    risk_per_trade_pct=None,
    require_stop=False,
    sizing_enabled=False,
    base_allocation_pct=_HUNDRED,
    min_allocation_pct=_HUNDRED,
    max_allocation_pct=_HUNDRED,
    min_confidence=Decimal(0),
    ta_min_confidence=Decimal(0),
    max_price_deviation_pct=None,
)
