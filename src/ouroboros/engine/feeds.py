"""Turn loaded market data into engine feeds with the real time of every price point.

Daily rows are labelled by session date; the market calendar gives that session's open and
close in UTC, so markets interleave correctly on the merged timeline (Seoul closes before New
York opens). A row the calendar does not know (old data beyond its range) falls back to the
label itself, which keeps single-market backtests working on any history. A row on a date the
calendar knows to be *closed* is refused (a :class:`ConfigError` naming the market and the
dates): a session that did not happen gets no invented open and close.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd

from ouroboros.data.sources import SourceData
from ouroboros.engine.timeline import MarketFeed
from ouroboros.errors import ConfigError
from ouroboros.markets import CalendarCoverageError, get_calendar


def feeds_from_source(data: SourceData, markets: list[str] | None = None) -> list[MarketFeed]:
    feeds: list[MarketFeed] = []
    for code, panel in sorted(data.panels.items()):
        if markets is not None and code not in markets:
            continue
        missing = [s for s in panel.symbols if s not in data.instruments]
        if missing:
            raise ConfigError(
                f"{data.description}: no market/venue known for {', '.join(missing[:5])}; "
                "name symbols as SYMBOL.VENUE or pass --market"
            )
        instruments = [data.instruments[s] for s in panel.symbols]
        labels: list[datetime] = [ts.to_pydatetime() for ts in pd.DatetimeIndex(panel.index)]
        if panel.interval != "1d":
            step = pd.Timedelta(panel.interval).to_pytimedelta()
            feeds.append(MarketFeed(code, panel, instruments, labels, [t + step for t in labels]))
            continue
        opens, closes = session_times(code, labels)
        feeds.append(MarketFeed(code, panel, instruments, opens, closes))
    return feeds


def session_times(code: str, labels: list[datetime]) -> tuple[list[datetime], list[datetime]]:
    """Each daily label's session open and close in UTC (the label itself when unknown)."""
    calendar = get_calendar(code)
    opens: list[datetime] = []
    closes: list[datetime] = []
    closed: list[str] = []
    for label in labels:
        try:
            session = calendar.session_on(label.date())
        except CalendarCoverageError:
            opens.append(label)  # beyond the calendar's range: the label's own day
            closes.append(label + timedelta(hours=23, minutes=59))
            continue
        if session is None:
            closed.append(label.date().isoformat())
            continue
        opens.append(session.open)
        closes.append(session.close)
    if closed:
        more = f" and {len(closed) - 5} more" if len(closed) > 5 else ""
        raise ConfigError(
            f"{code}: daily bars on dates the market calendar says were closed: "
            f"{', '.join(closed[:5])}{more}"
        )
    return opens, closes
