"""Alpaca bars into our frame, the fallback chain (Alpaca -> yfinance -> store) with its
counter, and ``ouroboros data import alpaca:...`` against the sandbox."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from ouroboros.brokers.alpaca.market_data import AlpacaMarketData
from ouroboros.data import BarStore
from ouroboros.data.alpaca_bars import AlpacaBarSource, timeframe_for
from ouroboros.data.market_data import FALLBACK_METRIC, MarketDataService, StoreSource, YahooSource
from ouroboros.errors import DataError
from ouroboros.interfaces.cli.app import app
from ouroboros.markets.registry import get_calendar
from ouroboros.sandbox.alpaca import AlpacaSandbox

from .conftest import client_for

JAN = (dt.date(2025, 1, 1), dt.date(2025, 1, 31))


def alpaca_data(box: AlpacaSandbox) -> AlpacaMarketData:
    return AlpacaMarketData(client_for(box), trading=client_for(box))


async def test_alpaca_daily_bars_are_labelled_by_session_date(sandbox: AlpacaSandbox) -> None:
    data = alpaca_data(sandbox)
    frame = await AlpacaBarSource(data).bars(["AAPL.NASDAQ", "MSFT.NASDAQ"], "1d", *JAN)
    assert set(frame["symbol"]) == {"AAPL.NASDAQ", "MSFT.NASDAQ"}
    first = frame["ts"].min()
    assert first == pd.Timestamp("2025-01-02", tz="UTC")  # session date at 00:00 UTC
    assert len(frame) == 2 * 20  # NYSE sessions in January 2025 (Jan 9: national mourning)
    await data.close()


async def test_alpaca_pages_through_and_finds_venues(sandbox: AlpacaSandbox) -> None:
    data = alpaca_data(sandbox)
    start = dt.datetime(2025, 1, 6, 14, 30, tzinfo=dt.UTC)
    end = dt.datetime(2025, 1, 7, 21, 0, tzinfo=dt.UTC)
    bars = await data.bars(["SPY"], timeframe_for("1m"), start, end, limit=200)
    assert len(bars["SPY"]) == 2 * 390
    assert data.pages == 4
    assert str(await data.instrument("SPY")) == "SPY.AMEX"
    assert str(await data.instrument("IBM")) == "IBM.NYSE"
    with pytest.raises(DataError, match="no asset"):
        await data.instrument("NOPE")
    quotes = await data.latest_quotes(["AAPL"])
    assert quotes["AAPL"].bp < quotes["AAPL"].ap
    await data.close()


def yahoo_history(symbol: str, start: dt.date, end: dt.date, interval: str) -> pd.DataFrame:
    sessions = get_calendar("US_NASDAQ").sessions(start, end)
    days = pd.DatetimeIndex([pd.Timestamp(x.date) for x in sessions]).tz_localize(
        "America/New_York"
    )
    return pd.DataFrame(
        {"Open": 10.0, "High": 11.0, "Low": 9.0, "Close": 10.5, "Volume": 1000.0}, index=days
    )


async def test_chain_falls_back_and_counts(sandbox: AlpacaSandbox, tmp_path: Path) -> None:
    data = alpaca_data(sandbox)
    sandbox.queue_fault("500", count=10, path_contains="/v2/stocks/bars")
    store = BarStore(tmp_path)
    service = MarketDataService(
        [AlpacaBarSource(data), YahooSource(yahoo_history), StoreSource(store)]
    )
    got = await service.bars(["AAPL.NASDAQ"], "1d", dt.date(2025, 3, 3), dt.date(2025, 3, 7))
    assert got.source == "yfinance"
    assert service.fallbacks == {"alpaca->yfinance": 1}
    assert "AlpacaServerError" in got.skipped[0]
    assert got.frame["ts"].iloc[0] == pd.Timestamp("2025-03-03", tz="UTC")
    await data.close()


async def test_invalid_bars_are_refused_on_the_way_in(tmp_path: Path) -> None:
    def broken(symbol: str, start: dt.date, end: dt.date, interval: str) -> pd.DataFrame:
        frame = yahoo_history(symbol, start, end, interval)
        frame["High"] = 1.0  # high below open/close
        return frame

    store = BarStore(tmp_path)
    store.write(await YahooSource(yahoo_history).bars(["AAPL.NASDAQ"], "1d", *JAN), "1d")
    service = MarketDataService([YahooSource(broken), StoreSource(store)])
    got = await service.bars(["AAPL.NASDAQ"], "1d", *JAN)
    assert got.source == "store"
    assert service.fallbacks == {"yfinance->store": 1}
    assert "validation error" in got.skipped[0]


async def test_all_sources_failing_is_one_data_error(tmp_path: Path) -> None:
    service = MarketDataService([StoreSource(BarStore(tmp_path))])
    with pytest.raises(DataError, match="no source had valid 1d bars"):
        await service.bars(["AAPL.NASDAQ"], "1d", *JAN)
    assert service.fallbacks == {"store->none": 1}
    assert FALLBACK_METRIC == "trading_market_data_fallbacks_total"


def test_cli_data_import_alpaca_into_the_store(
    sandbox: AlpacaSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for line in sandbox.exports():
        key, _, value = line.removeprefix("export ").partition("=")
        monkeypatch.setenv(key, value)
    args = ["data", "import", "alpaca:AAPL,MSFT", "--start", "2025-01-01", "--end",
            "2025-01-31", "--store", str(tmp_path), "--json"]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["symbols"] == ["AAPL.NASDAQ", "MSFT.NASDAQ"]
    assert summary["rows"] == 40
    stored = BarStore(tmp_path).read(["AAPL.NASDAQ"], "1d")
    assert len(stored) == 20
    bad = CliRunner().invoke(app, ["data", "import", "alpaca:AAPL", "--store", str(tmp_path)])
    assert bad.exit_code == 2  # bad input (docs: exit codes)
    assert "--start" in bad.output
