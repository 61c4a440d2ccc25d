"""What a call costs, what a day may spend, and which periods a model may have seen.

Prices: tokens × the model's list price from ``genai-prices`` (a maintained table of the
providers' published prices), overridable per model by ``LLM_PRICES_FILE`` (JSON:
``{"model": {"input_per_mtok": 0.3, "output_per_mtok": 2.5}}``, USD per million tokens). An
OpenAI-compatible (local) model costs nothing unless the file prices it; a hosted model that
neither knows is an error, not a free call.

Budget: ``LLM_DAILY_BUDGET_USD`` and ``LLM_MAX_CALLS_PER_DAY`` per planning day, counted with the
list cost even for answers replayed from the cache (so a replay takes the same fallbacks as the
run it replays), while the *billed* cost of a replayed answer is zero.

Knowledge cutoffs (Profit Mirage, arXiv 2510.07920): a backtest over dates before the model's
training cutoff is flagged; defaults below, overridable by ``LLM_KNOWLEDGE_CUTOFFS_FILE``
(JSON ``{"model-prefix": "YYYY-MM-DD"}``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from ouroboros.brain.errors import LLMBudgetExhausted
from ouroboros.brain.settings import ProviderName
from ouroboros.errors import ConfigError

_MTOK = Decimal(1_000_000)
_GENAI_PROVIDER = {
    ProviderName.GOOGLE: "google",
    ProviderName.ANTHROPIC: "anthropic",
    ProviderName.OPENAI: "openai",
}


@dataclass(frozen=True, slots=True)
class Price:
    input_per_mtok: Decimal
    output_per_mtok: Decimal

    def cost(self, input_tokens: int, output_tokens: int) -> Decimal:
        return (input_tokens * self.input_per_mtok + output_tokens * self.output_per_mtok) / _MTOK


def load_overrides(path: Path | None) -> dict[str, Price]:
    if path is None:
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return {
            model: Price(Decimal(str(p["input_per_mtok"])), Decimal(str(p["output_per_mtok"])))
            for model, p in raw.items()
        }
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ConfigError(f"LLM_PRICES_FILE {path}: {exc}") from None


class PriceTable:
    def __init__(self, overrides: dict[str, Price] | None = None) -> None:
        self.overrides = overrides or {}

    def cost(
        self, provider: ProviderName, model: str, input_tokens: int, output_tokens: int
    ) -> Decimal:
        """USD for one call; raises ConfigError for a hosted model without a price."""
        if model in self.overrides:
            return self.overrides[model].cost(input_tokens, output_tokens)
        if provider is ProviderName.OPENAI_COMPATIBLE:
            return Decimal(0)
        from genai_prices import Usage, calc_price  # loads its table on first use

        try:
            price = calc_price(
                Usage(input_tokens=input_tokens, output_tokens=output_tokens),
                model_ref=model,
                provider_id=_GENAI_PROVIDER[provider],
            )
        except LookupError:
            raise ConfigError(
                f"no price for model {model!r} ({provider}): add it to LLM_PRICES_FILE"
            ) from None
        return Decimal(str(price.total_price))


@dataclass
class DayUsage:
    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: Decimal = Decimal(0)
    billed_usd: Decimal = Decimal(0)


@dataclass
class Budget:
    """Calls and spend per planning day; :meth:`check` before a call, :meth:`add` after."""

    daily_usd: Decimal | None = None
    max_calls: int | None = None
    days: dict[date, DayUsage] = field(default_factory=dict)

    def check(self, day: date) -> None:
        used = self.days.get(day, DayUsage())
        if self.max_calls is not None and used.calls >= self.max_calls:
            raise LLMBudgetExhausted(
                f"LLM_MAX_CALLS_PER_DAY {self.max_calls} reached on {day.isoformat()}"
            )
        if self.daily_usd is not None and used.cost_usd >= self.daily_usd:
            raise LLMBudgetExhausted(
                f"LLM_DAILY_BUDGET_USD {self.daily_usd} spent on {day.isoformat()} "
                f"({used.cost_usd:.6f})"
            )

    def add(
        self, day: date, input_tokens: int, output_tokens: int, cost: Decimal, billed: bool
    ) -> None:
        used = self.days.setdefault(day, DayUsage())
        used.calls += 1
        used.input_tokens += input_tokens
        used.output_tokens += output_tokens
        used.cost_usd += cost
        if billed:
            used.billed_usd += cost

    def totals(self) -> DayUsage:
        total = DayUsage()
        for used in self.days.values():
            total.calls += used.calls
            total.input_tokens += used.input_tokens
            total.output_tokens += used.output_tokens
            total.cost_usd += used.cost_usd
            total.billed_usd += used.billed_usd
        return total


#: Training-data cutoffs the providers published (model-name prefix → last month covered,
#: as its first day; the longest matching prefix wins). Checked 2026-12.
KNOWLEDGE_CUTOFFS: dict[str, date] = {
    "gemini-2.0": date(2024, 8, 1),
    "gemini-2.5": date(2025, 1, 1),
    "gemini-3": date(2025, 1, 1),
    "claude-3-5": date(2024, 4, 1),
    "claude-3-7": date(2024, 11, 1),
    "claude-sonnet-4": date(2025, 3, 1),
    "claude-opus-4": date(2025, 3, 1),
    "claude-sonnet-4-5": date(2025, 7, 1),
    "claude-haiku-4-5": date(2025, 2, 1),
    "claude-opus-4-5": date(2025, 5, 1),
    "gpt-4o": date(2023, 10, 1),
    "gpt-4.1": date(2024, 6, 1),
    "gpt-5": date(2024, 9, 30),
    "o3": date(2024, 6, 1),
    "o4-mini": date(2024, 6, 1),
    "smollm2": date(2024, 6, 1),
}


def load_cutoffs(path: Path | None) -> dict[str, date]:
    table = dict(KNOWLEDGE_CUTOFFS)
    if path is None:
        return table
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        table.update({prefix: date.fromisoformat(day) for prefix, day in raw.items()})
    except (OSError, ValueError, TypeError, AttributeError) as exc:
        raise ConfigError(f"LLM_KNOWLEDGE_CUTOFFS_FILE {path}: {exc}") from None
    return table


def knowledge_cutoff(model: str, table: dict[str, date] | None = None) -> date | None:
    table = KNOWLEDGE_CUTOFFS if table is None else table
    name = model.lower()
    matches = [p for p in table if name.startswith(p.lower()) or p.lower() in name]
    return table[max(matches, key=len)] if matches else None


def cutoff_flag(
    model: str, first: date, last: date, table: dict[str, date] | None = None
) -> dict[str, object]:
    """The backtest report's knowledge-cutoff entry for an LLM-planned period."""
    cutoff = knowledge_cutoff(model, table)
    seen = cutoff is None or first <= cutoff
    if cutoff is None:
        warning = f"knowledge cutoff of {model} unknown: the model may have seen this period"
    elif seen:
        warning = (
            f"{model} was trained on data up to {cutoff.isoformat()}: the model may have seen "
            f"this period ({first.isoformat()} to {min(last, cutoff).isoformat()})"
        )
    else:
        warning = ""
    return {
        "model": model,
        "knowledge_cutoff": cutoff.isoformat() if cutoff else None,
        "period_before_cutoff": seen,
        "warning": warning,
    }
