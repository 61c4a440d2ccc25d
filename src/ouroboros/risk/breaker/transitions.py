"""The breaker state machine as pure functions ``(state, input, now) -> (state, events)``.

::

    ARMED --trigger--> TRIPPED --cooldown served, all causes auto-resumable--> COOLING_DOWN
    COOLING_DOWN --every cause cleared--> ARMED          (BreakerResumed by "auto")
    COOLING_DOWN --a new kind of trigger--> TRIPPED      (cooldown restarts)
    TRIPPED / COOLING_DOWN --resume(by)--> ARMED         (manual, always allowed)

A new trading day resets the daily counters only; a trip stays until one of the resumes above.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

from ouroboros.errors import InvariantError
from ouroboros.risk.account import AccountView
from ouroboros.risk.breaker.config import LossBasis, TriggerKind
from ouroboros.risk.breaker.events import (
    BreakerCoolingDown,
    BreakerEvent,
    BreakerResumed,
    BreakerTripped,
    TradingDayStarted,
)
from ouroboros.risk.breaker.state import BreakerState, BreakerStatus
from ouroboros.risk.breaker.triggers import (
    active_triggers,
    clearance,
    daily_loss,
    drawdown_pct,
    recent_errors,
    trading_day,
)

Step = tuple[BreakerState, list[BreakerEvent]]
Trip = tuple[BreakerState, BreakerTripped]


def utc(now: datetime) -> datetime:
    """``now`` in UTC; a naive time is a programming error (there is no safe guess)."""
    if now.tzinfo is None:
        raise ValueError(f"now must be timezone-aware, was {now!r}")
    return now.astimezone(UTC)


def loss_on_basis(account: AccountView, basis: LossBasis) -> Decimal | None:
    """Today's loss on ``basis`` (positive = losing), or None when the account lacks the P&L."""
    realized, unrealized = account.realized_pnl_today, account.unrealized_pnl_today
    if basis is LossBasis.REALIZED:
        return None if realized is None else -realized.amount
    if basis is LossBasis.UNREALIZED:
        return None if unrealized is None else -unrealized.amount
    if realized is None or unrealized is None:
        return None
    return -(realized.amount + unrealized.amount)


def observe(state: BreakerState, account: AccountView, now: datetime) -> Step:
    """Take in the account's equity and P&L (rolling the day if needed), then step."""
    now = utc(now)
    if state.base_currency is not None and account.base_currency is not state.base_currency:
        raise InvariantError(
            f"breaker tracks {state.base_currency.value}, account is in "
            f"{account.base_currency.value}"
        )
    events: list[BreakerEvent] = []
    equity = account.equity.amount if account.equity is not None else None
    day = trading_day(now, state.config)
    if state.trading_day != day:
        start = account.day_start_equity.amount if account.day_start_equity else equity
        state = replace(
            state,
            trading_day=day,
            day_start_equity=start,
            loss_today=None,
            acknowledged_loss=Decimal(0),
        )
        events.append(TradingDayStarted(now, f"trading day {day} started", day, start))
    elif state.day_start_equity is None:
        start = account.day_start_equity.amount if account.day_start_equity else equity
        state = replace(state, day_start_equity=start)
    if equity is not None:
        if state.peak_equity is None:
            seen = account.peak_equity.amount if account.peak_equity is not None else equity
            peak = max(seen, equity)
        else:
            peak = max(state.peak_equity, equity)
        state = replace(state, peak_equity=peak, last_equity=equity)
    loss = loss_on_basis(account, state.config.loss_basis)
    if loss is not None:
        state = replace(state, loss_today=loss)
    state = replace(state, base_currency=account.base_currency)
    state, stepped = step(state, now)
    return state, events + stepped


def record_trade(state: BreakerState, pnl: Decimal, now: datetime) -> Step:
    """A closed trade's P&L: losses extend the losing streak, wins the winning streak."""
    now = utc(now)
    if pnl < 0:
        state = replace(state, consecutive_losses=state.consecutive_losses + 1, win_streak=0)
    elif pnl > 0:
        state = replace(state, consecutive_losses=0, win_streak=state.win_streak + 1)
    return step(state, now)


def record_error(state: BreakerState, now: datetime) -> Step:
    """One broker/API error at ``now``; a burst within the window trips the breaker."""
    now = utc(now)
    return step(replace(state, error_times=(*state.error_times, now)), now)


def step(state: BreakerState, now: datetime) -> Step:
    """Apply every transition that the state and ``now`` call for."""
    now = utc(now)
    state = replace(state, error_times=recent_errors(state, now), updated_at=now)
    active = active_triggers(state, now)
    events: list[BreakerEvent] = []
    if state.status is BreakerStatus.ARMED:
        if active:
            state, event = _trip(state, active, now)
            events.append(event)
        return state, events
    new = {k: v for k, v in active.items() if k not in state.causes}
    if new:
        state, event = _trip(state, new, now)
        events.append(event)
    if state.status is BreakerStatus.TRIPPED:
        tripped_at = state.tripped_at or now  # never None when tripped; if so, wait anew
        served = now >= tripped_at + state.config.cooldown
        if served and state.causes <= state.config.auto_resume:
            reason = "cooldown served; re-arms when " + ", ".join(sorted(state.causes)) + " clear"
            state = replace(state, status=BreakerStatus.COOLING_DOWN, cooling_since=now)
            events.append(BreakerCoolingDown(now, reason))
    if state.status is BreakerStatus.COOLING_DOWN:
        cleared = {kind: clearance(state, kind, now) for kind in sorted(state.causes)}
        if all(why is not None for why in cleared.values()):
            reason = "; ".join(f"{kind}: {why}" for kind, why in cleared.items())
            state = _rearm(state, won=state.causes & _WIN_STREAK_CLEARS)
            events.append(BreakerResumed(now, reason, by="auto", manual=False))
    return state, events


_WIN_STREAK_CLEARS = frozenset({TriggerKind.DRAWDOWN, TriggerKind.CONSECUTIVE_LOSSES})


def _trip(state: BreakerState, new: dict[TriggerKind, str], now: datetime) -> Trip:
    previous = state.status
    causes = state.causes | frozenset(new)
    text = "; ".join(new[k] for k in sorted(new))
    reason = text if previous is BreakerStatus.ARMED else f"{state.reason}; {text}"
    state = replace(
        state,
        status=BreakerStatus.TRIPPED,
        causes=causes,
        reason=reason,
        tripped_at=now,
        cooling_since=None,
        win_streak=0,
    )
    return state, BreakerTripped(now, text, tuple(sorted(new)), previous)


def _rearm(state: BreakerState, won: frozenset[TriggerKind]) -> BreakerState:
    """Back to ARMED, re-basing what a still-deep measure would otherwise re-trip at once.

    A drawdown cleared by a win streak (not by recovery) re-bases the peak to today's equity,
    else the unchanged drawdown would trip again on the next step.
    """
    peak = state.peak_equity
    if TriggerKind.DRAWDOWN in won:
        dd = drawdown_pct(state)
        resume_pct = state.config.drawdown_resume_pct
        recovered = dd is not None and resume_pct is not None and dd < resume_pct
        if not recovered and state.last_equity is not None:
            peak = state.last_equity
    consecutive = 0 if TriggerKind.CONSECUTIVE_LOSSES in state.causes else state.consecutive_losses
    return replace(
        state,
        status=BreakerStatus.ARMED,
        causes=frozenset(),
        reason="",
        tripped_at=None,
        cooling_since=None,
        win_streak=0,
        consecutive_losses=consecutive,
        peak_equity=peak,
    )


def resume(state: BreakerState, by: str, now: datetime) -> Step:
    """A person re-arms the breaker. Every active cause is acknowledged and re-based.

    Resuming is a decision to take fresh risk: the losing streak and the error window are
    cleared, the peak equity is re-based to the last equity (drawdown cause), and today's loss so
    far is acknowledged (daily-loss causes), so the breaker does not re-trip on the very losses
    the person just accepted. Further losses count from here. A no-op when already armed.
    """
    now = utc(now)
    if not by.strip():
        raise ValueError("resume needs the name of whoever resumes, was empty")
    if state.status is BreakerStatus.ARMED:
        return state, []
    causes = state.causes | frozenset(active_triggers(state, now))
    reason = f"manual resume by {by} (was {state.status}: {state.reason})"
    acknowledged = state.acknowledged_loss
    loss = daily_loss(state)
    if causes & {TriggerKind.DAILY_LOSS_PCT, TriggerKind.DAILY_LOSS_AMOUNT} and loss:
        acknowledged = state.acknowledged_loss + max(loss, Decimal(0))
    state = replace(
        state,
        status=BreakerStatus.ARMED,
        causes=frozenset(),
        reason="",
        tripped_at=None,
        cooling_since=None,
        win_streak=0,
        consecutive_losses=0
        if TriggerKind.CONSECUTIVE_LOSSES in causes
        else state.consecutive_losses,
        error_times=() if TriggerKind.API_ERRORS in causes else state.error_times,
        peak_equity=state.last_equity
        if TriggerKind.DRAWDOWN in causes and state.last_equity
        else state.peak_equity,
        acknowledged_loss=acknowledged,
        updated_at=now,
    )
    return state, [BreakerResumed(now, reason, by=by, manual=True)]
