"""Rules the source keeps about itself: no ``assert`` on runtime data (``python -O`` removes
them), so every check that guards data raises an explicit error."""

from __future__ import annotations

import ast
from pathlib import Path

import ouroboros

SRC = Path(ouroboros.__file__).parent
TEST_DOUBLES = SRC / "sandbox"  # the local KIS sandbox: a test double, not production code


def _asserts_in_functions(path: Path) -> list[str]:
    """``assert`` statements inside functions (module-level ones check constants at import)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            found += [
                f"{path.relative_to(SRC)}:{inner.lineno}"
                for inner in ast.walk(node)
                if isinstance(inner, ast.Assert)
            ]
    return found


def test_production_code_has_no_assert_on_runtime_data() -> None:
    offenders = [
        hit
        for path in sorted(SRC.rglob("*.py"))
        if TEST_DOUBLES not in path.parents
        for hit in _asserts_in_functions(path)
    ]
    assert offenders == []
