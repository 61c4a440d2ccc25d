"""``BarStore``: bars on disk as Parquet, one file per instrument and interval.

Layout: ``<root>/<interval>/<VENUE>/<SYMBOL>.parquet``, e.g. ``data/bars/1d/NASDAQ/AAPL.parquet``
(the symbol is percent-encoded if it holds a ``/``). Each file has columns ``ts`` (timestamp ns
UTC, the long-frame label convention) and ``open, high, low, close, volume`` (float64), sorted by
``ts`` without duplicates, and schema metadata ``ouroboros.symbol`` / ``ouroboros.interval``.
Writes are atomic (temp file + rename). One file per instrument keeps reads of a universe
subset cheap and lets writers touch only what changed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Literal
from urllib.parse import quote, unquote

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from ouroboros.data.frame import BAR_FIELDS, empty_frame, instrument_id_of, normalize, sort_bars
from ouroboros.data.parquet_io import bar_table, write_table_atomic
from ouroboros.errors import DataError

DEFAULT_STORE_ROOT = Path("data/bars")
WriteMode = Literal["merge", "replace"]


@dataclass(frozen=True, slots=True)
class StoreEntry:
    """What one store file holds."""

    interval: str
    symbol: str
    rows: int
    first: pd.Timestamp
    last: pd.Timestamp
    path: Path


class BarStore:
    """Read and write bars under ``root`` (default ``./data/bars``)."""

    def __init__(self, root: Path | str = DEFAULT_STORE_ROOT) -> None:
        self.root = Path(root)

    def path_for(self, symbol: str, interval: str) -> Path:
        """The file of ``symbol`` (an instrument id ``SYM.VENUE``) at ``interval``."""
        iid = instrument_id_of(symbol)
        if iid is None:
            raise DataError(
                f"cannot store bars of {symbol!r}: the store needs SYMBOL.VENUE "
                "(give a market, e.g. --market US_NASDAQ)"
            )
        return self.root / interval / iid.venue.value / f"{quote(iid.symbol, safe='')}.parquet"

    def write(self, frame: pd.DataFrame, interval: str, *, mode: WriteMode = "merge") -> list[Path]:
        """Write every symbol of a long frame. ``merge`` keeps stored bars the frame does not
        replace (same ``ts`` -> the frame wins); ``replace`` overwrites each symbol's file."""
        data = sort_bars(normalize(frame))
        written: list[Path] = []
        for symbol, group in data.groupby("symbol", sort=True):
            path = self.path_for(str(symbol), interval)
            bars = group.drop(columns="symbol")
            if mode == "merge" and path.exists():
                old = self._read_file(path)
                bars = pd.concat([old, bars], ignore_index=True)
            bars = (
                bars.drop_duplicates("ts", keep="last")
                .sort_values("ts", kind="stable")
                .reset_index(drop=True)
            )
            columns: dict[str, object] = {"ts": pd.DatetimeIndex(bars["ts"])}
            columns |= {f: bars[f].to_numpy(dtype=np.float64) for f in BAR_FIELDS}
            meta = {"ouroboros.symbol": str(symbol), "ouroboros.interval": interval}
            write_table_atomic(path, bar_table(columns, meta))
            written.append(path)
        return written

    def read(
        self,
        symbols: Iterable[str] | None = None,
        interval: str = "1d",
        start: date | datetime | None = None,
        end: date | datetime | None = None,
    ) -> pd.DataFrame:
        """A long frame of the stored bars. ``start``/``end`` are inclusive; a ``date`` end
        means through the end of that day. All stored symbols when ``symbols`` is None."""
        names = list(symbols) if symbols is not None else self.symbols(interval)
        parts = []
        for symbol in names:
            path = self.path_for(symbol, interval)
            if not path.exists():
                raise DataError(f"no {interval} bars stored for {symbol} (looked for {path})")
            bars = self._read_file(path, start, end)
            bars.insert(1, "symbol", symbol)
            parts.append(bars)
        if not parts:
            return empty_frame()
        return sort_bars(normalize(pd.concat(parts, ignore_index=True)))

    def intervals(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if p.is_dir())

    def symbols(self, interval: str) -> list[str]:
        base = self.root / interval
        if not base.is_dir():
            return []
        return sorted(
            f"{unquote(p.name.removesuffix('.parquet'))}.{p.parent.name}"
            for p in base.glob("*/*.parquet")
        )

    def entries(self) -> list[StoreEntry]:
        """Every stored file with its row count and first/last bar label."""
        out = []
        for interval in self.intervals():
            for symbol in self.symbols(interval):
                path = self.path_for(symbol, interval)
                ts = pq.read_table(path, columns=["ts"]).column("ts").to_pandas()
                if len(ts) == 0:
                    continue
                out.append(StoreEntry(interval, symbol, len(ts), ts.iloc[0], ts.iloc[-1], path))
        return out

    @staticmethod
    def _read_file(
        path: Path, start: date | datetime | None = None, end: date | datetime | None = None
    ) -> pd.DataFrame:
        filters = []
        if start is not None:
            filters.append(("ts", ">=", _bound(start, end_of_day=False)))
        if end is not None:
            filters.append(("ts", "<=", _bound(end, end_of_day=True)))
        try:
            table = pq.read_table(path, filters=filters or None)
        except (OSError, ValueError) as exc:
            raise DataError(f"{path}: cannot read stored bars ({exc})") from exc
        frame: pd.DataFrame = table.to_pandas()
        frame["ts"] = pd.DatetimeIndex(frame["ts"]).tz_convert("UTC").as_unit("ns")
        return frame


def _bound(value: date | datetime, *, end_of_day: bool) -> pd.Timestamp:
    if isinstance(value, datetime):
        stamp = pd.Timestamp(value)
        return stamp.tz_localize("UTC") if stamp.tz is None else stamp.tz_convert("UTC")
    stamp = pd.Timestamp(value).tz_localize("UTC")
    return stamp + pd.Timedelta(days=1) - pd.Timedelta(1, "ns") if end_of_day else stamp
