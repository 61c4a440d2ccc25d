"""A market's trading day as a typed plan: pure functions of (market, date, rules).

``plan_day`` reads the market's calendar (holidays, half days, late opens, lunch breaks, DST)
and lays the day out as consecutive phase windows, each saying whether new entries and exits
may be sent and whether only limit orders are allowed:

========================  ====================================================  =====  =====
phase                     window                                                entry  exit
========================  ====================================================  =====  =====
``PLANNING``              first trade - ``PRE_MARKET_MINUTES`` .. first trade   no     no
``EXTENDED_PRE`` (US)     ``PREMARKET_START`` (04:00 ET) .. open, limit only    yes    yes
``REGULAR``               open .. close (around the lunch break)                yes    yes
``LUNCH_BREAK``           the calendar's break (JP, HK, CN, VN)                 no     no
``CLOSING_BUFFER``        ``EARLY_CLOSE_BUFFER_MINUTES`` before an early close  no     yes
``EXTENDED_AFTER`` (US)   close .. ``AFTERHOURS_END`` (20:00 ET), limit only    yes    yes
``POST_MARKET``           last trade .. local midnight                          no     no
========================  ====================================================  =====  =====

Extended hours exist only for the US markets and only when ``TRADE_PREMARKET`` /
``TRADE_AFTERHOURS`` are on. On a US half day the after-hours session is as long as usual
after the early close (13:00-17:00 ET), as the exchanges run it. The closing buffer applies
only to early-close days (e.g. the day after Thanksgiving): it cuts the end of the regular
session, and an after-hours window after an early close takes exits only. All instants are
aware UTC datetimes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

from ouroboros.agent.settings import AgentSettings
from ouroboros.markets import CalendarId, Market, MarketCode, Session, get_calendar, get_market
from ouroboros.markets.timeutil import require_aware

_US_REGULAR_CLOSE = dt.time(16, 0)


class DayPhase(StrEnum):
    PLANNING = "planning"
    EXTENDED_PRE = "extended_pre"
    REGULAR = "regular"
    LUNCH_BREAK = "lunch_break"
    CLOSING_BUFFER = "closing_buffer"
    EXTENDED_AFTER = "extended_after"
    POST_MARKET = "post_market"


@dataclass(frozen=True, slots=True)
class SessionRules:
    """The settings a day plan depends on (see :class:`AgentSettings` for the keys)."""

    pre_market: dt.timedelta = dt.timedelta(minutes=30)
    rescan_interval: dt.timedelta = dt.timedelta(seconds=300)
    early_close_buffer: dt.timedelta = dt.timedelta(minutes=30)
    trade_premarket: bool = False
    trade_afterhours: bool = False
    premarket_start: dt.time = dt.time(4, 0)
    afterhours_end: dt.time = dt.time(20, 0)

    def __post_init__(self) -> None:
        if self.pre_market <= dt.timedelta(0) or self.rescan_interval <= dt.timedelta(0):
            raise ValueError("pre-market lead and rescan interval must be positive")
        if self.early_close_buffer < dt.timedelta(0):
            raise ValueError(f"invalid early close buffer, was {self.early_close_buffer}")

    @classmethod
    def from_settings(cls, settings: AgentSettings) -> SessionRules:
        return cls(
            pre_market=dt.timedelta(minutes=settings.pre_market_minutes),
            rescan_interval=settings.rescan_interval,
            early_close_buffer=dt.timedelta(minutes=settings.early_close_buffer_minutes),
            trade_premarket=settings.trade_premarket,
            trade_afterhours=settings.trade_afterhours,
            premarket_start=settings.premarket_start,
            afterhours_end=settings.afterhours_end,
        )


@dataclass(frozen=True, slots=True)
class PhaseWindow:
    """``[start, end)`` of one phase and what may be sent during it."""

    phase: DayPhase
    start: dt.datetime
    end: dt.datetime
    entries: bool
    exits: bool
    limit_only: bool = False

    def __post_init__(self) -> None:
        if not self.start < self.end:
            raise ValueError(f"{self.phase} window is empty: {self.start} .. {self.end}")

    @property
    def trading(self) -> bool:
        """Orders of some kind may be sent (exits at least)."""
        return self.exits

    def contains(self, t: dt.datetime) -> bool:
        return self.start <= t < self.end


@dataclass(frozen=True, slots=True)
class DayPlan:
    """One market's trading day: consecutive phase windows and the intraday rescan instants."""

    market: MarketCode
    date: dt.date
    session: Session
    windows: tuple[PhaseWindow, ...]
    rescans: tuple[dt.datetime, ...]

    def __post_init__(self) -> None:
        for before, after in zip(self.windows, self.windows[1:], strict=False):
            if before.end != after.start:
                raise ValueError(f"{self.market} {self.date}: windows must be consecutive")

    @property
    def planning_at(self) -> dt.datetime:
        return self.windows[0].start

    @property
    def first_trade(self) -> dt.datetime:
        """When the first orders may be sent (the open, or the US pre-market start)."""
        return next(w.start for w in self.windows if w.trading)

    @property
    def last_trade(self) -> dt.datetime:
        """When the last trading window ends (the close, or the US after-hours end)."""
        return self.windows[-1].start

    @property
    def ends_at(self) -> dt.datetime:
        """The end of the post-market window (local midnight after the trading date)."""
        return self.windows[-1].end

    def window(self, phase: DayPhase) -> PhaseWindow | None:
        """The first window of ``phase`` (REGULAR has two on lunch-break days)."""
        return next((w for w in self.windows if w.phase is phase), None)

    def window_at(self, t: dt.datetime) -> PhaseWindow | None:
        t = require_aware(t)
        return next((w for w in self.windows if w.contains(t)), None)

    def phase_at(self, t: dt.datetime) -> DayPhase | None:
        """The phase at ``t``, or None outside this day's plan."""
        w = self.window_at(t)
        return None if w is None else w.phase

    def entries_allowed(self, t: dt.datetime) -> bool:
        w = self.window_at(t)
        return w is not None and w.entries

    def exits_allowed(self, t: dt.datetime) -> bool:
        w = self.window_at(t)
        return w is not None and w.exits

    def limit_only(self, t: dt.datetime) -> bool:
        """Whether only limit orders may be sent at ``t`` (US extended hours)."""
        w = self.window_at(t)
        return w is not None and w.limit_only


def plan_day(
    market: Market | MarketCode | str, day: dt.date, rules: SessionRules
) -> DayPlan | None:
    """The plan of ``market`` on its local trading date ``day``; None when it does not trade.

    Raises ``CalendarCoverageError`` when the calendar does not know ``day``.
    """
    m = market if isinstance(market, Market) else get_market(market)
    session = get_calendar(m.code).session_on(day)
    if session is None:
        return None
    zone = ZoneInfo(m.timezone)
    trading = _trading_windows(m, session, rules, zone)
    trading = _with_closing_buffer(trading, session, rules)
    first, last = trading[0].start, trading[-1].end
    midnight = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), zone).astimezone(dt.UTC)
    windows = (
        PhaseWindow(DayPhase.PLANNING, first - rules.pre_market, first, False, False),
        *trading,
        PhaseWindow(
            DayPhase.POST_MARKET, last, max(midnight, last + dt.timedelta(minutes=1)), False, False
        ),
    )
    return DayPlan(m.code, day, session, windows, _rescans(trading, rules.rescan_interval))


def plan_days(
    market: Market | MarketCode | str, start: dt.date, end: dt.date, rules: SessionRules
) -> list[DayPlan]:
    """The plans of every trading date in ``start..end`` (inclusive)."""
    m = market if isinstance(market, Market) else get_market(market)
    sessions = get_calendar(m.code).sessions(start, end)
    return [p for s in sessions if (p := plan_day(m, s.date, rules)) is not None]


def _local(day: dt.date, at: dt.time, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, at, zone).astimezone(dt.UTC)


def _trading_windows(
    m: Market, session: Session, rules: SessionRules, zone: ZoneInfo
) -> list[PhaseWindow]:
    us = m.calendar_id is CalendarId.XNYS
    windows: list[PhaseWindow] = []
    if us and rules.trade_premarket:
        start = _local(session.date, rules.premarket_start, zone)
        if start < session.open:
            windows.append(
                PhaseWindow(DayPhase.EXTENDED_PRE, start, session.open, True, True, True)
            )
    if session.break_start is not None and session.break_end is not None:
        windows += [
            PhaseWindow(DayPhase.REGULAR, session.open, session.break_start, True, True),
            PhaseWindow(DayPhase.LUNCH_BREAK, session.break_start, session.break_end, False, False),
            PhaseWindow(DayPhase.REGULAR, session.break_end, session.close, True, True),
        ]
    else:
        windows.append(PhaseWindow(DayPhase.REGULAR, session.open, session.close, True, True))
    if us and rules.trade_afterhours:
        length = dt.datetime.combine(session.date, rules.afterhours_end) - dt.datetime.combine(
            session.date, _US_REGULAR_CLOSE
        )
        windows.append(
            PhaseWindow(
                DayPhase.EXTENDED_AFTER, session.close, session.close + length, True, True, True
            )
        )
    return windows


def _with_closing_buffer(
    windows: list[PhaseWindow], session: Session, rules: SessionRules
) -> list[PhaseWindow]:
    """On an early-close day, no new entries from ``early_close_buffer`` before the close on.

    The last regular window is cut at close - buffer; the after-hours window that may follow
    keeps exits (limit only) but takes no new entries either.
    """
    if not session.early_close or rules.early_close_buffer <= dt.timedelta(0):
        return windows
    i = max(k for k, w in enumerate(windows) if w.phase is DayPhase.REGULAR)
    last = windows[i]
    cut = max(last.end - rules.early_close_buffer, last.start)
    head = [] if cut == last.start else [PhaseWindow(last.phase, last.start, cut, True, True)]
    buffer = PhaseWindow(DayPhase.CLOSING_BUFFER, cut, last.end, False, True)
    after = [
        PhaseWindow(w.phase, w.start, w.end, False, w.exits, w.limit_only) for w in windows[i + 1 :]
    ]
    return [*windows[:i], *head, buffer, *after]


def _rescans(windows: list[PhaseWindow], interval: dt.timedelta) -> tuple[dt.datetime, ...]:
    """Every ``interval`` from the first trade, inside trading windows, plus each resumption."""
    trading = [w for w in windows if w.trading]
    anchor, end = trading[0].start, trading[-1].end
    instants = {w.start for w in trading}
    t = anchor
    while t < end:
        if any(w.contains(t) for w in trading):
            instants.add(t)
        t += interval
    return tuple(sorted(instants))
