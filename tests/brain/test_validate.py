"""Answer parsing and validation: clamp, drop, reject, each with its reason."""

from __future__ import annotations

import json

import pytest

from ouroboros.brain.validate import AnswerError, extract_json, validate_answer
from tests.brain.kit import FEATURES, SYMBOLS, answer, scenario


def _check(stocks: list[dict[str, object]]) -> object:
    return validate_answer({"stocks": stocks, "notes": ""}, SYMBOLS, FEATURES, 0.8)


def test_fences_prose_and_truncation() -> None:
    full = answer()
    assert extract_json(f"```json\n{full}\n```") == json.loads(full)
    assert extract_json(f"Sure! {full} Good luck.") == json.loads(full)
    cut = extract_json(full[: len(full) // 2])
    assert cut["stocks"][0]["symbol"] == "AAA"
    with pytest.raises(AnswerError, match="no JSON object"):
        extract_json("buy everything")
    with pytest.raises(AnswerError, match="stocks"):
        validate_answer({"playbook": []}, SYMBOLS, FEATURES, 0.8)


def test_out_of_bounds_distances_are_clamped_and_entries_get_a_stop() -> None:
    checked = _check(
        [
            {
                "symbol": "AAA",
                "scenarios": [
                    scenario(stop_atr=50, take_profit_atr=0.01),
                    scenario(name="b", stop_atr=None),
                ],
            }
        ]
    )
    first, second = checked.stocks[0].scenarios
    assert (first.stop_atr, first.take_profit_atr) == (10.0, 0.5)
    assert second.stop_atr == 2.0
    kinds = [(i.kind, i.reason.split(" ")[0]) for i in checked.issues]
    assert kinds == [("clamped", "stop_atr"), ("clamped", "take_atr"), ("clamped", "entry")]
    assert not checked.rejected


def test_drops_and_rejections_are_recorded_with_reasons() -> None:
    checked = _check(
        [
            {"symbol": "AAA", "scenarios": [scenario(confidence=50), scenario(confidence=0.5)]},
            {"symbol": "ZZZ", "scenarios": [scenario()]},
            {
                "symbol": "BBB",
                "scenarios": [scenario(conditions=[{"feature": "rsi_14", "op": "~", "value": 1}])],
            },
            {
                "symbol": "CCC",
                "scenarios": [
                    scenario(action="SHORT"),
                    scenario(conditions=[{"feature": "rsi_14", "op": "<", "value": "moon"}]),
                ],
            },
            {
                "symbol": "DDD",
                "scenarios": [
                    scenario(
                        action="SELL",
                        confidence=0.1,
                        conditions=[{"feature": "close", "op": "<", "value": "sma_30"}],
                    )
                ],
            },
        ]
    )
    assert [s.symbol for s in checked.stocks] == ["DDD"]  # a low-confidence exit may stay
    reasons = [str(i) for i in checked.issues]
    assert any("confidence 50 outside [0, 1]" in r for r in reasons)
    assert any("below the threshold 0.8" in r for r in reasons)
    assert any("unknown symbol 'ZZZ'" in r for r in reasons)
    assert any("unknown operator '~'" in r for r in reasons)
    assert any("unknown action 'SHORT'" in r for r in reasons)
    assert any("'moon' is neither a number nor a feature" in r for r in reasons)
    assert checked.rejected


def test_booleans_and_non_finite_numbers_are_not_numbers() -> None:
    checked = _check(
        [
            {
                "symbol": "AAA",
                "scenarios": [
                    scenario(confidence=True),
                    scenario(conditions=[{"feature": "rsi_14", "op": "<", "value": float("nan")}]),
                ],
            }
        ]
    )
    assert checked.stocks == ()
