"""What the breaker measures, as pure functions of its state: which triggers fire, which clear.

Triggers fire at the threshold (a 3 % limit trips at a loss of exactly 3 %). Missing inputs
never fire a trigger here; the risk manager denies new risk on missing inputs instead, so a data
outage cannot trip (and thereby latch) the breaker, yet cannot open risk either.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from ouroboros.risk import _fmt
from ouroboros.risk.breaker.config import BreakerConfig, TriggerKind
from ouroboros.risk.breaker.state import BreakerState


def trading_day(now: datetime, config: BreakerConfig) -> date:
    """The trading day ``now`` belongs to: local date in ``day_timezone``, shifted by rollover."""
    local = now.astimezone(ZoneInfo(config.day_timezone))
    shift = timedelta(
        hours=config.day_rollover.hour,
        minutes=config.day_rollover.minute,
        seconds=config.day_rollover.second,
    )
    return (local - shift).date()


def daily_loss(state: BreakerState) -> Decimal | None:
    """Today's loss not yet acknowledged by a manual resume (positive = losing)."""
    if state.loss_today is None:
        return None
    return state.loss_today - state.acknowledged_loss


def daily_loss_pct(state: BreakerState) -> Decimal | None:
    loss = daily_loss(state)
    start = state.day_start_equity
    if loss is None or start is None or start <= 0:
        return None
    return loss / start * 100


def drawdown_pct(state: BreakerState) -> Decimal | None:
    """How far the last equity sits below the peak, in percent (0 at a new high)."""
    peak, last = state.peak_equity, state.last_equity
    if peak is None or last is None or peak <= 0:
        return None
    return max((peak - last) / peak * 100, Decimal(0))


def recent_errors(state: BreakerState, now: datetime) -> tuple[datetime, ...]:
    """Error times inside the sliding window ending at ``now``."""
    start = now - state.config.api_error_window
    return tuple(t for t in state.error_times if t > start)


def active_triggers(state: BreakerState, now: datetime) -> dict[TriggerKind, str]:
    """Every trigger at or beyond its threshold, with a message saying by how much."""
    cfg = state.config
    active: dict[TriggerKind, str] = {}
    loss_pct = daily_loss_pct(state)
    if (
        cfg.max_daily_loss_pct is not None
        and loss_pct is not None
        and (loss_pct >= cfg.max_daily_loss_pct)
    ):
        active[TriggerKind.DAILY_LOSS_PCT] = (
            f"daily loss {_fmt.pct(loss_pct, cfg.max_daily_loss_pct)} % ({cfg.loss_basis}) "
            f"reached the limit {_fmt.plain(cfg.max_daily_loss_pct)} %"
        )
    loss = daily_loss(state)
    if (
        cfg.max_daily_loss_amount is not None
        and loss is not None
        and (loss >= cfg.max_daily_loss_amount)
    ):
        currency = state.base_currency.value if state.base_currency else ""
        active[TriggerKind.DAILY_LOSS_AMOUNT] = (
            f"daily loss {_fmt.plain(loss)} {currency} ({cfg.loss_basis}) reached the limit "
            f"{_fmt.plain(cfg.max_daily_loss_amount)} {currency}".replace("  ", " ")
        )
    if cfg.max_consecutive_losses is not None and (
        state.consecutive_losses >= cfg.max_consecutive_losses
    ):
        active[TriggerKind.CONSECUTIVE_LOSSES] = (
            f"{state.consecutive_losses} losing trades in a row reached the limit "
            f"{cfg.max_consecutive_losses}"
        )
    dd = drawdown_pct(state)
    if cfg.max_drawdown_pct is not None and dd is not None and dd >= cfg.max_drawdown_pct:
        active[TriggerKind.DRAWDOWN] = (
            f"drawdown {_fmt.pct(dd, cfg.max_drawdown_pct)} % from peak equity reached the "
            f"limit {_fmt.plain(cfg.max_drawdown_pct)} %"
        )
    if cfg.max_api_errors is not None:
        errors = len(recent_errors(state, now))
        if errors >= cfg.max_api_errors:
            active[TriggerKind.API_ERRORS] = (
                f"{errors} broker/API errors within {_minutes(cfg.api_error_window)} reached "
                f"the limit {cfg.max_api_errors}"
            )
    return active


def clearance(state: BreakerState, kind: TriggerKind, now: datetime) -> str | None:
    """Why a cause of the current trip no longer holds (after the cooldown), or None if it does.

    * consecutive losses: serving the cooldown clears them (seed 001's pause);
    * API errors: fewer than the limit left inside the window;
    * drawdown: recovered below ``drawdown_resume_pct`` (hysteresis), or a win streak;
    * daily loss (only when made auto-resumable): below the limit again, normally a new day.
    """
    cfg = state.config
    streak = cfg.win_streak_resume
    won = streak is not None and state.win_streak >= streak
    if kind is TriggerKind.CONSECUTIVE_LOSSES:
        return f"cooldown of {_minutes(cfg.cooldown)} served"
    if kind is TriggerKind.API_ERRORS:
        errors = len(recent_errors(state, now))
        if cfg.max_api_errors is None or errors < cfg.max_api_errors:
            return f"{errors} API errors within {_minutes(cfg.api_error_window)}"
        return None
    if kind is TriggerKind.DRAWDOWN:
        dd = drawdown_pct(state)
        resume = cfg.drawdown_resume_pct
        if dd is not None and resume is not None and dd < resume:
            return f"drawdown recovered to {_fmt.pct(dd, resume)} % (< {_fmt.plain(resume)} %)"
        if won:
            return f"{state.win_streak} winning trades in a row since the trip"
        return None
    others = active_triggers(state, now)
    if kind not in others:
        return f"{kind} below its limit"
    return None


def _minutes(delta: timedelta) -> str:
    minutes = Decimal(str(delta.total_seconds())) / 60
    return f"{_fmt.plain(minutes)} min"
