"""KIS wiring for a broker session: the connection (REST client, adapter, execution-notice
WebSocket) on one event loop, the universe from KIS's volume ranking, and engine feeds built
from KIS daily bars on the real XKRX calendar.

Everything here talks to KIS (or the sandbox) through the adapter's own classes; the session
logic is in ``broker_session`` and knows only the broker port.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from ouroboros.brokers.kis import KisBroker, KisMarketData, KisRealtime, KisSettings
from ouroboros.brokers.kis.adapter import store_account
from ouroboros.data.panel import Panel
from ouroboros.domain.ids import InstrumentId, Venue
from ouroboros.domain.instrument import Instrument
from ouroboros.engine.timeline import MarketFeed
from ouroboros.errors import ConfigError, DataError
from ouroboros.markets import get_calendar
from ouroboros.store.session import Bind

log = logging.getLogger("ouroboros.engine.kis_session")
KR = "KR"


def broker_key(settings: KisSettings) -> str:
    """How the books name a KIS account: environment and account number (no secrets)."""
    return store_account(settings)


@dataclass
class KisConnection:
    """One KIS app key's connection, living on ``runner``'s event loop."""

    settings: KisSettings
    runner: asyncio.Runner
    broker: KisBroker
    realtime: KisRealtime | None

    @property
    def market_data(self) -> KisMarketData:
        return self.broker.market_data

    def errors_absorbed(self) -> int:
        """Errors the client retried by itself (EGW00201, 5xx on queries, token renewals)."""
        stats = self.broker.client.stats
        return stats.retried + stats.reauthenticated

    def close(self) -> None:
        """Stop the WebSocket, close HTTP, then the loop (in that order: nothing dangles)."""
        try:
            if self.realtime is not None:
                self.runner.run(self.realtime.stop())
            self.runner.run(self.broker.close())
        finally:
            self.runner.close()


def connect_kis(
    settings: KisSettings,
    *,
    now: Callable[[], datetime],
    database: Bind | None = None,
    broker: KisBroker | None = None,
    realtime: bool = True,
) -> KisConnection:
    """Authenticate and, when ``KIS_HTS_ID`` is set, subscribe to execution notices (fills
    over the WebSocket). Without it fills are learned from REST reports (stale checks).

    ``now`` is the session's one clock (the adapter, its client and the WebSocket read it);
    ``database`` holds the adapter's order store (needed unless ``broker`` is given)."""
    if broker is None:
        if database is None:
            raise ConfigError("connect_kis needs the database that holds the KIS order store")
        broker = KisBroker.from_settings(settings, database=database, now=now)
    made = broker
    runner = asyncio.Runner()
    connection = KisConnection(settings, runner, made, None)
    try:
        runner.run(made.connect())
        if realtime and settings.hts_id:
            stream = KisRealtime(made.client, now=now)
            connection.realtime = stream
            runner.run(stream.start())
            runner.run(made.attach_realtime(stream, settings.hts_id))
        elif realtime:
            log.warning("KIS_HTS_ID is not set: no execution notices, fills come from REST")
    except BaseException:
        connection.close()
        raise
    return connection


def kis_universe(connection: KisConnection, count: int) -> list[InstrumentId]:
    """The ``count`` most traded KRX stocks by KIS's volume ranking (the sandbox: its universe)."""
    if count < 1:
        raise ConfigError(f"--symbols must be at least 1, was {count}")
    ranked = connection.runner.run(connection.market_data.volume_ranking(Venue.KRX, count))
    if not ranked:
        raise DataError("KIS returned an empty volume ranking; name the symbols instead")
    return sorted({r.instrument_id for r in ranked})


def last_session_before(today: date) -> date:
    """The last XKRX session that ended before ``today`` (a date in Korea)."""
    calendar = get_calendar(KR)
    sessions = calendar.sessions(today - timedelta(days=30), today - timedelta(days=1))
    if not sessions:
        raise DataError(f"no XKRX session in the 30 days before {today}")
    return sessions[-1].date


def kis_feeds(
    connection: KisConnection,
    instruments: list[InstrumentId],
    days: int,
    warmup: int,
    *,
    now: datetime,
    end: date | None = None,
) -> list[MarketFeed]:
    """One KR feed: the last ``days`` XKRX sessions up to ``end`` (default: the last session
    before today in Korea) plus ``warmup`` earlier sessions for indicators, from KIS bars.

    Bars on dates XKRX does not trade (the sandbox draws weekdays) are dropped; a session with
    no bar for a symbol stays NaN for it.
    """
    if days < 1:
        raise ConfigError(f"--days must be at least 1, was {days}")
    calendar = get_calendar(KR)
    last = end or last_session_before(now.astimezone(ZoneInfo(calendar.timezone)).date())
    span = timedelta(days=int((days + warmup) * 1.6) + 30)
    sessions = calendar.sessions(last - span, last)[-(days + warmup) :]
    if len(sessions) < days:
        raise DataError(f"only {len(sessions)} XKRX sessions up to {last}, asked for {days}")
    first = sessions[0].date
    by_date = {s.date: s for s in sessions}
    frame: pd.DataFrame = connection.runner.run(
        connection.market_data.daily_frame(instruments, first, last)
    )
    bar_dates: pd.Series[Any] = frame["ts"].map(lambda ts: ts.date())
    traded = bar_dates.isin(by_date.keys())
    dropped = int((~traded).sum())
    if dropped:
        log.info("dropped %d KIS bars on dates XKRX does not trade", dropped)
    if not traded.any():
        raise DataError(f"KIS returned no daily bars for {len(instruments)} symbols")
    frame = frame[traded].assign(ts=[pd.Timestamp(d, tz="UTC") for d in bar_dates[traded]])
    panel = Panel.from_long(frame)
    labels = [ts.date() for ts in pd.DatetimeIndex(panel.index)]
    opens = [by_date[d].open for d in labels]
    closes = [by_date[d].close for d in labels]
    window = sum(1 for d in labels if d >= sessions[-days].date)
    feed = MarketFeed(
        KR,
        panel,
        [Instrument.for_venue(InstrumentId.parse(s)) for s in panel.symbols],
        opens,
        closes,
        warmup_rows=len(labels) - window,
    )
    return [feed]


__all__ = [
    "KisConnection",
    "broker_key",
    "connect_kis",
    "kis_feeds",
    "kis_universe",
    "last_session_before",
]
