"""A model's answer → the scenarios of a valid playbook, or a clear reason why not.

:func:`extract_json` finds the JSON object in an answer wrapped in markdown fences or prose and
repairs a truncated one (cut at the last complete element, brackets closed).
:func:`validate_answer` checks it against the domain types and the day's names: it clamps what
has a safe nearer value (stop and take-profit distances, over-long text), drops what has none
(confidence outside [0, 1] - ``50`` is not read as 50 % -, an entry below the confidence
threshold, scenarios past the cap, a missing action) and *rejects* what names something that
does not exist (an unknown symbol, feature or operator): rejections make the planner retry
once with the reasons in the prompt. Every change is an :class:`Issue` recorded with the call.
Dropping never loosens a scenario: a scenario with a bad condition goes whole, never the
condition alone.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ouroboros.brain.schema import (
    DEFAULT_STOP_ATR,
    MAX_CONDITIONS,
    MAX_NAME,
    MAX_RATIONALE,
    STOP_ATR_RANGE,
    TAKE_ATR_RANGE,
)
from ouroboros.domain.playbook import (
    MAX_SCENARIOS_PER_STOCK,
    Action,
    Condition,
    Op,
    Scenario,
    StockPlan,
)

_FENCE = re.compile(r"```(?:json|JSON)?\s*\n?(.*?)(?:```|$)", re.DOTALL)


class AnswerError(ValueError):
    """The answer holds no usable playbook object."""


@dataclass(frozen=True, slots=True)
class Issue:
    kind: str
    """``clamped``, ``dropped`` or ``rejected``."""
    where: str
    reason: str

    def __str__(self) -> str:
        return f"{self.kind} {self.where}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Validated:
    stocks: tuple[StockPlan, ...]
    issues: tuple[Issue, ...]
    notes: str

    @property
    def rejected(self) -> bool:
        return any(i.kind == "rejected" for i in self.issues)


def extract_json(text: str) -> Any:
    """The first JSON object in ``text``: fenced, surrounded by prose or cut off."""
    body = text.strip()
    fenced = _FENCE.search(body)
    if fenced is not None and "{" in fenced.group(1):
        body = fenced.group(1)
    start = body.find("{")
    if start < 0:
        raise AnswerError("no JSON object in the answer")
    body = body[start:]
    try:
        value, _ = json.JSONDecoder().raw_decode(body)
        return value
    except json.JSONDecodeError:
        pass
    repaired = _repair(body)
    if repaired is None:
        raise AnswerError("the JSON object in the answer is malformed and cannot be repaired")
    return repaired


def _repair(body: str) -> Any | None:
    """Close a truncated object at its last complete element."""
    cuts: list[tuple[int, str]] = []
    stack: list[str] = []
    in_string = escape = False
    for i, ch in enumerate(body):
        if in_string:
            if escape:
                escape = False
            elif ch == "\\":
                escape = True
            elif ch == '"':
                in_string = False
            continue
        if ch == '"':
            in_string = True
        elif ch in "{[":
            stack.append("}" if ch == "{" else "]")
        elif ch in "}]":
            if not stack:
                break
            stack.pop()
            cuts.append((i + 1, "".join(reversed(stack))))
        elif ch == ",":
            cuts.append((i, "".join(reversed(stack))))
    for end, closing in reversed(cuts[-400:]):
        try:
            value = json.loads(body[:end] + closing)
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict):
            return value
    return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


class _Checker:
    def __init__(
        self, symbols: Sequence[str], features: Sequence[str], min_confidence: float
    ) -> None:
        self.symbols = frozenset(symbols)
        self.features = frozenset(features)
        self.min_confidence = min_confidence
        self.issues: list[Issue] = []

    def note(self, kind: str, where: str, reason: str) -> None:
        self.issues.append(Issue(kind, where, reason))

    def condition(self, raw: Any, where: str) -> Condition | None:
        if not isinstance(raw, dict):
            self.note("rejected", where, f"condition is not an object: {raw!r:.60}")
            return None
        feature, op, value = raw.get("feature"), raw.get("op"), raw.get("value")
        if feature not in self.features:
            self.note("rejected", where, f"unknown feature {feature!r:.40}")
            return None
        try:
            parsed_op = Op(op)
        except ValueError:
            self.note("rejected", where, f"unknown operator {op!r:.20}")
            return None
        number = _number(value)
        if number is not None:
            return Condition(str(feature), parsed_op, number)
        if isinstance(value, str) and value in self.features:
            return Condition(str(feature), parsed_op, value)
        self.note("rejected", where, f"value {value!r:.40} is neither a number nor a feature")
        return None

    def distance(self, raw: Any, bounds: tuple[float, float], where: str, key: str) -> float | None:
        if raw is None:
            return None
        number = _number(raw)
        if number is None:
            self.note("dropped", where, f"{key} {raw!r:.20} is not a number")
            return None
        low, high = bounds
        if not low <= number <= high:
            clamped = min(high, max(low, number))
            self.note(
                "clamped", where, f"{key} {number:g} outside [{low:g}, {high:g}] → {clamped:g}"
            )
            return clamped
        return number

    def scenario(self, raw: Any, where: str) -> Scenario | None:
        if not isinstance(raw, dict):
            self.note("dropped", where, "scenario is not an object")
            return None
        try:
            action = Action(raw.get("action"))
        except ValueError:
            self.note("dropped", where, f"unknown action {raw.get('action')!r:.20}")
            return None
        confidence = _number(raw.get("confidence"))
        if confidence is None or not 0.0 <= confidence <= 1.0:
            self.note("dropped", where, f"confidence {raw.get('confidence')!r:.20} outside [0, 1]")
            return None
        if action is Action.BUY and confidence < self.min_confidence:
            self.note(
                "dropped",
                where,
                f"entry confidence {confidence:g} below the threshold {self.min_confidence:g}",
            )
            return None
        conditions_raw = raw.get("conditions")
        if not isinstance(conditions_raw, list) or not conditions_raw:
            self.note("dropped", where, "no conditions")
            return None
        if len(conditions_raw) > MAX_CONDITIONS:
            self.note(
                "dropped", where, f"{len(conditions_raw)} conditions, at most {MAX_CONDITIONS}"
            )
            return None
        conditions = [self.condition(c, where) for c in conditions_raw]
        if any(c is None for c in conditions):
            return None
        stop = take = None
        if action is Action.BUY:
            stop = self.distance(raw.get("stop_atr"), STOP_ATR_RANGE, where, "stop_atr")
            if stop is None:
                self.note("clamped", where, f"entry without a stop → stop_atr {DEFAULT_STOP_ATR:g}")
                stop = DEFAULT_STOP_ATR
            take = self.distance(raw.get("take_profit_atr"), TAKE_ATR_RANGE, where, "take_atr")
        name = str(raw.get("name") or where)[:MAX_NAME]
        rationale = str(raw.get("rationale") or "")[:MAX_RATIONALE]
        return Scenario(
            name,
            action,
            tuple(c for c in conditions if c is not None),
            confidence,
            stop,
            take,
            rationale,
        )

    def stock(self, raw: Any, index: int, seen: set[str]) -> StockPlan | None:
        if not isinstance(raw, dict):
            self.note("dropped", f"stocks[{index}]", "not an object")
            return None
        symbol = raw.get("symbol")
        if not isinstance(symbol, str) or symbol not in self.symbols:
            self.note("rejected", f"stocks[{index}]", f"unknown symbol {symbol!r:.40}")
            return None
        if symbol in seen:
            self.note("dropped", symbol, "listed twice; the first plan is kept")
            return None
        seen.add(symbol)
        scenarios_raw = raw.get("scenarios")
        if not isinstance(scenarios_raw, list):
            self.note("dropped", symbol, "scenarios is not a list")
            return None
        scenarios = [
            s
            for k, item in enumerate(scenarios_raw)
            if (s := self.scenario(item, f"{symbol}.scenarios[{k}]")) is not None
        ]
        if len(scenarios) > MAX_SCENARIOS_PER_STOCK:
            ranked = sorted(range(len(scenarios)), key=lambda k: -scenarios[k].confidence)
            keep = sorted(ranked[:MAX_SCENARIOS_PER_STOCK])
            self.note(
                "dropped",
                symbol,
                f"{len(scenarios)} scenarios, kept the {MAX_SCENARIOS_PER_STOCK} most confident",
            )
            scenarios = [scenarios[k] for k in keep]
        if not scenarios:
            return None
        return StockPlan(symbol, tuple(scenarios))


def validate_answer(
    value: Any, symbols: Sequence[str], features: Sequence[str], min_confidence: float
) -> Validated:
    """The stock plans ``value`` holds for the day's ``symbols`` and ``features``."""
    if not isinstance(value, dict) or not isinstance(value.get("stocks"), list):
        raise AnswerError("the answer is not a playbook: it needs a 'stocks' list")
    checker = _Checker(symbols, features, min_confidence)
    seen: set[str] = set()
    stocks = [
        plan
        for index, raw in enumerate(value["stocks"])
        if (plan := checker.stock(raw, index, seen)) is not None
    ]
    notes = value.get("notes")
    return Validated(tuple(stocks), tuple(checker.issues), str(notes)[:300] if notes else "")
