"""``ouroboros markets``: JSON shape in-process (CliRunner) and as the installed console script."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from ouroboros.interfaces.cli.app import app
from ouroboros.markets import MarketCode

UTC_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
HALF_DAY = "2026-11-27T17:30:00Z"  # NYSE half day, 12:30 New York; Asia asleep on a Saturday


def _invoke(*args: str) -> Any:
    result = CliRunner().invoke(app, ["markets", *args])
    assert result.exit_code == 0, result.output
    return result


def _check_shape(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    assert set(doc) == {"ok", "at", "markets"}
    assert UTC_Z.match(doc["at"])
    assert [m["code"] for m in doc["markets"]] == [c.value for c in MarketCode]
    for m in doc["markets"]:
        assert {"code", "open", "next_open", "next_close", "note"} <= set(m)
        for key in ("next_open", "next_close"):
            assert m[key] is None or UTC_Z.match(m[key]), m
    return {m["code"]: m for m in doc["markets"]}


def _check_half_day(doc: dict[str, Any]) -> None:
    assert doc["at"] == HALF_DAY
    by_code = _check_shape(doc)
    for code in ("US_NYSE", "US_NASDAQ", "US_AMEX"):
        us = by_code[code]
        assert us["open"] is True
        assert us["phase"] == "open"
        assert us["next_close"] == "2026-11-27T18:00:00Z"
        assert us["next_open"] == "2026-11-30T14:30:00Z"
        assert us["session"]["early_close"] is True
    hk = by_code["HK"]
    assert hk["open"] is False
    assert (hk["next_open"], hk["next_close"]) == ("2026-11-30T01:30:00Z", "2026-11-30T04:00:00Z")
    assert by_code["KR"]["next_open"] == "2026-11-30T00:00:00Z"
    assert by_code["VN_HSX"]["next_open"] == "2026-11-30T02:00:00Z"
    assert all(m["note"] is None for m in doc["markets"])


def test_json_at_the_us_half_day() -> None:
    _check_half_day(json.loads(_invoke("--at", HALF_DAY, "--json").stdout))


def test_offsets_other_than_utc_are_the_same_instant() -> None:
    doc = json.loads(_invoke("--at", "2026-11-27T12:30:00-05:00", "--json").stdout)
    assert doc["at"] == HALF_DAY


def test_beyond_coverage_reports_null_and_a_note() -> None:
    doc = json.loads(_invoke("--at", "2026-12-31T07:30:00Z", "--json").stdout)
    by_code = _check_shape(doc)
    cn = by_code["CN_SHA"]
    assert cn["open"] is False
    assert cn["next_open"] is None
    assert "2026-12-31" in cn["note"]
    vn = by_code["VN_HNX"]  # 14:30 in Hanoi on the last covered day: open, next open unknown
    assert vn["open"] is True
    assert vn["next_close"] == "2026-12-31T08:00:00Z"
    assert vn["next_open"] is None
    assert vn["note"]


def test_naive_at_is_a_usage_error() -> None:
    result = CliRunner().invoke(app, ["markets", "--at", "2026-11-27T17:30:00", "--json"])
    assert result.exit_code == 2
    assert "UTC offset" in result.output


def test_table_output_lists_every_market() -> None:
    out = _invoke("--at", "2026-03-10T04:30:00Z").stdout
    for code in MarketCode:
        assert code.value in out
    assert "lunch" in out  # 12:30 in Hong Kong and Shanghai


def test_installed_console_script() -> None:
    script = Path(sys.executable).with_name("ouroboros")
    proc = subprocess.run(
        [str(script), "markets", "--at", HALF_DAY, "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    _check_half_day(json.loads(proc.stdout))
