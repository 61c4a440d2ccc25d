"""``Panel``: aligned OHLCV arrays (time x symbols), the shape every vectorised stage consumes.

A long table is convenient for files; strategies and indicators want one float64 matrix per
field so a whole universe is processed per step. Missing bars are NaN.

Daily bars are labelled by their session date at 00:00 UTC (a date label, not an instant); the
engine maps a date to the session's real open and close through the market calendar. Intraday
bars are labelled by their open time in UTC.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

FloatMatrix = npt.NDArray[np.float64]
FIELDS = ("open", "high", "low", "close", "volume")


@dataclass(frozen=True, slots=True)
class Panel:
    index: pd.DatetimeIndex
    symbols: tuple[str, ...]
    open: FloatMatrix
    high: FloatMatrix
    low: FloatMatrix
    close: FloatMatrix
    volume: FloatMatrix
    interval: str = "1d"

    def __post_init__(self) -> None:
        shape = (len(self.index), len(self.symbols))
        for name in FIELDS:
            arr = getattr(self, name)
            if arr.shape != shape or arr.dtype != np.float64:
                raise ValueError(
                    f"panel field {name}: expected float64 {shape}, was {arr.dtype} {arr.shape}"
                )
        if self.index.tz is None or str(self.index.tz) != "UTC":
            raise ValueError("panel index must be UTC")
        if not self.index.is_monotonic_increasing or self.index.has_duplicates:
            raise ValueError("panel index must be strictly increasing")

    @property
    def shape(self) -> tuple[int, int]:
        return (len(self.index), len(self.symbols))

    @classmethod
    def from_long(cls, frame: pd.DataFrame, interval: str = "1d") -> Panel:
        """Pivot a long frame with columns ``ts, symbol, open, high, low, close, volume``."""
        missing = {"ts", "symbol", *FIELDS} - set(frame.columns)
        if missing:
            raise ValueError(f"bar frame lacks columns {sorted(missing)}")
        symbols = tuple(sorted(frame["symbol"].unique()))
        index = pd.DatetimeIndex(sorted(frame["ts"].unique()))
        if index.tz is None:
            raise ValueError("bar frame ts must be timezone-aware (UTC)")
        index = index.tz_convert("UTC")
        rows = index.get_indexer(pd.DatetimeIndex(frame["ts"]).tz_convert("UTC"))
        cols = pd.Index(symbols).get_indexer(frame["symbol"])
        mats: dict[str, FloatMatrix] = {}
        for name in FIELDS:
            mat = np.full((len(index), len(symbols)), np.nan, dtype=np.float64)
            mat[rows, cols] = frame[name].to_numpy(dtype=np.float64)
            mats[name] = mat
        return cls(index=index, symbols=symbols, interval=interval, **mats)

    def to_long(self) -> pd.DataFrame:
        """The inverse of :meth:`from_long`, dropping cells with no bar."""
        present = ~np.isnan(self.close)
        ti, si = np.nonzero(present)
        data: dict[str, object] = {
            "ts": self.index[ti],
            "symbol": np.asarray(self.symbols, dtype=object)[si],
        }
        for name in FIELDS:
            data[name] = getattr(self, name)[ti, si]
        return pd.DataFrame(data)

    def select(self, symbols: list[str] | tuple[str, ...]) -> Panel:
        cols = [self.symbols.index(s) for s in symbols]
        return Panel(
            index=self.index,
            symbols=tuple(symbols),
            interval=self.interval,
            **{name: np.ascontiguousarray(getattr(self, name)[:, cols]) for name in FIELDS},
        )

    def slice_rows(self, start: int, stop: int) -> Panel:
        return Panel(
            index=self.index[start:stop],
            symbols=self.symbols,
            interval=self.interval,
            **{name: getattr(self, name)[start:stop] for name in FIELDS},
        )
