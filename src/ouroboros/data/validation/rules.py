"""Row-level rules: each function looks at one symbol's bars (in file order) and returns issues.

Vectorised over rows: a rule builds a boolean mask and only the flagged rows become ``Issue``
objects, so clean data costs a few array operations per symbol.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from ouroboros.data.validation.report import Issue, Severity, ValidationConfig

BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class SymbolBars:
    """One symbol's bars in file order, with their file rows."""

    source: str
    symbol: str
    daily: bool
    ts: pd.DatetimeIndex
    rows: npt.NDArray[np.int64]
    open: FloatArray
    high: FloatArray
    low: FloatArray
    close: FloatArray
    volume: FloatArray

    def when(self, i: int) -> str:
        stamp = self.ts[i]
        if pd.isna(stamp):
            return "NaT"
        return stamp.date().isoformat() if self.daily else stamp.isoformat()

    def issue(self, rule: str, severity: Severity, i: int, message: str) -> Issue:
        return Issue(
            rule, severity, self.source, int(self.rows[i]), self.symbol, self.when(i), message
        )

    def time_order(self) -> npt.NDArray[np.intp]:
        """Indices of the rows with a timestamp, sorted by time (first occurrence of a
        duplicate kept): the order in which move and staleness rules read the series."""
        valid = np.flatnonzero(np.asarray(self.ts.notna()))
        order = valid[np.argsort(self.ts.asi8[valid], kind="stable")]
        keep = np.ones(len(order), dtype=bool)
        keep[1:] = np.diff(self.ts.asi8[order]) != 0
        return order[keep]


def _fmt(x: float) -> str:
    return "NaN" if np.isnan(x) else f"{x:g}"


def check_timestamps(bars: SymbolBars) -> list[Issue]:
    """Unparseable, duplicate and out-of-order timestamps (all errors)."""
    issues = [
        bars.issue("bad_timestamp", Severity.ERROR, int(i), "timestamp missing or unparseable")
        for i in np.flatnonzero(bars.ts.isna())
    ]
    stamps = pd.Series(bars.ts)
    dup = stamps.duplicated(keep="first").to_numpy() & np.asarray(bars.ts.notna())
    first_row: dict[int, int] = {}
    if dup.any():
        stamps_ns, file_rows = bars.ts.asi8[::-1], bars.rows[::-1]
        first_row = {int(t): int(r) for t, r in zip(stamps_ns, file_rows, strict=True)}
    issues += [
        bars.issue(
            "duplicate_timestamp",
            Severity.ERROR,
            int(i),
            f"same timestamp as row {first_row[int(bars.ts.asi8[i])]}",
        )
        for i in np.flatnonzero(dup)
    ]
    valid = np.flatnonzero(np.asarray(bars.ts.notna()))
    if len(valid) > 1:
        stamps_ns = bars.ts.asi8[valid]
        running_max = np.maximum.accumulate(stamps_ns)
        back = np.flatnonzero(stamps_ns[1:] < running_max[:-1]) + 1
        for j in back:
            i = int(valid[j])
            prev = pd.Timestamp(int(running_max[j - 1]), tz="UTC")
            prev_text = prev.date().isoformat() if bars.daily else prev.isoformat()
            issues.append(
                bars.issue(
                    "non_monotonic",
                    Severity.ERROR,
                    i,
                    f"timestamp goes backwards (earlier than {prev_text} on a previous row)",
                )
            )
    return issues


def check_prices(bars: SymbolBars) -> list[Issue]:
    """NaN or non-positive prices; OHLC that contradict each other (all errors)."""
    issues: list[Issue] = []
    prices = np.column_stack([bars.open, bars.high, bars.low, bars.close])
    bad = ~(prices > 0)  # catches NaN too
    names = ("open", "high", "low", "close")
    for i in np.flatnonzero(bad.any(axis=1)):
        parts = [f"{names[k]} was {_fmt(prices[i, k])}" for k in np.flatnonzero(bad[i])]
        issues.append(
            bars.issue(
                "bad_price",
                Severity.ERROR,
                int(i),
                "price NaN or not positive: " + ", ".join(parts),
            )
        )
    ok = ~bad.any(axis=1)
    o, h, lo, c = bars.open, bars.high, bars.low, bars.close
    with np.errstate(invalid="ignore"):
        broken = ok & ((lo > h) | (lo > np.minimum(o, c)) | (h < np.maximum(o, c)))
    for i in np.flatnonzero(broken):
        issues.append(
            bars.issue(
                "ohlc_inconsistent",
                Severity.ERROR,
                int(i),
                "need low <= open, close <= high; was "
                f"open {_fmt(o[i])} high {_fmt(h[i])} low {_fmt(lo[i])} close {_fmt(c[i])}",
            )
        )
    return issues


def check_volume(bars: SymbolBars) -> list[Issue]:
    """Negative volume is an error; missing (NaN) volume a warning."""
    v = bars.volume
    issues = [
        bars.issue("negative_volume", Severity.ERROR, int(i), f"volume was {_fmt(v[i])}")
        for i in np.flatnonzero(v < 0)
    ]
    issues += [
        bars.issue("missing_volume", Severity.WARNING, int(i), "volume missing or not a number")
        for i in np.flatnonzero(np.isnan(v))
    ]
    return issues


def check_moves(bars: SymbolBars, config: ValidationConfig) -> list[Issue]:
    """Close-to-close moves beyond ``config.max_move`` (warnings: splits and crashes are real)."""
    order = bars.time_order()
    close = bars.close[order]
    good = close > 0
    order, close = order[good], close[good]
    if len(close) < 2:
        return []
    move = close[1:] / close[:-1] - 1.0
    label = "day move" if bars.daily else "bar move"
    return [
        bars.issue(
            "max_move",
            Severity.WARNING,
            int(order[j + 1]),
            f"{label} {move[j]:+.1%} exceeds the {config.max_move:.0%} limit "
            f"(close {_fmt(close[j])} -> {_fmt(close[j + 1])}; a split or a bad print?)",
        )
        for j in np.flatnonzero(np.abs(move) > config.max_move)
    ]


def check_stale(bars: SymbolBars, config: ValidationConfig) -> list[Issue]:
    """Runs of ``config.stale_bars`` or more flat zero-volume bars repeating the last close:
    the feed was repeating itself instead of reporting trades (warning, one per run)."""
    order = bars.time_order()
    if len(order) < config.stale_bars:
        return []
    o, h, lo, c, v = (a[order] for a in (bars.open, bars.high, bars.low, bars.close, bars.volume))
    prev_close = np.concatenate([[np.nan], c[:-1]])
    flat = (v == 0) & (o == h) & (h == lo) & (lo == c) & ((c == prev_close) | np.isnan(prev_close))
    issues: list[Issue] = []
    edges = np.diff(np.concatenate([[0], flat.astype(np.int8), [0]]))
    for start, stop in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True):
        if stop - start >= config.stale_bars:
            issues.append(
                bars.issue(
                    "stale",
                    Severity.WARNING,
                    int(order[start]),
                    f"{stop - start} consecutive identical bars with zero volume "
                    f"(close {_fmt(c[start])}; limit {config.stale_bars})",
                )
            )
    return issues
