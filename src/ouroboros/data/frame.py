"""The long bar frame: the one tabular shape every loader returns and every writer accepts.

Columns are ``ts, symbol, open, high, low, close, volume``:

* ``ts`` is ``datetime64[ns, UTC]``. Daily bars are labelled by their *session date* at 00:00
  UTC (a date label, not an instant: the market calendar maps it to the real open and close);
  intraday bars are labelled by their *open* time in UTC. The same convention as ``Panel``.
* ``symbol`` is a string. When the venue is known it is the full instrument id
  (``AAPL.NASDAQ``, ``005930.KRX``) so symbols from different venues never collide; a bare
  symbol means the venue was not given.
* prices and volume are float64 (analytics arrays; the ledger converts to ``Decimal``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ouroboros.domain import InstrumentId

PRICE_FIELDS = ("open", "high", "low", "close")
BAR_FIELDS = (*PRICE_FIELDS, "volume")
COLUMNS = ("ts", "symbol", *BAR_FIELDS)
DAILY = "1d"
MINUTE = "1m"
INTERVALS = (DAILY, MINUTE, "5m", "15m", "30m", "1h")


def empty_frame() -> pd.DataFrame:
    """A long frame with no rows but the right columns and dtypes."""
    return pd.DataFrame(
        {
            "ts": pd.DatetimeIndex([], tz="UTC", dtype="datetime64[ns, UTC]"),
            "symbol": pd.Series([], dtype=object),
            **{name: pd.Series([], dtype=np.float64) for name in BAR_FIELDS},
        }
    )


def normalize(frame: pd.DataFrame) -> pd.DataFrame:
    """Coerce a frame to the long schema: the exact column order, dtypes and ns UTC times.

    Rows keep their order; sorting is the caller's choice (validation must see file order).
    """
    missing = set(COLUMNS) - set(frame.columns)
    if missing:
        raise ValueError(f"bar frame lacks columns {sorted(missing)}, had {list(frame.columns)}")
    ts = pd.DatetimeIndex(frame["ts"])
    if ts.tz is None:
        raise ValueError("bar frame ts must be timezone-aware (UTC)")
    out = pd.DataFrame(
        {
            "ts": ts.tz_convert("UTC").as_unit("ns"),
            "symbol": frame["symbol"].astype(str).to_numpy(dtype=object),
        }
    )
    for name in BAR_FIELDS:
        out[name] = frame[name].to_numpy(dtype=np.float64)
    return out


def sort_bars(frame: pd.DataFrame) -> pd.DataFrame:
    """Sorted by symbol then time, with a fresh 0..n-1 index (stable, so deterministic)."""
    return frame.sort_values(["symbol", "ts"], kind="stable").reset_index(drop=True)


def qualify(symbol: str, venue_suffix: str | None) -> str:
    """``AAPL`` + ``NASDAQ`` -> ``AAPL.NASDAQ``; already-qualified symbols pass through.

    A symbol counts as qualified when its last dot-part is a known venue code.
    """
    text = symbol.strip()
    if instrument_id_of(text) is not None:
        return text
    return f"{text}.{venue_suffix}" if venue_suffix else text


def instrument_id_of(symbol: str) -> InstrumentId | None:
    """The instrument id a frame symbol names, or None for a bare symbol."""
    try:
        return InstrumentId.parse(symbol)
    except ValueError:
        return None


def is_daily(interval: str) -> bool:
    return interval == DAILY


def interval_delta(interval: str) -> pd.Timedelta:
    """``1m`` -> 1 minute, ``1h`` -> 1 hour, ``1d`` -> 1 day."""
    count, unit = interval[:-1], interval[-1:]
    if count.isdigit() and unit in ("m", "h", "d"):
        n = int(count)
        return (
            pd.Timedelta(minutes=n)
            if unit == "m"
            else pd.Timedelta(hours=n if unit == "h" else 24 * n)
        )
    raise ValueError(f"unknown interval, was {interval!r} (use one of {', '.join(INTERVALS)})")


def infer_interval(ts: pd.DatetimeIndex) -> str:
    """``1d`` when every stamp is at midnight UTC, else the most common spacing (``1m``...)."""
    valid = ts[np.asarray(ts.notna())]
    if len(valid) == 0 or (valid == valid.normalize()).all():
        return DAILY
    diffs = np.diff(np.sort(valid.as_unit("ns").asi8))
    diffs = diffs[diffs > 0]
    if len(diffs) == 0:
        return MINUTE
    minutes = int(pd.Series(diffs).mode().iloc[0] // 60_000_000_000)
    for name in INTERVALS[1:]:
        if interval_delta(name) == pd.Timedelta(minutes=minutes):
            return name
    return f"{minutes}m"
