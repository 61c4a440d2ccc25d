"""Shared test data for any test package.

``backtesting.test.GOOG`` ships with backtesting.py (AGPL); it is a *test-only* dependency and
must never be imported from ``src/``. Other tests use it through::

    from tests.data.fixtures import backtesting_goog  # noqa: F401  (a pytest fixture)

or call ``load_backtesting_goog()`` directly.
"""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

GOOG_ID = "GOOG.NASDAQ"


def load_backtesting_goog() -> pd.DataFrame:
    """backtesting.py's GOOG daily bars (2004-08-19..2013-03-01) as our long frame."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from backtesting.test import GOOG

    raw = GOOG
    return pd.DataFrame(
        {
            "ts": pd.DatetimeIndex(raw.index).tz_localize("UTC").as_unit("ns"),
            "symbol": GOOG_ID,
            "open": raw["Open"].to_numpy(dtype=float),
            "high": raw["High"].to_numpy(dtype=float),
            "low": raw["Low"].to_numpy(dtype=float),
            "close": raw["Close"].to_numpy(dtype=float),
            "volume": raw["Volume"].to_numpy(dtype=float),
        }
    )


@pytest.fixture(scope="session")
def backtesting_goog() -> pd.DataFrame:
    return load_backtesting_goog()
