"""A stored playbook reads back as the playbook that was stored."""

from __future__ import annotations

from datetime import UTC, date, datetime

from ouroboros.domain.playbook import Condition, Op, Playbook
from ouroboros.strategy.playbook.quant_planner import QuantPlanner, defensive_playbook


def test_to_dict_then_from_dict_is_the_same_playbook() -> None:
    from tests.brain.kit import SYMBOLS, view

    now = datetime(2026, 3, 5, tzinfo=UTC)
    playbook = QuantPlanner().plan("KR", date(2026, 3, 5), now, SYMBOLS, view(), ("AAA",))
    assert playbook.stocks
    assert Playbook.from_dict(playbook.to_dict()) == playbook
    defensive = defensive_playbook("KR", date(2026, 3, 5), now, ("AAA",), "timeout")
    assert Playbook.from_dict(defensive.to_dict()) == defensive


def test_condition_text_parses_numbers_and_features() -> None:
    assert Condition.parse("rsi_14 < 30.0") == Condition("rsi_14", Op.LT, 30.0)
    assert Condition.parse("close >= sma_30") == Condition("close", Op.GE, "sma_30")
