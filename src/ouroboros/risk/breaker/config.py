"""Circuit-breaker thresholds (the union of seeds 000, 001 and 003, see docs/risk.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time, timedelta
from decimal import Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ouroboros.errors import ConfigError


class LossBasis(StrEnum):
    """Which of today's P&L counts toward the daily-loss triggers."""

    REALIZED = "realized"
    UNREALIZED = "unrealized"
    BOTH = "both"


class TriggerKind(StrEnum):
    """What can trip the breaker."""

    DAILY_LOSS_PCT = "DAILY_LOSS_PCT"
    DAILY_LOSS_AMOUNT = "DAILY_LOSS_AMOUNT"
    CONSECUTIVE_LOSSES = "CONSECUTIVE_LOSSES"
    DRAWDOWN = "DRAWDOWN"
    API_ERRORS = "API_ERRORS"


DEFAULT_AUTO_RESUME = frozenset(
    {TriggerKind.CONSECUTIVE_LOSSES, TriggerKind.DRAWDOWN, TriggerKind.API_ERRORS}
)


@dataclass(frozen=True, slots=True)
class BreakerConfig:
    """Trip thresholds (``None`` disables a trigger) and the resume rules.

    * ``max_daily_loss_pct`` of the day-start equity, ``max_daily_loss_amount`` in the account's
      base currency, both measured on ``loss_basis``;
    * ``max_consecutive_losses`` losing trades in a row;
    * ``max_drawdown_pct`` below peak equity, re-armed automatically below ``drawdown_resume_pct``;
    * ``max_api_errors`` broker/API errors within ``api_error_window``;
    * ``cooldown``: the minimum halt before any automatic resume; only trips whose every cause
      is in ``auto_resume`` resume automatically, the rest wait for a person;
    * ``win_streak_resume``: that many winning trades in a row since the trip also clear a
      drawdown or consecutive-loss trip once the cooldown has passed;
    * the trading day rolls at ``day_rollover`` in ``day_timezone`` (07:00 Seoul falls after the
      US close and before the Asian opens, so no session is split).
    """

    max_daily_loss_pct: Decimal | None = Decimal(3)
    max_daily_loss_amount: Decimal | None = None
    loss_basis: LossBasis = LossBasis.BOTH
    max_consecutive_losses: int | None = 3
    max_drawdown_pct: Decimal | None = Decimal(15)
    drawdown_resume_pct: Decimal | None = Decimal(10)
    win_streak_resume: int | None = 3
    max_api_errors: int | None = 5
    api_error_window: timedelta = timedelta(minutes=5)
    cooldown: timedelta = timedelta(minutes=30)
    auto_resume: frozenset[TriggerKind] = DEFAULT_AUTO_RESUME
    day_timezone: str = "Asia/Seoul"
    day_rollover: time = time(7, 0)

    def __post_init__(self) -> None:
        for name in ("max_daily_loss_pct", "max_drawdown_pct", "drawdown_resume_pct"):
            value = getattr(self, name)
            if value is not None and not (isinstance(value, Decimal) and 0 < value <= 100):
                raise ConfigError(f"invalid {name}, was {value!r}: must be a Decimal in (0, 100]")
        amount = self.max_daily_loss_amount
        if amount is not None and not (isinstance(amount, Decimal) and amount > 0):
            raise ConfigError(f"invalid max_daily_loss_amount, was {amount!r}: must be > 0")
        for name in ("max_consecutive_losses", "win_streak_resume", "max_api_errors"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or value < 1):
                raise ConfigError(f"invalid {name}, was {value!r}: must be >= 1")
        if (
            self.drawdown_resume_pct is not None
            and self.max_drawdown_pct is not None
            and self.drawdown_resume_pct >= self.max_drawdown_pct
        ):
            raise ConfigError(
                f"invalid drawdown_resume_pct, was {self.drawdown_resume_pct}: must be below "
                f"max_drawdown_pct {self.max_drawdown_pct}"
            )
        if self.api_error_window <= timedelta(0):
            raise ConfigError(f"invalid api_error_window, was {self.api_error_window}: must be > 0")
        if self.cooldown < timedelta(0):
            raise ConfigError(f"invalid cooldown, was {self.cooldown}: must be >= 0")
        if self.day_rollover.tzinfo is not None:
            raise ConfigError(
                f"invalid day_rollover, was {self.day_rollover}: give a local "
                "time without a zone (the zone is day_timezone)"
            )
        try:
            ZoneInfo(self.day_timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(f"invalid day_timezone, was {self.day_timezone!r}") from None
        if not isinstance(self.auto_resume, frozenset):
            raise ConfigError(f"invalid auto_resume, was {self.auto_resume!r}: use a frozenset")
