"""Files as people have them: pandas ``to_csv()`` with any index, Yahoo and yfinance CSVs, and
file names with underscores or dashes all load (issue 10, item 4)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from ouroboros.data.loaders import read_bar_file, symbol_from_filename
from ouroboros.errors import DataError
from ouroboros.interfaces.cli.app import app

DAYS = pd.DatetimeIndex(
    [d for d in pd.bdate_range("2024-01-16", periods=30) if d != pd.Timestamp("2024-02-19")]
)


def frame() -> pd.DataFrame:
    n = len(DAYS)
    return pd.DataFrame(
        {
            "Open": np.linspace(10, 12, n),
            "High": np.linspace(10.5, 12.5, n),
            "Low": np.linspace(9.5, 11.5, n),
            "Close": np.linspace(10.2, 12.2, n),
            "Volume": 1000,
        },
        index=DAYS,
    )


def write_named(path: Path) -> None:
    df = frame()
    df.index.name = "Date"
    df.to_csv(path)


def write_unnamed(path: Path) -> None:
    frame().to_csv(path)


def write_numeric(path: Path) -> None:
    frame().reset_index(names="Date").to_csv(path)


def write_yahoo(path: Path) -> None:
    df = frame()
    df.insert(4, "Adj Close", df["Close"] * 0.98)
    df.index.name = "Date"
    df.to_csv(path)


def write_yfinance(path: Path) -> None:
    df = frame()
    rows = [
        "Price,Close,High,Low,Open,Volume",
        "Ticker,AAPL,AAPL,AAPL,AAPL,AAPL",
        "Date,,,,,",
    ]
    rows += [f"{t.date()},{r.Close},{r.High},{r.Low},{r.Open},{r.Volume}" for t, r in df.iterrows()]
    path.write_text("\n".join(rows) + "\n")


@pytest.mark.parametrize(
    "writer", [write_named, write_unnamed, write_numeric, write_yahoo, write_yfinance]
)
def test_common_layouts_load_with_every_bar(writer: object, tmp_path: Path) -> None:
    path = tmp_path / "AAPL.csv"
    writer(path)  # type: ignore[operator]
    bars = read_bar_file(path, venue="NASDAQ")
    assert len(bars.frame) == len(DAYS)
    assert list(pd.DatetimeIndex(bars.frame["ts"]).date) == list(DAYS.date)
    assert bars.frame["close"].iloc[0] == pytest.approx(10.2)  # raw close, not Adj Close


@pytest.mark.parametrize(
    ("name", "symbol"),
    [("BRK-B.csv", "BRK-B"), ("aapl_daily.csv", "AAPL-DAILY"), ("my data.csv", "MY-DATA")],
)
def test_file_names_with_underscores_dashes_and_spaces(name: str, symbol: str) -> None:
    assert symbol_from_filename(Path(name)) == symbol


@pytest.mark.parametrize("name", ["BRK-B.csv", "aapl_daily.csv", "005930_krx.csv"])
def test_backtest_loads_them_with_market_and_symbol(name: str, tmp_path: Path) -> None:
    path = tmp_path / name
    write_named(path)
    runner = CliRunner()
    result = runner.invoke(app, ["backtest", "--data", str(path), "--market", "US_NASDAQ"])
    assert result.exit_code == 0, result.output
    named = runner.invoke(
        app, ["backtest", "--data", str(path), "--market", "US_NASDAQ", "--symbol", "XYZ", "--json"]
    )
    assert named.exit_code == 0, named.output


def test_a_header_without_rows_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "AAPL.csv"
    path.write_text("date,open,high,low,close,volume\n")
    with pytest.raises(DataError, match="no bars"):
        read_bar_file(path)
    path.write_text("")
    with pytest.raises(DataError, match="empty"):
        read_bar_file(path)
