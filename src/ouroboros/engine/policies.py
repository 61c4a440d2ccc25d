"""The named decision policies and how ``--param k=v`` reaches their settings."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import fields

from ouroboros.errors import ConfigError, InvariantError
from ouroboros.strategy.base import DecisionPolicy
from ouroboros.strategy.playbook.policy import PlaybookPolicy
from ouroboros.strategy.playbook.quant_planner import QuantPlanner, QuantPlannerConfig
from ouroboros.strategy.sma_cross import SmaCross
from ouroboros.strategy.ta import TechnicalStrategy

POLICY_NAMES = ("playbook", "ta", "sma-cross")


def parse_params(pairs: list[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--param must look like key=value, was {pair!r}")
        params[key.strip()] = value.strip()
    return params


def _coerce(target: type | str, key: str, raw: str) -> object:
    kind = target if isinstance(target, str) else target.__name__
    try:
        if "int" in kind:
            return int(raw)
        if "float" in kind:
            return float(raw)
    except ValueError:
        need = "a whole number" if "int" in kind else "a number"
        raise ConfigError(f"--param {key} must be {need}, was {raw!r}") from None
    return raw


def _build(
    cls: Callable[..., object], allowed: Mapping[str, type | str], params: dict[str, str]
) -> object:
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        raise ConfigError(
            f"unknown --param {', '.join(unknown)} (known: {', '.join(sorted(allowed))})"
        )
    return cls(**{k: _coerce(allowed[k], k, v) for k, v in params.items()})


def make_policy(name: str, params: dict[str, str] | None = None) -> DecisionPolicy:
    params = params or {}
    if name == "sma-cross":
        allowed = {f.name: f.type for f in fields(SmaCross) if f.name != "name"}
        policy = _build(SmaCross, allowed, params)
    elif name == "ta":
        allowed = {f.name: f.type for f in fields(TechnicalStrategy) if f.name != "name"}
        policy = _build(TechnicalStrategy, allowed, params)
    elif name == "playbook":
        allowed = {f.name: f.type for f in fields(QuantPlannerConfig)}
        config = _build(QuantPlannerConfig, allowed, params)
        if not isinstance(config, QuantPlannerConfig):
            raise InvariantError(f"playbook parameters built {type(config).__name__}")
        policy = PlaybookPolicy(QuantPlanner(config))
    else:
        raise ConfigError(f"unknown strategy {name!r} (known: {', '.join(POLICY_NAMES)})")
    return policy  # type: ignore[return-value]
