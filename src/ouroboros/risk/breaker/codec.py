"""The breaker state as a JSON-able dict and back, exactly, so a trip survives restarts.

Decimals travel as strings (exact), datetimes as ISO-8601 with offset, durations as seconds
(string decimals), the trip causes and auto-resume kinds as sorted lists. Reading is strict:
an unknown schema, a missing or unknown key, or a malformed value raises
:class:`~ouroboros.risk.errors.BreakerStateError` naming the key, and nothing is guessed. A
corrupt record must stop the system (fail closed), never come back as a fresh ARMED breaker.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from ouroboros.domain import Currency
from ouroboros.errors import ConfigError
from ouroboros.risk.breaker.config import BreakerConfig, LossBasis, TriggerKind
from ouroboros.risk.breaker.state import BreakerState, BreakerStatus
from ouroboros.risk.errors import BreakerStateError

SCHEMA = 1
JsonDict = dict[str, Any]
T = TypeVar("T")


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _dt(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _td(value: timedelta) -> str:
    return str(
        Decimal(value.days * 86_400 + value.seconds)
        + Decimal(value.microseconds) / Decimal(1_000_000)
    )


def config_to_dict(config: BreakerConfig) -> JsonDict:
    return {
        "max_daily_loss_pct": _dec(config.max_daily_loss_pct),
        "max_daily_loss_amount": _dec(config.max_daily_loss_amount),
        "loss_basis": config.loss_basis.value,
        "max_consecutive_losses": config.max_consecutive_losses,
        "max_drawdown_pct": _dec(config.max_drawdown_pct),
        "drawdown_resume_pct": _dec(config.drawdown_resume_pct),
        "win_streak_resume": config.win_streak_resume,
        "max_api_errors": config.max_api_errors,
        "api_error_window_seconds": _td(config.api_error_window),
        "cooldown_seconds": _td(config.cooldown),
        "auto_resume": sorted(k.value for k in config.auto_resume),
        "day_timezone": config.day_timezone,
        "day_rollover": config.day_rollover.isoformat(),
    }


def state_to_dict(state: BreakerState) -> JsonDict:
    return {
        "schema": SCHEMA,
        "status": state.status.value,
        "causes": sorted(k.value for k in state.causes),
        "reason": state.reason,
        "tripped_at": _dt(state.tripped_at),
        "cooling_since": _dt(state.cooling_since),
        "consecutive_losses": state.consecutive_losses,
        "win_streak": state.win_streak,
        "error_times": [t.isoformat() for t in state.error_times],
        "base_currency": state.base_currency.value if state.base_currency else None,
        "peak_equity": _dec(state.peak_equity),
        "day_start_equity": _dec(state.day_start_equity),
        "trading_day": state.trading_day.isoformat() if state.trading_day else None,
        "loss_today": _dec(state.loss_today),
        "acknowledged_loss": str(state.acknowledged_loss),
        "last_equity": _dec(state.last_equity),
        "updated_at": _dt(state.updated_at),
        "config": config_to_dict(state.config),
    }


class _Reader:
    """Strict field access with errors that name the key and the value."""

    def __init__(self, data: Mapping[str, Any], where: str, keys: set[str]) -> None:
        if not isinstance(data, Mapping):
            raise BreakerStateError(f"invalid {where or 'breaker state'}, was {data!r}")
        missing = keys - set(data)
        extra = set(data) - keys
        if missing or extra:
            raise BreakerStateError(
                f"invalid {where or 'breaker state'}: missing keys {sorted(missing)}, unknown "
                f"keys {sorted(extra)}"
            )
        self._data = data
        self._where = where

    def get(self, key: str, parse: Callable[[Any], T]) -> T:
        value = self._data[key]
        try:
            return parse(value)
        except (ValueError, TypeError, InvalidOperation, KeyError, ConfigError) as exc:
            name = f"{self._where}.{key}" if self._where else key
            raise BreakerStateError(f"invalid {name}, was {value!r}: {exc}") from None

    def optional(self, key: str, parse: Callable[[Any], T]) -> T | None:
        if self._data[key] is None:
            return None
        return self.get(key, parse)


def _decimal(value: Any) -> Decimal:
    if not isinstance(value, str):
        raise TypeError("expected a decimal string")
    result = Decimal(value)
    if not result.is_finite():
        raise ValueError("not finite")
    return result


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise TypeError("expected a non-negative integer")
    return value


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("expected a string")
    return value


def _aware(value: Any) -> datetime:
    parsed = datetime.fromisoformat(_str(value))
    if parsed.tzinfo is None:
        raise ValueError("timestamp without an offset")
    return parsed


def _seconds(value: Any) -> timedelta:
    micros = _decimal(value) * 1_000_000
    if micros != micros.to_integral_value() or micros < 0:
        raise ValueError("expected non-negative seconds with at most 6 decimals")
    return timedelta(microseconds=int(micros))


def _kinds(value: Any) -> frozenset[TriggerKind]:
    if not isinstance(value, list):
        raise TypeError("expected a list")
    return frozenset(TriggerKind(_str(v)) for v in value)


def _time(value: Any) -> time:
    return time.fromisoformat(_str(value))


def config_from_dict(data: Mapping[str, Any]) -> BreakerConfig:
    r = _Reader(data, "config", set(config_to_dict(BreakerConfig())))
    try:
        return BreakerConfig(
            max_daily_loss_pct=r.optional("max_daily_loss_pct", _decimal),
            max_daily_loss_amount=r.optional("max_daily_loss_amount", _decimal),
            loss_basis=r.get("loss_basis", lambda v: LossBasis(_str(v))),
            max_consecutive_losses=r.optional("max_consecutive_losses", _int),
            max_drawdown_pct=r.optional("max_drawdown_pct", _decimal),
            drawdown_resume_pct=r.optional("drawdown_resume_pct", _decimal),
            win_streak_resume=r.optional("win_streak_resume", _int),
            max_api_errors=r.optional("max_api_errors", _int),
            api_error_window=r.get("api_error_window_seconds", _seconds),
            cooldown=r.get("cooldown_seconds", _seconds),
            auto_resume=r.get("auto_resume", _kinds),
            day_timezone=r.get("day_timezone", _str),
            day_rollover=r.get("day_rollover", _time),
        )
    except ConfigError as exc:
        raise BreakerStateError(f"invalid config: {exc}") from None


def state_from_dict(data: Mapping[str, Any]) -> BreakerState:
    r = _Reader(data, "", set(state_to_dict(BreakerState())))
    schema = data["schema"]
    if schema != SCHEMA:
        raise BreakerStateError(f"invalid schema, was {schema!r}: this version reads {SCHEMA}")
    config = config_from_dict(data["config"])
    status = r.get("status", lambda v: BreakerStatus(_str(v)))
    tripped_at = r.optional("tripped_at", _aware)
    if status.blocks_new_risk and tripped_at is None:
        raise BreakerStateError(f"invalid tripped_at, was None: status is {status}")
    return BreakerState(
        config=config,
        status=status,
        causes=r.get("causes", _kinds),
        reason=r.get("reason", _str),
        tripped_at=tripped_at,
        cooling_since=r.optional("cooling_since", _aware),
        consecutive_losses=r.get("consecutive_losses", _int),
        win_streak=r.get("win_streak", _int),
        error_times=r.get("error_times", lambda v: tuple(_aware(t) for t in v)),
        base_currency=r.optional("base_currency", lambda v: Currency.parse(_str(v))),
        peak_equity=r.optional("peak_equity", _decimal),
        day_start_equity=r.optional("day_start_equity", _decimal),
        trading_day=r.optional("trading_day", lambda v: date.fromisoformat(_str(v))),
        loss_today=r.optional("loss_today", _decimal),
        acknowledged_loss=r.get("acknowledged_loss", _decimal),
        last_equity=r.optional("last_equity", _decimal),
        updated_at=r.optional("updated_at", _aware),
    )
