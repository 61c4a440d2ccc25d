"""The risk package stays pure: it imports only the domain, the errors and the standard library."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import ouroboros.risk

ALLOWED_OURS = ("ouroboros.domain", "ouroboros.errors", "ouroboros.risk")
ALLOWED_THIRD_PARTY = ("pydantic", "pydantic_settings")
PACKAGE = Path(ouroboros.risk.__file__).parent


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_risk_imports_only_domain_errors_stdlib_and_pydantic() -> None:
    offenders: list[str] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for name in _imports(path):
            top = name.split(".")[0]
            if name.startswith(ALLOWED_OURS) or top in ALLOWED_THIRD_PARTY:
                continue
            if top == "ouroboros" or top not in sys.stdlib_module_names | {"__future__"}:
                offenders.append(f"{path.relative_to(PACKAGE)}: {name}")
    assert offenders == []


def test_risk_never_reads_the_wall_clock() -> None:
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "datetime.now" not in text, path
        assert "time.time(" not in text, path
