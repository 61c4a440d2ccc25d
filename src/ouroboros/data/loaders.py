"""Read bar files (CSV, compressed CSV, Parquet) from any reasonable layout into the long frame.

Files in the wild differ in column case (``Date``/``OPEN``), in how time is written (a date, a
datetime, an offset, a separate ``time`` column) and in whether they carry a symbol column.
This module absorbs those differences and nothing else: it never drops or reorders rows, so
validation can point at the exact data row of the file (1-based, header not counted).
Unparseable timestamps become NaT and unparseable numbers NaN; validation reports them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from ouroboros.data.frame import BAR_FIELDS, DAILY, infer_interval, normalize, qualify
from ouroboros.errors import DataError

BAR_FILE_SUFFIXES = (".csv", ".csv.gz", ".parquet", ".pq")
_ALIASES: dict[str, tuple[str, ...]] = {
    "ts": ("ts", "datetime", "timestamp", "date_time", "date", "time", "trade_date"),
    "symbol": ("symbol", "ticker", "code", "instrument", "instrument_id"),
    "open": ("open", "o"),
    "high": ("high", "h"),
    "low": ("low", "l"),
    "close": ("close", "c", "last"),
    "volume": ("volume", "vol", "v"),
}
_OFFSET = re.compile(r"(?:Z|[+-]\d\d:?\d\d)$")


@dataclass(frozen=True, slots=True)
class BarFile:
    """A file's bars in file order, with each row's 1-based data row number in that file."""

    path: Path
    frame: pd.DataFrame
    rows: npt.NDArray[np.int64]
    interval: str

    @property
    def source(self) -> str:
        return str(self.path)


def is_bar_file(path: Path) -> bool:
    return path.is_file() and path.name.lower().endswith(BAR_FILE_SUFFIXES)


def symbol_from_filename(path: Path) -> str:
    """``AAPL.csv`` -> ``AAPL``; ``005930.KRX.parquet`` -> ``005930.KRX``; ``BRK-B.csv`` ->
    ``BRK-B``. Symbols cannot hold underscores or spaces, so ``aapl_daily.csv`` names
    ``AAPL-DAILY`` (``--symbol`` names a file explicitly)."""
    name = path.name
    for suffix in sorted(BAR_FILE_SUFFIXES, key=len, reverse=True):
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
            break
    return "-".join(name.strip().replace("_", " ").split()).upper()


def read_bar_file(
    path: Path | str,
    *,
    symbol: str | None = None,
    venue: str | None = None,
    tz: str | None = None,
    interval: str | None = None,
) -> BarFile:
    """Read one file. ``venue`` (e.g. ``NASDAQ``) qualifies bare symbols as ``SYM.VENUE``;
    ``tz`` is the zone of naive intraday times (UTC when None). Missing required columns or an
    unreadable file raise ``DataError`` naming the file."""
    file = Path(path)
    raw = _read_raw(file)
    columns = _map_columns(raw, file)
    ts = _parse_times(raw, columns, tz)
    if columns.get("symbol") is not None and symbol is None:
        symbols = raw[columns["symbol"]].astype(str).str.strip()
        symbols = symbols.map(lambda s: qualify(s, venue))
    else:
        name = qualify(symbol or symbol_from_filename(file), venue)
        symbols = pd.Series([name] * len(raw), dtype=object)
    frame = pd.DataFrame({"ts": ts, "symbol": symbols.to_numpy(dtype=object)})
    for field in BAR_FIELDS:
        frame[field] = pd.to_numeric(raw[columns[field]], errors="coerce").astype(np.float64)
    frame = normalize(frame)
    rows = np.arange(1, len(frame) + 1, dtype=np.int64)
    return BarFile(file, frame, rows, interval or infer_interval(pd.DatetimeIndex(frame["ts"])))


def _read_raw(file: Path) -> pd.DataFrame:
    if not file.exists():
        raise DataError(f"{file}: no such file")
    if file.is_file() and file.stat().st_size == 0:
        raise DataError(f"{file}: the file is empty (no header, no bars)")
    try:
        if file.name.lower().endswith((".parquet", ".pq")):
            raw = pd.read_parquet(file)
        else:
            raw = pd.read_csv(file, skipinitialspace=True)
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise DataError(f"{file}: cannot read bar file ({exc})") from exc
    raw = _pandas_layouts(raw)
    if raw.empty:
        raise DataError(f"{file}: no bars (the file has a header and no rows)")
    return raw


_INDEX_COLUMNS = ("unnamed: 0", "", "index")


def _pandas_layouts(raw: pd.DataFrame) -> pd.DataFrame:
    """Undo what pandas and yfinance write around the bars.

    * ``df.to_csv()`` of a frame with an unnamed index writes it as the first column
      (``Unnamed: 0`` when read back): a date index becomes the ``date`` column, a numeric one
      (0, 1, 2, ...) is dropped.
    * yfinance's ``download(...).to_csv()`` writes a ``Price`` header, then a ``Ticker`` row and
      a ``Date`` row before the bars: the two rows go and ``Price`` becomes ``date``.
    """
    first = str(raw.columns[0]) if len(raw.columns) else ""
    if first.strip().lower() == "price" and len(raw):
        labels = raw[raw.columns[0]].astype(str).str.strip().str.lower()
        keep = ~labels.isin(("ticker", "date"))
        rows = raw[keep.to_numpy()].reset_index(drop=True)
        return rows.rename(columns={raw.columns[0]: "date"})
    if first.strip().lower() not in _INDEX_COLUMNS:
        return raw
    keys = {str(c).strip().lower() for c in raw.columns[1:]}
    column = raw[raw.columns[0]]
    if pd.api.types.is_integer_dtype(column.dtype) or keys & set(_ALIASES["ts"]):
        return raw.drop(columns=raw.columns[0])  # a numeric index, or the time is elsewhere
    return raw.rename(columns={raw.columns[0]: "date"})


def _map_columns(raw: pd.DataFrame, file: Path) -> dict[str, str | None]:
    """Our field name -> the file's column, matching case- and space-insensitively."""
    by_key = {str(c).strip().lower().replace(" ", "_"): str(c) for c in raw.columns}
    mapped: dict[str, str | None] = {}
    for field, aliases in _ALIASES.items():
        mapped[field] = next((by_key[a] for a in aliases if a in by_key), None)
    if mapped["ts"] == by_key.get("date") and "time" in by_key:
        mapped["time"] = by_key["time"]  # separate date and time columns
    missing = [f for f in ("ts", *BAR_FIELDS) if mapped[f] is None]
    if missing:
        raise DataError(
            f"{file}: missing column(s) {', '.join(missing)}; found {list(map(str, raw.columns))}"
            " (names are matched case-insensitively; a date/datetime/timestamp column is needed)"
        )
    return mapped


def _parse_times(raw: pd.DataFrame, columns: dict[str, str | None], tz: str | None) -> pd.Series:
    col = raw[str(columns["ts"])]
    if columns.get("time") is not None:
        col = col.astype(str) + " " + raw[str(columns["time"])].astype(str)
    if isinstance(col.dtype, pd.DatetimeTZDtype):
        return pd.Series(pd.DatetimeIndex(col).tz_convert("UTC"))
    if pd.api.types.is_datetime64_any_dtype(col.dtype):
        return _localize(pd.DatetimeIndex(col), tz)
    text = col.astype("string").str.strip()
    has_offset = text.str.contains(_OFFSET, na=False).any()
    parsed = _to_datetime(text, utc=bool(has_offset))
    if has_offset:
        return pd.Series(parsed.tz_convert("UTC"))
    return _localize(parsed, tz)


def _to_datetime(text: pd.Series, *, utc: bool) -> pd.DatetimeIndex:
    """ISO 8601 fast path; anything it cannot read gets a second, format-guessing pass."""
    fast = pd.to_datetime(text, errors="coerce", format="ISO8601", utc=utc)
    retry = fast.isna() & text.notna()
    if retry.any():
        slow = pd.to_datetime(text[retry], errors="coerce", format="mixed", utc=utc)
        fast = fast.astype(slow.dtype) if fast.dtype != slow.dtype else fast
        fast[retry] = slow
    return pd.DatetimeIndex(fast)


def _localize(naive: pd.DatetimeIndex, tz: str | None) -> pd.Series:
    """Dates are session labels (midnight UTC); naive intraday times are local to ``tz``."""
    if infer_interval(naive) == DAILY:
        return pd.Series(naive.tz_localize("UTC"))
    local = naive.tz_localize(tz or "UTC", ambiguous="NaT", nonexistent="NaT")
    return pd.Series(local.tz_convert("UTC"))
