"""What validation found: issues (error or warning, each naming source, row and rule) and the
report that collects them. Errors make data unusable; warnings are facts a user should see
(a missing session, a 50 % day move) but that real data legitimately has."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Any

from ouroboros.errors import DataError


class Severity(Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class ValidationConfig:
    """Thresholds of the configurable rules.

    ``max_move``: a close-to-close move above this fraction is flagged (0.5 = 50 %).
    ``stale_bars``: this many consecutive flat, zero-volume bars are flagged as stale.
    ``as_of`` / ``max_age_sessions``: when ``as_of`` is given, a symbol whose last bar is more
    than ``max_age_sessions`` sessions before it is an error (the feed stopped).
    """

    max_move: float = 0.5
    stale_bars: int = 5
    as_of: date | None = None
    max_age_sessions: int = 3

    def __post_init__(self) -> None:
        if not self.max_move > 0:
            raise ValueError(f"max_move must be > 0, was {self.max_move}")
        if self.stale_bars < 2:
            raise ValueError(f"stale_bars must be >= 2, was {self.stale_bars}")
        if self.max_age_sessions < 0:
            raise ValueError(f"max_age_sessions must be >= 0, was {self.max_age_sessions}")


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem. ``row`` is the 1-based data row in ``source`` (None when the problem is an
    absence, e.g. a session with no bar); ``when`` is the bar's time label as ISO text."""

    rule: str
    severity: Severity
    source: str
    row: int | None
    symbol: str
    when: str
    message: str

    def __str__(self) -> str:
        where = f"{self.source}:row {self.row}" if self.row is not None else self.source
        head = f"{where}: {self.severity.value} [{self.rule}]"
        return f"{head} {self.symbol} {self.when}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.source,
            "row": self.row,
            "rule": self.rule,
            "severity": self.severity.value,
            "symbol": self.symbol,
            "when": self.when,
            "message": self.message,
        }


@dataclass(slots=True)
class ValidationReport:
    """Every issue found in one or more sources, plus what was looked at."""

    sources: list[str] = field(default_factory=list)
    rows: int = 0
    symbols: int = 0
    issues: list[Issue] = field(default_factory=list)
    uncalendared: list[str] = field(default_factory=list)
    """Symbols checked without a market calendar (bare symbols with no --market): the
    closed-day, session-hour and missing-session rules did not run for them."""

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity is Severity.WARNING]

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return not self.errors

    def merge(self, other: ValidationReport) -> ValidationReport:
        return ValidationReport(
            sources=[*self.sources, *other.sources],
            rows=self.rows + other.rows,
            symbols=self.symbols + other.symbols,
            issues=[*self.issues, *other.issues],
            uncalendared=[*self.uncalendared, *other.uncalendared],
        )

    @property
    def calendar_note(self) -> str | None:
        """Says when the calendar rules did not run (None when every symbol had a calendar)."""
        if not self.uncalendared:
            return None
        names = ", ".join(self.uncalendared[:5]) + (" ..." if len(self.uncalendared) > 5 else "")
        return (
            f"no calendar check for {len(self.uncalendared)} symbol(s) ({names}): their market "
            "is unknown; pass --market CODE to check closed days and session hours"
        )

    def counts(self) -> dict[str, int]:
        """Issues per rule, e.g. ``{"missing_session": 3}``."""
        return dict(sorted(Counter(i.rule for i in self.issues).items()))

    def summary(self) -> str:
        return (
            f"{self.rows} rows, {self.symbols} symbols in {len(self.sources)} source(s): "
            f"{len(self.errors)} error(s), {len(self.warnings)} warning(s)"
        )

    def raise_for_errors(self, limit: int = 10) -> None:
        """Raise ``DataError`` listing the first ``limit`` errors when there is any."""
        errors = self.errors
        if not errors:
            return
        lines = [str(i) for i in errors[:limit]]
        more = len(errors) - limit
        if more > 0:
            lines.append(f"... and {more} more error(s)")
        raise DataError(f"bar data failed validation ({self.summary()}):\n" + "\n".join(lines))

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "sources": self.sources,
            "rows": self.rows,
            "symbols": self.symbols,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "counts": self.counts(),
            "issues": [i.to_dict() for i in self.issues],
            "calendar_checked": not self.uncalendared,
            "note": self.calendar_note,
        }
