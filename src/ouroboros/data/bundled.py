"""Real daily bars that ship inside an installed package: the offline default data set.

Source: ``bokeh_sampledata.stocks`` (Quandl WIKI prices, public domain), AAPL, IBM, MSFT, GOOG
and FB from 2000-03-01 (GOOG from its 2004-08-19 listing, FB from 2012-05-18) to 2013-03-01.
We use the *raw* (unadjusted) open/high/low/close/volume, as traded, and ignore ``adj_close``,
so stock splits show as price drops: AAPL 2:1 on 2000-06-21 and 2005-02-28, MSFT 2:1 on
2003-02-18 (see docs/data.md). Address them as ``bundled:AAPL`` or ``bundled:all``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from ouroboros.data.frame import normalize, sort_bars
from ouroboros.errors import DataError


@dataclass(frozen=True, slots=True)
class BundledDataset:
    """One bundled series: its ticker in the package and the instrument id we give it."""

    name: str
    instrument_id: str
    company: str
    sector: str


BUNDLED: dict[str, BundledDataset] = {
    d.name: d
    for d in (
        BundledDataset("AAPL", "AAPL.NASDAQ", "Apple Inc.", "Information Technology"),
        BundledDataset("FB", "FB.NASDAQ", "Facebook Inc.", "Communication Services"),
        BundledDataset("GOOG", "GOOG.NASDAQ", "Google Inc.", "Communication Services"),
        BundledDataset(
            "IBM", "IBM.NYSE", "International Business Machines", "Information Technology"
        ),
        BundledDataset("MSFT", "MSFT.NASDAQ", "Microsoft Corp.", "Information Technology"),
    )
}
BUNDLED_PACKAGE = "bokeh_sampledata.stocks"
BUNDLED_LICENSE = "public domain (Quandl WIKI prices via bokeh_sampledata)"
# Known events in the raw prices, reported with the data rather than silently adjusted.
BUNDLED_SPLITS: dict[str, tuple[tuple[date, str], ...]] = {
    "AAPL": ((date(2000, 6, 21), "2:1"), (date(2005, 2, 28), "2:1")),
    "MSFT": ((date(2003, 2, 18), "2:1"),),
}


def bundled_names() -> list[str]:
    return sorted(BUNDLED)


def resolve_bundled(name: str) -> list[BundledDataset]:
    """``AAPL`` -> [AAPL]; ``all`` -> every dataset; a comma list -> those datasets."""
    wanted = [n.strip().upper() for n in name.split(",") if n.strip()]
    if wanted == ["ALL"]:
        return [BUNDLED[n] for n in bundled_names()]
    unknown = [n for n in wanted if n not in BUNDLED]
    if unknown or not wanted:
        raise DataError(
            f"unknown bundled dataset, was {name!r} (known: {', '.join(bundled_names())}, all)"
        )
    return [BUNDLED[n] for n in wanted]


def load_bundled(name: str = "all") -> pd.DataFrame:
    """The long frame of bundled datasets (symbols are instrument ids, e.g. ``IBM.NYSE``)."""
    datasets = resolve_bundled(name)
    try:
        from bokeh_sampledata import stocks
    except ImportError as exc:  # pragma: no cover - it is a declared dependency
        raise DataError(f"bundled data needs the bokeh_sampledata package ({exc})") from exc
    parts = []
    for ds in datasets:
        series = getattr(stocks, ds.name)
        part = pd.DataFrame(
            {
                "ts": pd.to_datetime(series["date"], format="%Y-%m-%d").tz_localize("UTC"),
                "symbol": ds.instrument_id,
                **{k: series[k] for k in ("open", "high", "low", "close", "volume")},
            }
        )
        parts.append(part)
    return sort_bars(normalize(pd.concat(parts, ignore_index=True)))
