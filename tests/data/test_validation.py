"""Each rule on a small bad file: the issue names the file, the 1-based data row and the rule."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from ouroboros.data import (
    Issue,
    Severity,
    ValidationConfig,
    read_bar_file,
    validate,
    validate_file,
)
from ouroboros.errors import DataError
from tests.data.conftest import CLEAN_CSV
from tests.data.stubs import StubCalendar

WriteCsv = Callable[[str, str], Path]
HEADER = "date,open,high,low,close,volume\n"


def _check(
    path: Path, calendar: StubCalendar | None = None, config: ValidationConfig | None = None
) -> list[Issue]:
    return validate_file(read_bar_file(path), calendar=calendar, config=config).issues


def _only(issues: list[Issue], rule: str) -> Issue:
    found = [i for i in issues if i.rule == rule]
    assert len(found) == 1, f"expected one {rule}, got {[str(i) for i in issues]}"
    return found[0]


def _assert_names(issue: Issue, path: Path, row: int | None, rule: str) -> None:
    text = str(issue)
    assert str(path) in text
    assert rule in text
    if row is not None:
        assert f"row {row}:" in text
    assert issue.row == row


def test_clean_file_has_no_issue(write_csv: WriteCsv, stub_calendar: StubCalendar) -> None:
    report = validate_file(read_bar_file(write_csv("ok.csv", CLEAN_CSV)), calendar=stub_calendar)
    assert report.ok
    assert report.issues == []
    assert report.rows == 5
    assert report.symbols == 1


@pytest.mark.parametrize(
    ("body", "rule", "row", "fragment"),
    [
        ("2024-01-02,1,1,1,1,1\nyesterday,1,1,1,1,1\n", "bad_timestamp", 2, "unparseable"),
        ("2024-01-02,1,1,1,1,1\n2024-01-02,1,1,1,1,1\n", "duplicate_timestamp", 2, "row 1"),
        ("2024-01-03,1,1,1,1,1\n2024-01-02,1,1,1,1,1\n", "non_monotonic", 2, "backwards"),
        ("2024-01-02,1,1,1,1,1\n2024-01-03,1,1,1,,1\n", "bad_price", 2, "close was NaN"),
        ("2024-01-02,1,1,1,1,1\n2024-01-03,0,1,0,1,1\n", "bad_price", 2, "open was 0"),
        ("2024-01-02,1,1,1,1,1\n2024-01-03,1,1,-2,1,1\n", "bad_price", 2, "low was -2"),
        ("2024-01-02,1,1,1,1,1\n2024-01-03,1,2,1.5,1.2,1\n", "ohlc_inconsistent", 2, "low"),
        ("2024-01-02,1,1,1,1,1\n2024-01-03,1,1.1,0.9,1.2,1\n", "ohlc_inconsistent", 2, "high"),
        ("2024-01-02,1,1,1,1,1\n2024-01-03,1,0.8,0.9,0.85,1\n", "ohlc_inconsistent", 2, "low"),
        ("2024-01-02,1,1,1,1,1\n2024-01-03,1,1,1,1,-5\n", "negative_volume", 2, "was -5"),
        ("2024-01-02,1,1,1,1,1\n2024-01-03,1,1,1,1,\n", "missing_volume", 2, "volume"),
    ],
)
def test_row_rules(write_csv: WriteCsv, body: str, rule: str, row: int, fragment: str) -> None:
    path = write_csv(f"{rule}.csv", HEADER + body)
    issue = _only(_check(path), rule)
    _assert_names(issue, path, row, rule)
    assert fragment in issue.message


def test_errors_and_warnings_are_distinct(write_csv: WriteCsv) -> None:
    path = write_csv("mix.csv", HEADER + "2024-01-02,1,1,1,1,-1\n2024-01-03,1,1,1,1,\n")
    report = validate_file(read_bar_file(path))
    assert [i.rule for i in report.errors] == ["negative_volume"]
    assert [i.rule for i in report.warnings] == ["missing_volume"]
    assert not report.ok


def test_day_move_limit_is_configurable(write_csv: WriteCsv) -> None:
    body = "2024-01-02,10,10,10,10,1\n2024-01-03,10,16,10,16,1\n2024-01-04,16,16,12,12,1\n"
    path = write_csv("move.csv", HEADER + body)
    issue = _only(_check(path), "max_move")
    _assert_names(issue, path, 2, "max_move")
    assert issue.severity is Severity.WARNING
    assert "+60.0%" in issue.message
    rules = [i.rule for i in _check(path, config=ValidationConfig(max_move=0.2))]
    assert rules == ["max_move", "max_move"]


def test_stale_run_of_flat_zero_volume_bars(write_csv: WriteCsv) -> None:
    days = pd.bdate_range("2024-01-02", periods=8)
    lines = [f"{days[0].date()},9,11,8,10,100"]
    lines += [f"{d.date()},10,10,10,10,0" for d in days[1:7]]
    lines.append(f"{days[7].date()},10,11,9,10.5,50")
    path = write_csv("stale.csv", HEADER + "\n".join(lines) + "\n")
    issue = _only(_check(path), "stale")
    _assert_names(issue, path, 2, "stale")
    assert "6 consecutive" in issue.message
    assert _check(path, config=ValidationConfig(stale_bars=7)) == []


def test_bar_on_closed_day_and_missing_session(
    write_csv: WriteCsv, stub_calendar: StubCalendar
) -> None:
    # 2024-01-01 is the stub's holiday; 2024-01-06 a Saturday; 2024-01-04 has no bar.
    body = "2024-01-01,1,1,1,1,1\n2024-01-02,1,1,1,1,1\n2024-01-03,1,1,1,1,1\n"
    body += "2024-01-05,1,1,1,1,1\n2024-01-06,1,1,1,1,1\n"
    path = write_csv("gaps.csv", HEADER + body)
    issues = _check(path, stub_calendar)
    closed = [i for i in issues if i.rule == "closed_day"]
    assert [i.row for i in closed] == [1, 5]
    assert all(i.severity is Severity.ERROR for i in closed)
    assert "Saturday" in closed[1].message
    _assert_names(closed[0], path, 1, "closed_day")
    missing = _only(issues, "missing_session")
    _assert_names(missing, path, None, "missing_session")
    assert missing.when == "2024-01-04"
    assert missing.severity is Severity.WARNING


def test_last_bar_older_than_as_of(write_csv: WriteCsv, stub_calendar: StubCalendar) -> None:
    path = write_csv("old.csv", CLEAN_CSV)  # last bar 2024-01-08 (Monday), row 5
    fresh = ValidationConfig(as_of=date(2024, 1, 11), max_age_sessions=3)
    assert _check(path, stub_calendar, fresh) == []
    stale = ValidationConfig(as_of=date(2024, 1, 12), max_age_sessions=3)
    issue = _only(_check(path, stub_calendar, stale), "stale_as_of")
    _assert_names(issue, path, 5, "stale_as_of")
    assert "4 sessions before" in issue.message


def test_minute_bars_outside_session_minutes(write_csv: WriteCsv) -> None:
    from datetime import time

    calendar = StubCalendar(
        open_utc=time(0, 0), close_utc=time(6, 30), lunch=(time(3, 30), time(4, 30))
    )
    text = "ts,open,high,low,close,volume\n"
    for stamp in ("00:00", "00:01", "03:30", "04:30", "06:30"):
        text += f"2024-01-02T{stamp}:00Z,1,1,1,1,1\n"
    path = write_csv("minutes.csv", text)
    issues = [i for i in _check(path, calendar) if i.rule == "outside_session"]
    assert [i.row for i in issues] == [3, 5]  # the lunch-break start and the close


def test_calendar_coverage_is_reported_not_hidden(write_csv: WriteCsv) -> None:
    class Limited(StubCalendar):
        def sessions(self, start: date, end: date) -> list:  # type: ignore[type-arg]
            if start < date(2024, 1, 4):
                exc = LookupError("not covered")
                exc.covered_from = date(2024, 1, 4)  # type: ignore[attr-defined]
                exc.covered_until = date(2030, 1, 1)  # type: ignore[attr-defined]
                raise exc
            return super().sessions(start, end)

    issues = _check(write_csv("cov.csv", CLEAN_CSV), Limited())
    assert [i.rule for i in issues] == ["calendar_unavailable"]
    assert "covers only 2024-01-04" in issues[0].message


def test_frames_with_several_symbols_are_checked_per_symbol() -> None:
    frame = pd.DataFrame(
        {
            "ts": pd.to_datetime(["2024-01-02", "2024-01-02", "2024-01-03"], utc=True),
            "symbol": ["A.NYSE", "B.NYSE", "A.NYSE"],
            "open": [1.0, 1.0, 1.0],
            "high": [1.0, 1.0, 1.0],
            "low": [1.0, 1.0, 2.0],
            "close": [1.0, 1.0, 1.0],
            "volume": [1.0, 1.0, 1.0],
        }
    )
    report = validate(frame, source="mem")
    assert report.symbols == 2
    (issue,) = report.issues
    assert (issue.symbol, issue.row, issue.rule) == ("A.NYSE", 3, "ohlc_inconsistent")


def test_raise_for_errors_lists_the_first_problems(write_csv: WriteCsv) -> None:
    body = "".join(f"2024-01-{d:02d},1,1,1,1,-1\n" for d in range(2, 20))
    report = validate_file(read_bar_file(write_csv("many.csv", HEADER + body)))
    with pytest.raises(DataError) as info:
        report.raise_for_errors(limit=3)
    text = str(info.value)
    assert "many.csv:row 1" in text
    assert "many.csv:row 3" in text
    assert "many.csv:row 4" not in text
    assert "and 15 more error(s)" in text


def test_config_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="max_move must be > 0, was 0"):
        ValidationConfig(max_move=0)
    with pytest.raises(ValueError, match="stale_bars"):
        ValidationConfig(stale_bars=1)
