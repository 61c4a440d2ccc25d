"""Alpaca bars as a bar source of the fallback chain (``data.market_data``).

The HTTP side (paging ``/v2/stocks/bars``) is ``brokers.alpaca.market_data.AlpacaMarketData``,
injected as :class:`AlpacaBarsFetcher`; this module turns its bars into the long frame. Daily
bars, which Alpaca labels midnight New York time (``T04:00Z``/``T05:00Z``), are labelled by
their session date at 00:00 UTC; intraday bars keep their open time in UTC.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import pandas as pd

from ouroboros.data.frame import COLUMNS, DAILY, empty_frame, normalize
from ouroboros.domain.ids import InstrumentId
from ouroboros.errors import DataError

ET = ZoneInfo("America/New_York")
TIMEFRAMES = {
    "1d": "1Day",
    "1h": "1Hour",
    "30m": "30Min",
    "15m": "15Min",
    "5m": "5Min",
    "1m": "1Min",
}


class BarLike(Protocol):
    @property
    def t(self) -> dt.datetime: ...
    @property
    def o(self) -> Decimal: ...
    @property
    def h(self) -> Decimal: ...
    @property
    def low(self) -> Decimal: ...
    @property
    def c(self) -> Decimal: ...
    @property
    def v(self) -> Decimal: ...


class AlpacaBarsFetcher(Protocol):
    async def bars(
        self,
        symbols: list[str],
        timeframe: str,
        start: dt.datetime,
        end: dt.datetime,
        *,
        adjustment: str = ...,
        limit: int = ...,
    ) -> Mapping[str, Sequence[BarLike]]: ...


def timeframe_for(interval: str) -> str:
    try:
        return TIMEFRAMES[interval]
    except KeyError:
        raise DataError(
            f"Alpaca has no bars for interval {interval!r} (one of {sorted(TIMEFRAMES)})"
        ) from None


def bars_frame(
    bars: Mapping[str, Sequence[BarLike]], names: Mapping[str, str], interval: str
) -> pd.DataFrame:
    """Alpaca bars as a long frame; ``names`` maps Alpaca symbols to our instrument ids."""
    rows: list[dict[str, Any]] = []
    for symbol, items in bars.items():
        name = names.get(symbol, symbol)
        for bar in items:
            ts = bar.t
            if ts.tzinfo is None:
                raise DataError(f"alpaca bar {symbol} {ts}: time has no UTC offset")
            if interval == DAILY:
                ts = dt.datetime.combine(ts.astimezone(ET).date(), dt.time(), dt.UTC)
            rows.append(
                {
                    "ts": ts,
                    "symbol": name,
                    "open": float(bar.o),
                    "high": float(bar.h),
                    "low": float(bar.low),
                    "close": float(bar.c),
                    "volume": float(bar.v),
                }
            )
    if not rows:
        return empty_frame()
    return normalize(pd.DataFrame(rows, columns=list(COLUMNS)))


class AlpacaBarSource:
    """The primary source: split- and dividend-adjusted bars (``adjustment=all``)."""

    name = "alpaca"

    def __init__(self, fetcher: AlpacaBarsFetcher, adjustment: str = "all") -> None:
        self.fetcher = fetcher
        self.adjustment = adjustment

    async def bars(
        self, symbols: list[str], interval: str, start: dt.date, end: dt.date
    ) -> pd.DataFrame:
        ids = [InstrumentId.parse(s) for s in symbols]
        names = {i.symbol: str(i) for i in ids}
        begin = dt.datetime.combine(start, dt.time(), ET)
        finish = dt.datetime.combine(end, dt.time(23, 59, 59), ET)
        got = await self.fetcher.bars(
            list(names), timeframe_for(interval), begin, finish, adjustment=self.adjustment
        )
        return bars_frame(got, names, interval)
