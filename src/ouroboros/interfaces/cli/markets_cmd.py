"""``ouroboros markets``: which markets are trading at an instant, and when they next open/close.

The CLI is an edge, so it may read the wall clock (once, for the default ``--at``); everything
else comes from ``ouroboros.markets.market_status`` with that instant passed in. JSON timestamps
are UTC with a ``Z`` suffix and whole seconds (``2026-11-27T18:00:00Z``); the table shows each
exchange's local time.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import typer
from rich.table import Table

from ouroboros.clock import LiveClock
from ouroboros.interfaces.cli.output import console, emit_json
from ouroboros.markets import MarketStatus, Phase, Session, all_markets, market_status

MIN_YEAR, MAX_YEAR = 1900, 2999
"""Instants outside these years are refused (far beyond every calendar; date math overflows)."""


def parse_instant(text: str) -> dt.datetime:
    """An ISO 8601 instant with an offset (``Z``, ``+09:00``); naive input is refused."""
    try:
        t = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise typer.BadParameter(
            f"not an ISO 8601 time, was {text!r}; e.g. 2026-11-27T17:30:00Z", param_hint="--at"
        ) from None
    if t.tzinfo is None or t.utcoffset() is None:
        raise typer.BadParameter(
            f"needs a UTC offset (Z or +HH:MM), was naive {text!r}; e.g. 2026-11-27T17:30:00Z",
            param_hint="--at",
        )
    if not MIN_YEAR <= t.year <= MAX_YEAR:
        raise typer.BadParameter(
            f"must be between {MIN_YEAR} and {MAX_YEAR}, was {text!r}", param_hint="--at"
        )
    return t.astimezone(dt.UTC)


def utc_z(t: dt.datetime | None) -> str | None:
    """``2026-11-27T18:00:00Z``: the one timestamp format of this command's JSON."""
    if t is None:
        return None
    return t.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def _session_json(s: Session | None) -> dict[str, Any] | None:
    if s is None:
        return None
    return {
        "date": s.date.isoformat(),
        "open": utc_z(s.open),
        "close": utc_z(s.close),
        "break_start": utc_z(s.break_start),
        "break_end": utc_z(s.break_end),
        "early_close": s.early_close,
        "late_open": s.late_open,
    }


def status_json(st: MarketStatus) -> dict[str, Any]:
    m = st.market
    return {
        "code": m.code.value,
        "name": m.name,
        "open": st.is_open,
        "phase": st.phase.value,
        "next_open": utc_z(st.next_open),
        "next_close": utc_z(st.next_close),
        "timezone": m.timezone,
        "local_time": m.local_time(st.at).isoformat(timespec="seconds"),
        "session": _session_json(st.session),
        "calendar": m.calendar_id.value,
        "note": st.note,
    }


_PHASE_STYLE = {
    Phase.OPEN: "[bold green]open[/]",
    Phase.BREAK: "[yellow]lunch[/]",
    Phase.CLOSED: "[dim]closed[/]",
    Phase.UNKNOWN: "[red]unknown[/]",
}


def _local(st: MarketStatus, t: dt.datetime | None) -> str:
    if t is None:
        return "[red]? see note[/]"
    local = st.market.local_time(t)
    same_day = local.date() == st.market.local_time(st.at).date()
    return local.strftime("%H:%M" if same_day else "%a %m-%d %H:%M")


def _table(at: dt.datetime, statuses: list[MarketStatus]) -> Table:
    table = Table(title=f"Markets at {at.strftime('%Y-%m-%d %H:%M:%S')} UTC")
    for header in ("market", "status", "local time", "next open", "next close"):
        table.add_column(header, no_wrap=True)
    for st in statuses:
        table.add_row(
            st.market.code.value,
            _PHASE_STYLE[st.phase],
            st.market.local_time(st.at).strftime("%a %H:%M %Z"),
            _local(st, st.next_open),
            _local(st, st.next_close),
        )
    return table


def markets(
    at: str | None = typer.Option(
        None,
        "--at",
        help="ISO 8601 instant with offset, e.g. 2026-11-27T17:30:00Z (default: now)",
    ),
    json_output: bool = typer.Option(False, "--json", help="machine-readable output"),
) -> None:
    """List every market with open/closed status and the next open and close."""
    # The CLI is the edge: reading the wall clock here is the one sanctioned use outside a Clock.
    instant = parse_instant(at) if at is not None else LiveClock().now()
    statuses = [market_status(m, instant) for m in all_markets()]
    if json_output:
        emit_json({"at": utc_z(instant), "markets": [status_json(s) for s in statuses]})
        return
    console.print(_table(instant, statuses))
    console.print("[dim]next open/close include lunch breaks; times are exchange-local[/]")
    for note in dict.fromkeys(f"{s.market.code.value}: {s.note}" for s in statuses if s.note):
        console.print(f"[red]{note}[/]", soft_wrap=True)
