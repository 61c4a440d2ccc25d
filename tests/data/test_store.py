from __future__ import annotations

import os
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ouroboros.data import BarStore
from ouroboros.errors import DataError


def _bars(symbol: str, days: list[str], base: float = 10.0) -> pd.DataFrame:
    n = len(days)
    close = base + np.arange(n, dtype=float)
    return pd.DataFrame(
        {
            "ts": pd.to_datetime(days, utc=True),
            "symbol": symbol,
            "open": close,
            "high": close + 1,
            "low": close - 1,
            "close": close,
            "volume": np.full(n, 100.0),
        }
    )


DAYS = ["2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05"]


def test_round_trip_and_layout(tmp_path: Path) -> None:
    store = BarStore(tmp_path / "bars")
    frame = pd.concat([_bars("AAPL.NASDAQ", DAYS), _bars("IBM.NYSE", DAYS, 100.0)])
    written = store.write(frame, "1d")
    assert sorted(p.relative_to(tmp_path).as_posix() for p in written) == [
        "bars/1d/NASDAQ/AAPL.parquet",
        "bars/1d/NYSE/IBM.parquet",
    ]
    back = store.read(interval="1d")
    expected = frame.sort_values(["symbol", "ts"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(back, expected, check_dtype=False)
    assert str(back["ts"].dtype) == "datetime64[ns, UTC]"
    assert store.symbols("1d") == ["AAPL.NASDAQ", "IBM.NYSE"]
    assert store.intervals() == ["1d"]


def test_time_range_is_inclusive(tmp_path: Path) -> None:
    store = BarStore(tmp_path)
    store.write(_bars("AAPL.NASDAQ", DAYS), "1d")
    part = store.read(["AAPL.NASDAQ"], "1d", start=date(2024, 1, 3), end=date(2024, 1, 4))
    assert [t.date() for t in part["ts"]] == [date(2024, 1, 3), date(2024, 1, 4)]
    after = store.read(["AAPL.NASDAQ"], "1d", start=datetime(2024, 1, 4, tzinfo=UTC))
    assert len(after) == 2


def test_merge_replaces_same_timestamps_and_keeps_the_rest(tmp_path: Path) -> None:
    store = BarStore(tmp_path)
    store.write(_bars("AAPL.NASDAQ", DAYS[:3]), "1d")
    store.write(_bars("AAPL.NASDAQ", DAYS[2:], base=50.0), "1d")
    closes = store.read(["AAPL.NASDAQ"])["close"].tolist()
    assert closes == [10.0, 11.0, 50.0, 51.0]
    store.write(_bars("AAPL.NASDAQ", DAYS[:1], base=7.0), "1d", mode="replace")
    assert store.read(["AAPL.NASDAQ"])["close"].tolist() == [7.0]


def test_entries_report_rows_and_range(tmp_path: Path) -> None:
    store = BarStore(tmp_path)
    store.write(_bars("005930.KRX", DAYS), "1d")
    (entry,) = store.entries()
    assert (entry.interval, entry.symbol, entry.rows) == ("1d", "005930.KRX", 4)
    assert entry.first == pd.Timestamp("2024-01-02", tz="UTC")
    assert entry.last == pd.Timestamp("2024-01-05", tz="UTC")


def test_bare_symbols_and_missing_files_are_refused(tmp_path: Path) -> None:
    store = BarStore(tmp_path)
    with pytest.raises(DataError, match=r"needs SYMBOL.VENUE"):
        store.write(_bars("AAPL", DAYS), "1d")
    with pytest.raises(DataError, match=r"no 1d bars stored for IBM.NYSE"):
        store.read(["IBM.NYSE"])


def test_a_crash_mid_write_leaves_the_old_file_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = BarStore(tmp_path)
    store.write(_bars("AAPL.NASDAQ", DAYS), "1d")
    path = store.path_for("AAPL.NASDAQ", "1d")
    before = path.read_bytes()

    def crash(src: object, dst: object) -> None:
        raise OSError("simulated crash before the rename")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="simulated crash"):
        store.write(_bars("AAPL.NASDAQ", DAYS, base=99.0), "1d", mode="replace")
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir()] == ["AAPL.parquet"]  # no temp file left


def test_same_frame_gives_the_same_bytes(tmp_path: Path) -> None:
    a, b = BarStore(tmp_path / "a"), BarStore(tmp_path / "b")
    frame = _bars("AAPL.NASDAQ", DAYS)
    (pa,) = a.write(frame, "1d")
    (pb,) = b.write(frame, "1d")
    assert pa.read_bytes() == pb.read_bytes()
