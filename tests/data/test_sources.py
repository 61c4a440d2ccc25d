from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from ouroboros.data import BarStore, load_file, load_source, parse_source
from ouroboros.errors import DataError
from tests.data.conftest import CLEAN_CSV

WriteCsv = Callable[[str, str], Path]


def test_spec_grammar() -> None:
    spec = parse_source("synthetic:markets=KR,US_NYSE,symbols=5,days=60,seed=3,start=2024-01-02")
    assert spec.kind == "synthetic"
    assert spec.synthetic is not None
    assert spec.synthetic.markets == ("KR", "US_NYSE")
    assert (spec.synthetic.symbols, spec.synthetic.days, spec.synthetic.seed) == (5, 60, 3)
    assert spec.synthetic.start == date(2024, 1, 2)
    assert parse_source("synthetic:markets=JP+HK").synthetic.markets == ("JP", "HK")  # type: ignore[union-attr]
    assert parse_source("bundled:all").name == "all"
    assert parse_source("store:/tmp/x").path == Path("/tmp/x")
    assert parse_source("some/file.csv").kind == "path"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("synthetic:markets=KR,colour=blue", "unknown key 'colour'"),
        ("synthetic:symbols=many", "symbols must be an integer, was 'many'"),
        ("synthetic:markets=MARS", "unknown market, was 'MARS'"),
        ("synthetic:start=01/02/2024", "start must be a date YYYY-MM-DD, was '01/02/2024'"),
        ("synthetic:interval=5m", "interval must be 1d or 1m, was '5m'"),
        ("synthetic:seed=1,seed=2", "key 'seed' given twice"),
        ("synthetic:symbols=5,oops", "expected KEY=VALUE, was 'oops'"),
        ("synthetic:symbols=0", "symbols must be 1..999 per market, was 0"),
        ("synthetic:days=0", "days must be 1..25000 sessions per market, was 0"),
        ("synthetic:patterns=-2", "patterns must be >= 0, was -2"),
        ("bundled:", "bundled: needs a name"),
        ("", "empty data source"),
    ],
)
def test_bad_specs_name_the_bad_part(text: str, message: str) -> None:
    with pytest.raises(DataError, match=message):
        load_source(text)


def test_missing_path_says_what_sources_exist(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"no such file or directory \(sources are bundled"):
        load_source(str(tmp_path / "nothing.csv"))


def test_csv_with_market_gets_instrument_ids_panels_and_a_report(write_csv: WriteCsv) -> None:
    path = write_csv("aapl.csv", CLEAN_CSV)
    data = load_source(str(path), market="us_nasdaq")
    assert data.symbols == ["AAPL.NASDAQ"]
    assert data.markets == {"AAPL.NASDAQ": "US_NASDAQ"}
    assert data.panels["US_NASDAQ"].shape == (5, 1)
    assert str(data.instruments["AAPL.NASDAQ"].id) == "AAPL.NASDAQ"
    assert data.report is not None
    assert data.report.ok


def test_bare_symbols_without_a_market_are_unassigned(write_csv: WriteCsv) -> None:
    data = load_source(str(write_csv("thing.csv", CLEAN_CSV)))
    assert data.markets == {"THING": "UNASSIGNED"}
    assert data.instruments == {}


def test_strict_loading_raises_with_the_first_problems(write_csv: WriteCsv) -> None:
    path = write_csv("bad.csv", CLEAN_CSV.replace("10.2,1000", "10.2,-1000"))
    with pytest.raises(DataError, match=r"bad\.csv:row 1: error \[negative_volume\]"):
        load_file(path, market="US_NYSE")
    frame = load_file(path, market="US_NYSE", strict=False)
    assert len(frame) == 5


def test_calendar_gap_in_a_real_market(write_csv: WriteCsv) -> None:
    # 2024-01-15 was Martin Luther King Jr. Day: NYSE closed.
    text = "date,open,high,low,close,volume\n2024-01-12,1,1,1,1,1\n2024-01-15,1,1,1,1,1\n"
    text += "2024-01-17,1,1,1,1,1\n"
    report = load_source(str(write_csv("mlk.csv", text)), market="US_NYSE", strict=False).report
    assert report is not None
    rules = {(i.rule, i.row, i.when) for i in report.issues}
    assert rules == {("closed_day", 2, "2024-01-15"), ("missing_session", None, "2024-01-16")}


def test_directory_and_store_sources(tmp_path: Path) -> None:
    d = tmp_path / "csvs"
    d.mkdir()
    (d / "AAPL.NASDAQ.csv").write_text(CLEAN_CSV)
    (d / "IBM.NYSE.csv").write_text(CLEAN_CSV)
    data = load_source(str(d))
    assert data.symbols == ["AAPL.NASDAQ", "IBM.NYSE"]
    assert set(data.panels) == {"US_NASDAQ", "US_NYSE"}
    store = BarStore(tmp_path / "bars")
    store.write(data.frame, "1d")
    for spec in (f"store:{tmp_path / 'bars'}", str(tmp_path / "bars")):
        again = load_source(spec)
        assert again.kind in {"store", "path"}
        assert again.frame.equals(data.frame)


def test_synthetic_source_has_instruments_patterns_and_panels() -> None:
    data = load_source("synthetic:markets=US_NYSE,symbols=4,days=80,seed=2,patterns=2")
    assert data.kind == "synthetic"
    assert data.panels["US_NYSE"].shape == (80, 4)
    assert len(data.frame) == 320
    assert all(i.sector for i in data.instruments.values())
    assert len(data.patterns) == 2
    assert data.report is None  # generated data is valid by construction unless asked
    checked = load_source("synthetic:markets=US_NYSE,symbols=4,days=80,seed=2", validate_data=True)
    assert checked.report is not None
    assert checked.report.issues == []
