from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ouroboros.data import read_bar_file
from ouroboros.data.frame import COLUMNS, infer_interval
from ouroboros.errors import DataError
from tests.data.conftest import CLEAN_CSV

WriteCsv = Callable[[str, str], Path]


def test_csv_with_capitalised_columns_and_dates(write_csv: WriteCsv) -> None:
    bars = read_bar_file(write_csv("aapl.csv", CLEAN_CSV))
    frame = bars.frame
    assert tuple(frame.columns) == COLUMNS
    assert bars.interval == "1d"
    assert str(frame["ts"].dtype) == "datetime64[ns, UTC]"
    assert frame["ts"].iloc[0] == pd.Timestamp("2024-01-02", tz="UTC")
    assert set(frame["symbol"]) == {"AAPL"}  # from the file name
    assert all(frame[c].dtype == np.float64 for c in ("open", "high", "low", "close", "volume"))
    assert bars.rows.tolist() == [1, 2, 3, 4, 5]


def test_venue_qualifies_bare_symbols(write_csv: WriteCsv) -> None:
    bars = read_bar_file(write_csv("x.csv", CLEAN_CSV), symbol="msft", venue="NASDAQ")
    assert set(bars.frame["symbol"]) == {"msft.NASDAQ"}


def test_symbol_column_is_used_and_mixed_case_headers_match(write_csv: WriteCsv) -> None:
    text = "TICKER,timestamp,OPEN,high,LOW,Close,VOL\nAAPL.NASDAQ,2024-01-02,1,2,0.5,1.5,10\n"
    text += "IBM,2024-01-02,1,2,0.5,1.5,10\n"
    bars = read_bar_file(write_csv("many.csv", text), venue="NYSE")
    assert bars.frame["symbol"].tolist() == ["AAPL.NASDAQ", "IBM.NYSE"]


def test_naive_intraday_times_are_local_to_the_given_zone(write_csv: WriteCsv) -> None:
    text = "datetime,open,high,low,close,volume\n2024-01-02 09:00,1,1,1,1,1\n"
    text += "2024-01-02 09:01,1,1,1,1,1\n"
    bars = read_bar_file(write_csv("k.csv", text), tz="Asia/Seoul")
    assert bars.interval == "1m"
    assert bars.frame["ts"].iloc[0] == pd.Timestamp("2024-01-02 00:00", tz="UTC")


def test_offsets_are_converted_and_date_time_columns_combined(write_csv: WriteCsv) -> None:
    text = "ts,open,high,low,close,volume\n2024-01-02T09:30:00-05:00,1,1,1,1,1\n"
    bars = read_bar_file(write_csv("o.csv", text))
    assert bars.frame["ts"].iloc[0] == pd.Timestamp("2024-01-02 14:30", tz="UTC")
    text2 = "Date,Time,Open,High,Low,Close,Volume\n2024-01-02,14:30,1,1,1,1,1\n"
    text2 += "2024-01-02,14:31,1,1,1,1,1\n"
    bars2 = read_bar_file(write_csv("dt.csv", text2))
    assert bars2.frame["ts"].tolist() == [
        pd.Timestamp("2024-01-02 14:30", tz="UTC"),
        pd.Timestamp("2024-01-02 14:31", tz="UTC"),
    ]


def test_unparseable_values_become_nan_and_nat_for_validation(write_csv: WriteCsv) -> None:
    text = "date,open,high,low,close,volume\nnot-a-date,1,1,1,1,1\n2024-01-03,abc,1,1,1,1\n"
    frame = read_bar_file(write_csv("bad.csv", text)).frame
    assert pd.isna(frame["ts"].iloc[0])
    assert np.isnan(frame["open"].iloc[1])


def test_missing_column_names_the_file_and_what_was_found(write_csv: WriteCsv) -> None:
    path = write_csv("novol.csv", "date,open,high,low,close\n2024-01-02,1,1,1,1\n")
    with pytest.raises(DataError, match=r"novol\.csv: missing column\(s\) volume; found"):
        read_bar_file(path)


def test_missing_file_is_a_data_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no such file"):
        read_bar_file(tmp_path / "nope.csv")


def test_parquet_and_gzip_files(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "Date": pd.to_datetime(["2024-01-02", "2024-01-03"]),
            "Open": [1.0, 2.0],
            "High": [1.0, 2.0],
            "Low": [1.0, 2.0],
            "Close": [1.0, 2.0],
            "Volume": [5, 6],
        }
    )
    frame.to_parquet(tmp_path / "005930.KRX.parquet")
    bars = read_bar_file(tmp_path / "005930.KRX.parquet")
    assert set(bars.frame["symbol"]) == {"005930.KRX"}
    assert bars.frame["ts"].iloc[1] == pd.Timestamp("2024-01-03", tz="UTC")
    frame.to_csv(tmp_path / "ibm.csv.gz", index=False)
    assert read_bar_file(tmp_path / "ibm.csv.gz").frame["symbol"].iloc[0] == "IBM"


def test_interval_inference() -> None:
    days = pd.DatetimeIndex(["2024-01-02", "2024-01-03"], tz="UTC")
    assert infer_interval(days) == "1d"
    five = pd.date_range("2024-01-02 14:30", periods=4, freq="5min", tz="UTC")
    assert infer_interval(five) == "5m"
