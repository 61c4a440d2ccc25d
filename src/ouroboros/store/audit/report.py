"""The audit's result: a list of problems, each naming what is wrong and where."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Problem:
    """One inconsistency. ``kind`` is stable (scripts match on it); ``message`` is for people."""

    kind: str
    message: str
    run_id: str | None = None
    detail: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"kind": self.kind, "message": self.message}
        if self.run_id is not None:
            out["run_id"] = self.run_id
        out.update(self.detail)
        return out


@dataclass(slots=True)
class AuditReport:
    problems: list[Problem] = field(default_factory=list)
    runs: int = 0
    ledgers: int = 0
    orders: int = 0
    fills: int = 0
    capital_events: int = 0
    positions: int = 0
    snapshots: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, kind: str, message: str, run_id: str | None = None, **detail: object) -> None:
        self.problems.append(Problem(kind, message, run_id, {k: str(v) for k, v in detail.items()}))

    def as_dict(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "problems": [p.as_dict() for p in self.problems],
            "runs": self.runs,
            "ledgers": self.ledgers,
            "orders": self.orders,
            "fills": self.fills,
            "capital_events": self.capital_events,
            "positions": self.positions,
            "snapshots": self.snapshots,
        }
