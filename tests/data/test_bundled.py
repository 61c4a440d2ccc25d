"""The bundled real data: symbols, ranges, and how it validates against the real calendars."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from ouroboros.data import BUNDLED, load_bundled, load_source
from ouroboros.errors import DataError

EXPECTED = {
    "AAPL.NASDAQ": (date(2000, 3, 1), date(2013, 3, 1), 3270),
    "FB.NASDAQ": (date(2012, 5, 18), date(2013, 3, 1), 196),
    "GOOG.NASDAQ": (date(2004, 8, 19), date(2013, 3, 1), 2148),
    "IBM.NYSE": (date(2000, 3, 1), date(2013, 3, 1), 3270),
    "MSFT.NASDAQ": (date(2000, 3, 1), date(2013, 3, 1), 3270),
}


def test_symbols_and_ranges() -> None:
    frame = load_bundled("all")
    got = {
        sym: (g["ts"].min().date(), g["ts"].max().date(), len(g))
        for sym, g in frame.groupby("symbol")
    }
    assert got == EXPECTED
    assert sorted(BUNDLED) == ["AAPL", "FB", "GOOG", "IBM", "MSFT"]


def test_raw_prices_show_the_splits() -> None:
    aapl = load_bundled("AAPL").set_index("ts")["close"]
    drop = aapl[pd.Timestamp("2005-02-28", tz="UTC")] / aapl[pd.Timestamp("2005-02-25", tz="UTC")]
    assert 0.45 < drop < 0.55  # the 2:1 split, unadjusted


def test_validates_against_the_nyse_calendar_with_one_known_warning() -> None:
    data = load_source("bundled:all")
    report = data.report
    assert report is not None
    assert report.errors == []
    (warning,) = report.warnings
    assert (warning.rule, warning.symbol, warning.when) == ("max_move", "AAPL.NASDAQ", "2000-09-29")
    assert set(data.panels) == {"US_NASDAQ", "US_NYSE"}
    assert data.panels["US_NYSE"].symbols == ("IBM.NYSE",)
    assert data.instruments["IBM.NYSE"].sector == "Information Technology"
    assert data.instruments["AAPL.NASDAQ"].name == "Apple Inc."


def test_single_and_unknown_names() -> None:
    assert set(load_source("bundled:msft").frame["symbol"]) == {"MSFT.NASDAQ"}
    with pytest.raises(DataError, match=r"unknown bundled dataset, was 'TSLA'"):
        load_source("bundled:TSLA")


def test_agrees_with_backtesting_goog(backtesting_goog: pd.DataFrame) -> None:
    """Two vendors' copies of the same history: same sessions, closes within 0.5 %, and the
    bundled volume is about twice backtesting.py's (documented quirk of the bundled source)."""
    ours = load_bundled("GOOG").reset_index(drop=True)
    assert ours["ts"].tolist() == backtesting_goog["ts"].tolist()
    rel = np.abs(ours["close"] / backtesting_goog["close"] - 1)
    assert rel.max() < 0.005
    ratio = ours["volume"] / backtesting_goog["volume"]
    assert 1.99 < ratio.median() < 2.01
