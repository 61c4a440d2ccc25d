"""Validation of bar data: ``validate(frame) -> ValidationReport``.

Rules (rule name, severity):

* ``bad_timestamp`` (error), ``duplicate_timestamp`` (error), ``non_monotonic`` (error)
* ``bad_price`` (error: NaN or <= 0), ``ohlc_inconsistent`` (error)
* ``negative_volume`` (error), ``missing_volume`` (warning)
* ``max_move`` (warning: close-to-close move above ``ValidationConfig.max_move``)
* ``stale`` (warning: a run of flat zero-volume bars)
* with a calendar: ``closed_day`` / ``outside_session`` (error), ``missing_session`` (warning),
  ``stale_as_of`` (error, only when ``as_of`` is given), ``calendar_unavailable`` (warning)
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pandas as pd

from ouroboros.data.calendars import CalendarLike
from ouroboros.data.frame import DAILY, infer_interval, normalize
from ouroboros.data.loaders import BarFile
from ouroboros.data.validation.calendar_rules import check_calendar
from ouroboros.data.validation.report import Issue, Severity, ValidationConfig, ValidationReport
from ouroboros.data.validation.rules import (
    SymbolBars,
    check_moves,
    check_prices,
    check_stale,
    check_timestamps,
    check_volume,
)
from ouroboros.data.validation.session_cache import SessionCache

__all__ = [
    "Issue",
    "Severity",
    "ValidationConfig",
    "ValidationReport",
    "validate",
    "validate_file",
]


def validate(
    frame: pd.DataFrame,
    *,
    source: str = "<frame>",
    rows: npt.NDArray[np.int64] | None = None,
    calendar: CalendarLike | None = None,
    calendar_for: Callable[[str], CalendarLike | None] | None = None,
    interval: str | None = None,
    config: ValidationConfig | None = None,
) -> ValidationReport:
    """Check a long bar frame, symbol by symbol, in the order its rows are given.

    ``rows`` are the 1-based file rows of the frame's rows (default: position + 1). The calendar
    of a symbol is ``calendar_for(symbol)`` when given (mixed-market frames), else ``calendar``;
    with neither the calendar rules are skipped. ``interval`` defaults to what the time stamps
    suggest (``1d`` when all are at midnight).
    """
    cfg = config or ValidationConfig()
    data = normalize(frame)
    file_rows = np.arange(1, len(data) + 1, dtype=np.int64) if rows is None else rows
    if len(file_rows) != len(data):
        raise ValueError(f"rows has {len(file_rows)} entries for {len(data)} bars")
    ts_all = pd.DatetimeIndex(data["ts"])
    kind = interval or infer_interval(ts_all)
    report = ValidationReport(sources=[source], rows=len(data))
    cache = SessionCache()
    codes, names = pd.factorize(data["symbol"], sort=True)
    report.symbols = len(names)
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(names) + 1))
    columns = {f: data[f].to_numpy() for f in ("open", "high", "low", "close", "volume")}
    for k, name in enumerate(names):
        idx = order[bounds[k] : bounds[k + 1]]
        bars = SymbolBars(
            source=source,
            symbol=str(name),
            daily=kind == DAILY,
            ts=ts_all[idx],
            rows=file_rows[idx],
            **{f: col[idx] for f, col in columns.items()},
        )
        cal = calendar_for(str(name)) if calendar_for is not None else calendar
        if cal is None:
            report.uncalendared.append(str(name))
        report.issues += _check_symbol(bars, cal, cfg, kind, cache)
    report.issues.sort(key=lambda i: (i.row is None, i.row or 0, i.symbol, i.rule))
    return report


def _check_symbol(
    bars: SymbolBars,
    calendar: CalendarLike | None,
    cfg: ValidationConfig,
    interval: str,
    cache: SessionCache,
) -> list[Issue]:
    issues = check_timestamps(bars) + check_prices(bars) + check_volume(bars)
    issues += check_moves(bars, cfg) + check_stale(bars, cfg)
    if calendar is not None:
        issues += check_calendar(bars, calendar, cfg, interval, cache)
    return issues


def validate_file(
    bar_file: BarFile,
    *,
    calendar: CalendarLike | None = None,
    calendar_for: Callable[[str], CalendarLike | None] | None = None,
    config: ValidationConfig | None = None,
) -> ValidationReport:
    """Validate a file read by ``read_bar_file``; issues name the file and its data rows."""
    return validate(
        bar_file.frame,
        source=bar_file.source,
        rows=bar_file.rows,
        calendar=calendar,
        calendar_for=calendar_for,
        interval=bar_file.interval,
        config=config,
    )
