"""The bundled holiday files and the validation that keeps them honest."""

from __future__ import annotations

import datetime as dt

import pytest

from ouroboros.markets import CalendarDataError, RowStatus
from ouroboros.markets.adjustments import AdjustmentKind, load_adjustments, parse_adjustments

HEADER = "date,kind,open,close,name,status,source"
COVERAGE = (
    "# covered_from: 2027-01-01\n"
    "# authoritative_until: 2027-06-30\n"
    "# provisional_until: 2027-12-31\n"
)


@pytest.mark.parametrize("name", ["vn.csv", "cn.csv", "kr.csv"])
def test_bundled_files_load_and_every_row_has_provenance(name: str) -> None:
    data = load_adjustments(name)
    assert data.rows
    assert all(r.name and r.source for r in data.rows)


def test_future_rows_are_marked_provisional() -> None:
    vn, cn = load_adjustments("vn.csv"), load_adjustments("cn.csv")
    assert vn.authoritative_until == cn.authoritative_until == dt.date(2026, 12, 31)
    assert vn.provisional_until == cn.provisional_until == dt.date(2027, 12, 31)
    assert all(r.status is RowStatus.PROVISIONAL for r in cn.rows)
    assert {r.status for r in vn.rows if r.day.year == 2027} == {RowStatus.PROVISIONAL}
    assert RowStatus.PROVISIONAL not in {r.status for r in vn.rows if r.day.year <= 2026}


def test_korean_exam_day_rows_carry_hours() -> None:
    kr = load_adjustments("kr.csv")
    exam = next(r for r in kr.rows if r.day == dt.date(2026, 11, 19))
    assert exam.kind is AdjustmentKind.HOURS
    assert (exam.open, exam.close) == (dt.time(10), dt.time(16, 30))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("2027-01-02,closed,,,x,official,y", r"t:5: 2027-01-02 is a weekend day"),
        ("2027-01-04,closed,,,x,maybe,y", r"t:5: kind must be closed\|hours"),
        ("2027-01-04,closed,,,x,official,", r"t:5: every row needs a name and a source"),
        ("2027-01-04,hours,10:00,,x,official,y", r"t:5: hours rows need open < close"),
        ("2027-01-04,closed,10:00,,x,official,y", r"t:5: closed rows take no open/close"),
        ("2027-01-04,closed,,,x,official", r"t:5: expected 7 fields"),
        ("2027-13-04,closed,,,x,official,y", r"t:5: invalid date"),
        ("2027-09-01,closed,,,x,official,y", r"must be provisional"),
        ("2027-03-01,closed,,,x,provisional,y", r"must be provisional and rows up to it must not"),
        ("2028-01-03,closed,,,x,provisional,y", r"outside 2027-01-01..2027-12-31"),
        (
            "2027-01-05,closed,,,x,official,y\n2027-01-04,closed,,,x,official,y",
            r"sorted by date",
        ),
    ],
)
def test_malformed_rows_are_refused_with_file_and_line(body: str, message: str) -> None:
    with pytest.raises(CalendarDataError, match=message):
        parse_adjustments(f"{COVERAGE}{HEADER}\n{body}\n", origin="t")


def test_wrong_columns_and_partial_coverage_are_refused() -> None:
    with pytest.raises(CalendarDataError, match="columns must be"):
        parse_adjustments("date,name,source\n", origin="t")
    with pytest.raises(CalendarDataError, match="give all of"):
        parse_adjustments(f"# covered_from: 2027-01-01\n{HEADER}\n", origin="t")
