"""The planner prompt: point in time, compact, token-budgeted.

Everything in it is known at the decision time: the features come from the :class:`StepView`
the policy hands the planner (row ``t - 1``, the last close, which refuses later rows), holdings
and the account as of now, the planner's own earlier playbooks and their outcomes, and the
context-memory layers (an interface: daily summaries, weekly trend, core principles). The
prompt is rendered deterministically (fixed order, fixed number formats), so the same inputs
give the same bytes - the record/replay cache keys on them.

Budget (``PLANNER_MAX_PROMPT_TOKENS``, seed 000's prompt optimizer): the lowest-value features
go first, then the lowest-ranked candidates, which are summarised in one line. Tokens are
estimated at 3 characters each (providers count their own; the estimate is for the budget).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from ouroboros.brain.schema import canonical_json, playbook_schema
from ouroboros.strategy.base import StepView

#: Features by value to the planner, highest first; the budget drops from the end.
FEATURE_PRIORITY = (
    "close",
    "rsi_14",
    "atr_pct_14",
    "momentum_score",
    "volume_ratio_20",
    "change_pct_1",
    "change_pct_5",
    "change_pct_20",
    "sma_10",
    "sma_30",
    "sma_50",
    "macd_hist",
    "bb_pctb_20",
    "breakout_20",
    "breakdown_20",
    "range_pct",
    "sma_20",
    "sma_200",
    "atr_14",
    "macd",
    "macd_signal",
    "bb_width_20",
    "sma_5",
    "ema_12",
    "ema_26",
    "bb_upper_20",
    "bb_middle_20",
    "bb_lower_20",
    "donchian_high_20",
    "donchian_low_20",
)
MIN_FEATURES = 6


def estimate_tokens(text: str) -> int:
    """Tokens at 3 characters each: conservative for number-heavy CSV (SmolLM2 counted 1,595
    tokens for a 4,100-character prompt; English prose runs nearer 4 per token)."""
    return (len(text) + 2) // 3


@dataclass(frozen=True, slots=True)
class AccountView:
    """The account as of the decision time (from the composition root; optional)."""

    cash: str
    currency: str
    exposure_pct: float | None = None
    breaker: str = "armed"


@dataclass(frozen=True, slots=True)
class RecentPlaybook:
    session_date: date
    planner: str
    scenario_count: int
    symbols: tuple[str, ...]
    outcome: str | None = None
    """What happened (matched scenarios, P&L) if the caller knows it."""


@dataclass(frozen=True, slots=True)
class MemoryLayer:
    name: str
    text: str


class ContextMemory(Protocol):
    """The context-memory layers (memory and learning issue): text known at ``now``."""

    def layers(self, market: str, now: datetime) -> Sequence[MemoryLayer]: ...


@dataclass(frozen=True, slots=True)
class PlanningInput:
    market: str
    session_date: date
    now: datetime
    symbols: Sequence[str]
    view: StepView
    held: Sequence[str]
    features: Sequence[str]
    """Every feature a condition may name (the computed set plus ``close``)."""
    min_confidence: float
    account: AccountView | None = None
    recent: Sequence[RecentPlaybook] = ()
    memory: Sequence[MemoryLayer] = ()


@dataclass(frozen=True, slots=True)
class Prompt:
    system: str
    user: str
    symbols: tuple[str, ...]
    """Symbols the answer may name (the candidates shown and the holdings)."""
    features: tuple[str, ...]
    schema: dict[str, object] = field(repr=False)
    tokens: int = 0
    omitted: int = 0

    @property
    def text(self) -> str:
        return f"[system]\n{self.system}\n[user]\n{self.user}"

    @property
    def hash(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()


_SYSTEM = """You are the pre-market planner of Ouroboros, a trading agent. Write today's \
playbook for market {market}: for the candidate symbols worth trading, up to 5 scenarios each. \
A scenario is a conjunction of conditions "feature op value" (value: a number or another \
feature) that a local engine evaluates at every bar of the session; when all hold, the action \
is taken: BUY opens a position, SELL closes a holding. confidence is 0 to 1; entries below \
{threshold:g} never trade. stop_atr and take_profit_atr are distances in ATR multiples. Name \
only the listed symbols and features. Answer with one JSON object that matches this schema, \
and nothing else:
{schema}"""


def _fmt(value: float) -> str:
    if math.isnan(value):
        return ""
    return f"{value:.6g}" if abs(value) >= 1000 else f"{value:.4g}"


def _rank(inp: PlanningInput) -> list[int]:
    """Holdings first, then by momentum score (highest first), then by symbol."""
    score = inp.view.at("momentum_score") if "momentum_score" in inp.features else None
    held = set(inp.held)

    def key(j: int) -> tuple[int, float, str]:
        s = float(score[j]) if score is not None else math.nan
        return (0 if inp.symbols[j] in held else 1, -s if s == s else math.inf, inp.symbols[j])

    return sorted(range(len(inp.symbols)), key=key)


def _header(inp: PlanningInput) -> list[str]:
    lines = [
        f"Market {inp.market}, session {inp.session_date.isoformat()}, "
        f"decision time {inp.now.isoformat()}; features as of the last close.",
    ]
    if inp.account is not None:
        a = inp.account
        exposure = "" if a.exposure_pct is None else f", exposure {a.exposure_pct:.1f}%"
        lines.append(f"Account: cash {a.cash} {a.currency}{exposure}, breaker {a.breaker}.")
    lines.append("Holdings: " + (", ".join(inp.held) if inp.held else "none") + ".")
    for r in inp.recent:
        outcome = f"; {r.outcome}" if r.outcome else ""
        lines.append(
            f"Playbook {r.session_date.isoformat()} ({r.planner}): {r.scenario_count} scenarios "
            f"on {', '.join(r.symbols[:8]) or 'no symbol'}{outcome}."
        )
    lines.extend(f"{m.name}: {m.text}" for m in inp.memory)
    return lines


def _rows(inp: PlanningInput, order: Sequence[int], features: Sequence[str]) -> list[str]:
    columns = [inp.view.at(f) for f in features]
    return [",".join([inp.symbols[j], *(_fmt(float(col[j])) for col in columns)]) for j in order]


def build_prompt(inp: PlanningInput, max_tokens: int, max_candidates: int) -> Prompt:
    """The day's prompt within ``max_tokens``: features, then candidates, are cut to fit."""
    allowed = [f for f in FEATURE_PRIORITY if f in inp.features]
    shown = [*allowed, *sorted(f for f in inp.features if f not in FEATURE_PRIORITY)]
    held = set(inp.held)
    ranked = _rank(inp)
    order = [j for j in ranked if inp.symbols[j] in held]
    order += [j for j in ranked if inp.symbols[j] not in held][:max_candidates]
    header = _header(inp)
    while True:
        symbols = [inp.symbols[j] for j in order]
        schema = playbook_schema(symbols, list(inp.features))
        system = _SYSTEM.format(
            market=inp.market, threshold=inp.min_confidence, schema=canonical_json(schema)
        )
        rows = _rows(inp, order, shown)
        table = ["symbol," + ",".join(shown)]
        fixed = estimate_tokens(system) + estimate_tokens("\n".join(header + table)) + 40
        if fixed + sum(estimate_tokens(r) + 1 for r in rows) <= max_tokens:
            break
        if len(shown) > MIN_FEATURES:
            shown.pop()
            continue
        keep = len(order)
        budget = max_tokens - fixed
        cost = [
            estimate_tokens(r) + 1 + 2 * estimate_tokens(inp.symbols[j])
            for r, j in zip(rows, order, strict=True)
        ]
        while keep > len(held & set(symbols)) + 1 and sum(cost[:keep]) > budget:
            keep -= 1
        if keep == len(order):
            break
        order = order[:keep]
    omitted = len(inp.symbols) - len(order)
    lines = [*header, "Candidates (CSV):", *table, *rows]
    if omitted:
        lines.append(f"{omitted} more symbols omitted (lower momentum score).")
    user = "\n".join(lines)
    tokens = estimate_tokens(system) + estimate_tokens(user)
    return Prompt(system, user, tuple(symbols), tuple(inp.features), schema, tokens, omitted)


def retry_prompt(prompt: Prompt, reasons: Sequence[str]) -> Prompt:
    """The same prompt with the validation errors of the first answer appended."""
    shown = "\n".join(f"- {r}" for r in list(reasons)[:12])
    user = (
        f"{prompt.user}\n\nYour previous answer was rejected:\n{shown}\n"
        "Answer again with one valid JSON object."
    )
    return Prompt(
        prompt.system,
        user,
        prompt.symbols,
        prompt.features,
        prompt.schema,
        estimate_tokens(prompt.system) + estimate_tokens(user),
        prompt.omitted,
    )
