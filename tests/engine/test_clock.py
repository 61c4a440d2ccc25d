"""One wall clock: ``ouroboros/clock.py`` is the only module that reads the real time."""

from __future__ import annotations

import ast
from pathlib import Path

import ouroboros

SRC = Path(ouroboros.__file__).parent
CLOCK = SRC / "clock.py"
WALL_READS = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("date", "today"),
    ("time", "time"),
    ("time", "time_ns"),
    ("Timestamp", "now"),
    ("Timestamp", "utcnow"),
    ("Timestamp", "today"),
}


def _wall_reads(path: Path) -> list[str]:
    """Calls like ``datetime.now(...)``, ``dt.datetime.now()``, ``date.today()``,
    ``time.time()`` or ``pd.Timestamp.now()``, whatever the module was imported as."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        attr, owner = node.func.attr, node.func.value
        name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
        if (name, attr) in WALL_READS:
            found.append(f"{path.relative_to(SRC)}:{node.lineno} {name}.{attr}()")
    return found


def test_only_the_clock_module_reads_the_wall_clock() -> None:
    offenders = [hit for p in sorted(SRC.rglob("*.py")) if p != CLOCK for hit in _wall_reads(p)]
    assert offenders == []


def test_the_scan_sees_the_clock_module_read() -> None:
    assert _wall_reads(CLOCK) == ["clock.py:38 datetime.now()"]
