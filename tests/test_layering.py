"""Every package keeps its place in the layering (docs/ARCHITECTURE.md §4): dependencies point
inward, towards the domain.

Each package of ``ouroboros`` has a contract here: which of our packages it may import and
which third-party libraries it may use. A package without a contract fails the test, so a new
package has to say where it stands. The ``risk`` package has a finer test of its own
(tests/risk/test_layering.py).
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

import ouroboros

ROOT = Path(ouroboros.__file__).parent
STDLIB = sys.stdlib_module_names | {"__future__"}
NUMERIC = frozenset({"numpy", "pandas", "talib"})


@dataclass(frozen=True)
class Contract:
    ours: frozenset[str]
    """Our packages this one may import (itself is always allowed)."""
    third_party: frozenset[str] | None
    """Third-party top-level modules it may import; None: any."""
    forbidden_modules: frozenset[str] = frozenset()
    """Modules of allowed packages that are still off limits (private internals)."""


def _c(ours: str, third_party: frozenset[str] | None, forbidden: str = "") -> Contract:
    return Contract(frozenset(ours.split()), third_party, frozenset(forbidden.split()))


CONTRACTS: dict[str, Contract] = {
    # The core: pure values and rules, no I/O libraries.
    "errors": _c("", frozenset()),
    # The one module that reads the wall clock; every layer may take a clock from it.
    "clock": _c("", frozenset()),
    # Vendor facts kept as data (KIS's official field sets), read by client and sandbox alike.
    "kisspec": _c("", frozenset()),
    "domain": _c("errors", frozenset()),
    "markets": _c("domain errors", frozenset({"exchange_calendars", "pandas", "numpy"})),
    "analysis": _c("data domain errors", NUMERIC),
    "risk": _c("domain errors", frozenset({"pydantic", "pydantic_settings"})),
    "data": _c("domain errors markets", NUMERIC | {"pyarrow", "bokeh_sampledata", "yaml"}),
    "strategy": _c("analysis data domain errors markets risk", NUMERIC | {"pydantic"}),
    "evaluation": _c("domain errors", NUMERIC | {"jinja2"}),
    # Services around the core.
    "execution": _c("domain errors evaluation markets risk", NUMERIC),
    "store": _c("domain errors markets risk", None),
    # The LLM planner: providers' SDKs at its edge, the planner port of strategy inside; it
    # records through its own port (the store implements it), never importing the store.
    "brain": _c("analysis data domain errors markets risk strategy", None),
    # Adapters at the edge: they speak a vendor's protocol, and know nothing of the engine.
    # They keep their idempotency records in the main database (store repositories).
    "brokers": _c("domain errors execution kisspec markets store", None),
    # A sandbox imitates the vendor; it must not share code with our client for that vendor,
    # or a wrong code in the client would be served back and no test could see it. (It may
    # charge the fee schedule of ``execution.fees``: our model of what a broker charges.)
    "sandbox": _c("domain errors execution kisspec markets", None),
    # The engine composes the core with ports; it never names a concrete broker package.
    "engine": _c(
        "analysis data domain errors evaluation execution markets risk store strategy",
        NUMERIC | {"sqlalchemy", "pydantic", "pydantic_settings"},
        forbidden="ouroboros.store.tables ouroboros.store.models",
    ),
    # The live agent's parts (settings, day plans, scheduler, health, logs): pure or clock-driven
    # pieces the session driver in engine/ plugs together; they know no store, broker or engine.
    "agent": _c(
        "analysis data domain errors markets risk",
        NUMERIC | {"apscheduler", "structlog", "pydantic", "pydantic_settings", "yaml", "dotenv"},
    ),
    # The operator's service layer: read models over the store and audited actions; the API,
    # the dashboard and the chat bots all go through it.
    "services": _c("domain errors evaluation markets risk store", frozenset({"sqlalchemy"})),
    # Notifications and chat commands (Telegram, Discord): they reach the store only through
    # the services.
    "notify": _c("domain errors services", frozenset({"telegram", "httpx"})),
    # The outermost ring: the composition roots for people and processes.
    "interfaces": _c(
        "analysis brain brokers data domain engine errors evaluation execution markets notify "
        "risk sandbox services store strategy",
        None,
    ),
}


def _packages() -> list[str]:
    packages = [p.name for p in ROOT.iterdir() if (p / "__init__.py").exists()]
    return sorted([*packages, "errors", "clock"])


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            if node.module == "ouroboros":  # from ouroboros import kisspec
                names.update(f"ouroboros.{alias.name}" for alias in node.names)
    return names


def _files(package: str) -> list[Path]:
    if package in ("errors", "clock"):
        return [ROOT / f"{package}.py"]
    return sorted((ROOT / package).rglob("*.py"))


def test_every_package_has_a_contract() -> None:
    assert sorted(set(_packages()) - set(CONTRACTS)) == []


def _offence(package: str, contract: Contract, name: str) -> str | None:
    """Why importing ``name`` from ``package`` breaks its contract, or None."""
    parts = name.split(".")
    if parts[0] != "ouroboros":
        allowed = contract.third_party
        if parts[0] in STDLIB or allowed is None or parts[0] in allowed:
            return None
        return "third-party library outside the contract"
    if len(parts) == 1:
        return None  # ``from ouroboros import x``: checked as ``ouroboros.x``
    target = parts[1]
    if target in (package, "clock", "errors") or target.startswith("__"):  # ouroboros.__version__
        return None
    if target not in contract.ours:
        return f"package {target} outside the contract"
    if any(name.startswith(f) for f in contract.forbidden_modules):
        return "a module the contract forbids"
    if any(p.startswith("_") for p in parts[2:]):
        return "a private module of another package"
    return None


@pytest.mark.parametrize("package", sorted(CONTRACTS))
def test_package_imports_follow_its_contract(package: str) -> None:
    contract = CONTRACTS[package]
    offenders = [
        f"{path.relative_to(ROOT)}: {name} ({why})"
        for path in _files(package)
        for name in sorted(_imports(path))
        if (why := _offence(package, contract, name)) is not None
    ]
    assert not offenders, "imports outside the contract:\n" + "\n".join(offenders)
