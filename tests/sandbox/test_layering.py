"""The sandbox shares no code with the KIS client: it reads KIS's facts from ``ouroboros.kisspec``
(the official samples as data), so a wrong code in the client cannot be served back to it."""

from __future__ import annotations

import ast
from pathlib import Path

import ouroboros.kisspec
import ouroboros.sandbox

SANDBOX = Path(ouroboros.sandbox.__file__).parent
KISSPEC = Path(ouroboros.kisspec.__file__).parent


def imports(root: Path) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in sorted(root.rglob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
        found[str(path.relative_to(root.parent))] = names
    return found


def test_sandbox_imports_nothing_from_the_client() -> None:
    bad = {
        f: sorted(
            n for n in names if n == "ouroboros.brokers" or n.startswith("ouroboros.brokers.")
        )
        for f, names in imports(SANDBOX).items()
    }
    assert {f: n for f, n in bad.items() if n} == {}


def test_kisspec_imports_nothing_from_ouroboros() -> None:
    bad = {
        f: sorted(n for n in names if n.startswith("ouroboros"))
        for f, names in imports(KISSPEC).items()
    }
    assert {f: n for f, n in bad.items() if n} == {}


def test_the_check_sees_a_client_import(tmp_path: Path) -> None:
    pkg = tmp_path / "sandbox"
    pkg.mkdir()
    (pkg / "x.py").write_text("from ouroboros.brokers.kis import exchanges\n")
    assert imports(pkg) == {"sandbox/x.py": {"ouroboros.brokers.kis"}}
