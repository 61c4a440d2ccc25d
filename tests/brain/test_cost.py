"""Prices from the maintained table (overridable), budgets per day, knowledge cutoffs."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from ouroboros.brain.cost import Budget, PriceTable, cutoff_flag, knowledge_cutoff, load_overrides
from ouroboros.brain.errors import LLMBudgetExhausted
from ouroboros.brain.settings import ProviderName
from ouroboros.errors import ConfigError


def test_list_prices_come_from_genai_prices_and_local_models_are_free() -> None:
    table = PriceTable()
    # gemini-2.5-flash: 0.30 USD / M input, 2.50 USD / M output
    assert table.cost(ProviderName.GOOGLE, "gemini-2.5-flash", 1_000_000, 0) == Decimal("0.3")
    assert table.cost(ProviderName.OPENAI_COMPATIBLE, "llama3", 10**6, 10**6) == 0
    with pytest.raises(ConfigError, match="no price for model 'gpt-nonexistent'"):
        table.cost(ProviderName.OPENAI, "gpt-nonexistent", 1, 1)


def test_a_price_file_overrides_the_table(tmp_path: Path) -> None:
    path = tmp_path / "prices.json"
    path.write_text(json.dumps({"gemini-2.5-flash": {"input_per_mtok": 1, "output_per_mtok": 2}}))
    table = PriceTable(load_overrides(path))
    assert table.cost(ProviderName.GOOGLE, "gemini-2.5-flash", 500_000, 500_000) == Decimal("1.5")
    path.write_text("{")
    with pytest.raises(ConfigError, match="LLM_PRICES_FILE"):
        load_overrides(path)


def test_budget_counts_calls_and_dollars_per_day() -> None:
    budget = Budget(Decimal("0.01"), 2)
    day = date(2026, 3, 5)
    budget.check(day)
    budget.add(day, 100, 10, Decimal("0.004"), billed=True)
    budget.add(day, 100, 10, Decimal("0.004"), billed=False)
    with pytest.raises(LLMBudgetExhausted, match="LLM_MAX_CALLS_PER_DAY 2"):
        budget.check(day)
    budget.check(date(2026, 3, 6))  # a new day
    money = Budget(Decimal("0.005"))
    money.add(day, 1, 1, Decimal("0.006"), billed=True)
    with pytest.raises(LLMBudgetExhausted, match="LLM_DAILY_BUDGET_USD"):
        money.check(day)
    assert budget.totals().billed_usd == Decimal("0.004")


def test_knowledge_cutoff_flags_periods_the_model_may_have_seen() -> None:
    assert knowledge_cutoff("claude-sonnet-4-5-20250929") == date(2025, 7, 1)
    assert knowledge_cutoff("gemini-2.5-flash") == date(2025, 1, 1)
    seen = cutoff_flag("gpt-4o-mini", date(2020, 1, 1), date(2021, 1, 1))
    assert seen["period_before_cutoff"] is True
    assert "may have seen this period" in str(seen["warning"])
    unseen = cutoff_flag("gpt-4o-mini", date(2024, 1, 1), date(2024, 6, 1))
    assert unseen["period_before_cutoff"] is False
    assert unseen["warning"] == ""
    unknown = cutoff_flag("my-local-model", date(2024, 1, 1), date(2024, 6, 1))
    assert unknown["period_before_cutoff"] is True
