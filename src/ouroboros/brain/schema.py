"""The JSON schema the planner's model answers, derived from the ``Playbook`` domain types.

Actions and operators come from the domain enums, the scenario cap from
``MAX_SCENARIOS_PER_STOCK``, symbols and feature names from the day's prompt (enums, so a
grammar-constrained model cannot name an unknown one). The same bounds drive the validator
(:mod:`ouroboros.brain.validate`), which clamps or drops what a model that ignores the schema
sends anyway.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from ouroboros.domain.playbook import MAX_SCENARIOS_PER_STOCK, Action, Op

STOP_ATR_RANGE = (0.5, 10.0)
"""Stop distance in ATR multiples a planner may choose (the domain accepts (0, 20])."""
TAKE_ATR_RANGE = (0.5, 20.0)
DEFAULT_STOP_ATR = 2.0
"""The stop an entry gets when the model gives none (risk per trade needs a stop)."""
MAX_CONDITIONS = 4
MAX_NAME = 40
MAX_RATIONALE = 200
MAX_NOTES = 300


def _number(low: float, high: float) -> dict[str, Any]:
    return {"type": "number", "minimum": low, "maximum": high}


def playbook_schema(symbols: Sequence[str], features: Sequence[str]) -> dict[str, Any]:
    """The answer's schema for one market-day: ``symbols`` and ``features`` are the only names
    the model may use."""
    condition = {
        "type": "object",
        "additionalProperties": False,
        "required": ["feature", "op", "value"],
        "properties": {
            "feature": {"type": "string", "enum": list(features)},
            "op": {"type": "string", "enum": [op.value for op in Op]},
            "value": {"anyOf": [{"type": "number"}, {"type": "string", "enum": list(features)}]},
        },
    }
    scenario = {
        "type": "object",
        "additionalProperties": False,
        "required": [
            "name",
            "action",
            "conditions",
            "confidence",
            "stop_atr",
            "take_profit_atr",
            "rationale",
        ],
        "properties": {
            "name": {"type": "string", "maxLength": MAX_NAME},
            "action": {"type": "string", "enum": [a.value for a in Action]},
            "conditions": {
                "type": "array",
                "minItems": 1,
                "maxItems": MAX_CONDITIONS,
                "items": condition,
            },
            "confidence": _number(0.0, 1.0),
            "stop_atr": {"anyOf": [_number(*STOP_ATR_RANGE), {"type": "null"}]},
            "take_profit_atr": {"anyOf": [_number(*TAKE_ATR_RANGE), {"type": "null"}]},
            "rationale": {"type": "string", "maxLength": MAX_RATIONALE},
        },
    }
    stock = {
        "type": "object",
        "additionalProperties": False,
        "required": ["symbol", "scenarios"],
        "properties": {
            "symbol": {"type": "string", "enum": list(symbols)},
            "scenarios": {"type": "array", "maxItems": MAX_SCENARIOS_PER_STOCK, "items": scenario},
        },
    }
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["stocks", "notes"],
        "properties": {
            "stocks": {"type": "array", "maxItems": max(1, len(symbols)), "items": stock},
            "notes": {"type": "string", "maxLength": MAX_NOTES},
        },
    }


def schema_hash(schema: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(schema).encode()).hexdigest()


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
