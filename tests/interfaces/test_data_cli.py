"""``ouroboros data``: every command in-process through CliRunner, human and --json output."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from ouroboros.interfaces.cli.app import app

GOOD = (
    "date,open,high,low,close,volume\n2024-01-02,10,11,9,10.5,100\n2024-01-03,10.5,11,10,10.8,120\n"
)
BAD = GOOD + "2024-01-04,10.8,10.0,10.5,10.6,-5\n"


def _run(*args: str) -> Result:
    return CliRunner().invoke(app, ["data", *args])


def _json(result: Result) -> Any:
    return json.loads(result.stdout)


@pytest.mark.parametrize("command", [[], ["list"], ["import"], ["validate"], ["generate"]])
def test_every_command_has_help(command: list[str]) -> None:
    result = _run(*command, "--help")
    assert result.exit_code == 0
    assert "Usage" in result.stdout


def test_list_json_shows_bundled_data_and_the_store(tmp_path: Path) -> None:
    csv = tmp_path / "AAPL.csv"
    csv.write_text(GOOD)
    store = tmp_path / "bars"
    assert _run("import", str(csv), "--market", "US_NASDAQ", "--store", str(store)).exit_code == 0
    doc = _json(_run("list", "--store", str(store), "--json"))
    ranges = {b["instrument"]: (b["first"], b["last"], b["rows"]) for b in doc["bundled"]}
    assert ranges["IBM.NYSE"] == ("2000-03-01", "2013-03-01", 3270)
    assert len(ranges) == 5
    (group,) = doc["store"]["groups"]
    assert group == {
        "interval": "1d",
        "venue": "NASDAQ",
        "symbols": 1,
        "rows": 2,
        "first": "2024-01-02",
        "last": "2024-01-03",
    }


def test_list_human_output(tmp_path: Path) -> None:
    result = _run("list", "--store", str(tmp_path / "empty"))
    assert result.exit_code == 0
    assert "bundled:AAPL" in result.stdout
    assert "empty" in result.stdout


def test_validate_reports_file_row_and_rule_and_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(BAD)
    result = _run("validate", str(path), "--market", "US_NYSE")
    assert result.exit_code == 2
    assert f"{path}:row 3: error [ohlc_inconsistent]" in result.stdout
    assert f"{path}:row 3: error [negative_volume]" in result.stdout
    doc = _json(_run("validate", str(path), "--market", "US_NYSE", "--json"))
    assert doc["ok"] is False
    assert doc["valid"] is False
    assert doc["error"]["code"] == "bad_input"
    assert {(i["file"], i["row"], i["rule"]) for i in doc["issues"]} == {
        (str(path), 3, "ohlc_inconsistent"),
        (str(path), 3, "negative_volume"),
    }


def test_validate_clean_sources_exit_0() -> None:
    result = _run("validate", "bundled:IBM")
    assert result.exit_code == 0
    assert "OK" in result.stdout
    doc = _json(_run("validate", "bundled:AAPL", "--json", "--max-move", "0.4"))
    assert doc["ok"] is True
    assert doc["counts"] == {"max_move": 3}  # two splits and the 2000-09-29 crash


def test_validate_bad_spec_is_a_clear_error() -> None:
    result = _run("validate", "synthetic:markets=MOON", "--json")
    assert result.exit_code == 2
    assert "unknown market, was 'MOON'" in _json(result)["error"]["message"]


def test_import_refuses_bad_data_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "IBM.csv"
    path.write_text(BAD)
    store = tmp_path / "bars"
    result = _run("import", str(path), "--market", "US_NYSE", "--store", str(store))
    assert result.exit_code == 2
    assert "negative_volume" in result.stdout
    assert not store.exists()


def test_import_needs_a_venue_for_bare_symbols(tmp_path: Path) -> None:
    path = tmp_path / "IBM.csv"
    path.write_text(GOOD)
    result = _run("import", str(path), "--store", str(tmp_path / "bars"), "--json")
    assert result.exit_code == 2
    assert "--market" in _json(result)["error"]["message"]


def test_import_writes_the_store(tmp_path: Path) -> None:
    path = tmp_path / "prices.csv"
    path.write_text(
        GOOD.replace("01-02", "01-09").replace("01-03", "01-10")
    )  # Tokyo: Jan 2-3 closed
    store = tmp_path / "bars"
    result = _run("import", str(path), "--symbol", "7203", "--market", "JP", "--store", str(store))
    assert result.exit_code == 0, result.output
    assert (store / "1d" / "TSE" / "7203.parquet").is_file()
    assert "imported 1 symbol(s), 2 1d bars" in result.stdout


def test_generate_writes_parquet_and_manifest(tmp_path: Path) -> None:
    out = tmp_path / "gen"
    args = ["--markets", "JP,US_NASDAQ", "--symbols", "3", "--days", "30", "--seed", "4"]
    result = _run("generate", *args, "--out", str(out), "--json")
    assert result.exit_code == 0, result.output
    doc = _json(result)
    assert doc["bars"] == 2 * 3 * 30
    assert sorted(p.name for p in out.iterdir()) == [
        "JP_1d.parquet",
        "US_NASDAQ_1d.parquet",
        "manifest.json",
    ]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["source"] == doc["source"]
    human = _run("generate", *args, "--out", str(tmp_path / "again"))
    assert human.exit_code == 0
    assert "planted pattern" in human.stdout
    for name in ("JP_1d.parquet", "manifest.json"):
        assert (out / name).read_bytes() == (tmp_path / "again" / name).read_bytes()
    check = _run("validate", str(out), "--json")
    assert check.exit_code == 0
    assert _json(check)["issues"] == []


def test_generate_rejects_bad_options(tmp_path: Path) -> None:
    result = _run("generate", "--markets", "KR", "--interval", "5m", "--out", str(tmp_path))
    assert result.exit_code == 2
    assert "interval must be 1d or 1m, was '5m'" in result.stderr


def test_generate_into_earlier_output_replaces_it(tmp_path: Path) -> None:
    out = tmp_path / "gen"
    base = ["generate", "--out", str(out), "--days", "5", "--symbols", "2"]
    assert _run(*base, "--markets", "KR,JP").exit_code == 0
    assert _run(*base, "--markets", "HK").exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == ["HK_1d.parquet", "manifest.json"]
    loaded = _json(_run("validate", str(out), "--json"))
    assert loaded["valid"] is True


def test_generate_refuses_a_folder_with_someone_elses_bars(tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "AAPL.csv").write_text(GOOD)
    result = _run("generate", "--out", str(out), "--days", "5", "--markets", "KR")
    assert result.exit_code == 2
    assert "AAPL.csv" in result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["AAPL.csv"]
