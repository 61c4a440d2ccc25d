"""Request and response bodies of the HTTP API (what its OpenAPI document shows)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ouroboros.store.records import DEFAULT_ACCOUNT

ACCOUNT_PATTERN = r"^[A-Za-z0-9_.-]{1,32}$"


class PageOut(BaseModel):
    items: list[dict[str, Any]] = Field(description="rows, JSON-ready (decimals as strings)")
    total: int = Field(description="rows matching the filters")
    limit: int
    offset: int


class TradingChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    account: str = Field(DEFAULT_ACCOUNT, pattern=ACCOUNT_PATTERN)
    reason: str = Field("", max_length=200)


class BreakerReset(BaseModel):
    model_config = ConfigDict(extra="forbid")
    account: str = Field(DEFAULT_ACCOUNT, pattern=ACCOUNT_PATTERN)


class BreakerTighten(BaseModel):
    model_config = ConfigDict(extra="forbid")
    account: str = Field(DEFAULT_ACCOUNT, pattern=ACCOUNT_PATTERN)
    changes: dict[str, Any] = Field(
        description='breaker settings to make stricter, e.g. {"max_daily_loss_pct": "2"}',
        max_length=20,
    )


class ActionOut(BaseModel):
    action: str
    account: str
    by: str
    at: str
    event_id: str
    state: dict[str, Any]


class Problem(BaseModel):
    detail: str
