"""State-changing routes. Each one needs the bearer token (the router's dependency in
``create_app``) and is audited: an ``operator.*`` event names who asked and carries the
request's trace id."""

from __future__ import annotations

from fastapi import APIRouter, Request

from ouroboros.interfaces.api.schemas import (
    ActionOut,
    BreakerReset,
    BreakerTighten,
    Problem,
    TradingChange,
)
from ouroboros.interfaces.api.security import operator_of, trace_id_of
from ouroboros.services import ActionResult, Actor, OperatorActions

router = APIRouter(
    tags=["actions"],
    responses={401: {"model": Problem, "description": "missing or wrong bearer token"}},
)


def _actions(request: Request) -> OperatorActions:
    actions: OperatorActions = request.app.state.actions
    return actions


def _actor(request: Request) -> Actor:
    return Actor("api", operator_of(request))


def _out(result: ActionResult) -> ActionOut:
    return ActionOut.model_validate(result.as_dict())


@router.post("/api/system/trading/disable", response_model=ActionOut, summary="Stop trading")
def disable(request: Request, body: TradingChange | None = None) -> ActionOut:
    body = body or TradingChange()
    return _out(
        _actions(request).set_trading(
            body.account,
            enabled=False,
            by=_actor(request),
            reason=body.reason,
            trace_id=trace_id_of(request),
        )
    )


@router.post("/api/system/trading/enable", response_model=ActionOut, summary="Resume trading")
def enable(request: Request, body: TradingChange | None = None) -> ActionOut:
    body = body or TradingChange()
    return _out(
        _actions(request).set_trading(
            body.account,
            enabled=True,
            by=_actor(request),
            reason=body.reason,
            trace_id=trace_id_of(request),
        )
    )


@router.post(
    "/api/system/circuit-breaker/reset",
    response_model=ActionOut,
    responses={404: {"model": Problem}},
    summary="Resume a tripped breaker by hand",
)
def reset(request: Request, body: BreakerReset | None = None) -> ActionOut:
    body = body or BreakerReset()
    return _out(
        _actions(request).reset_breaker(
            body.account, by=_actor(request), trace_id=trace_id_of(request)
        )
    )


@router.post(
    "/api/system/circuit-breaker",
    response_model=ActionOut,
    responses={404: {"model": Problem}, 409: {"model": Problem}},
    summary="Tighten the breaker's thresholds (never loosen)",
)
def tighten(request: Request, body: BreakerTighten) -> ActionOut:
    return _out(
        _actions(request).tighten_breaker(
            body.account, body.changes, by=_actor(request), trace_id=trace_id_of(request)
        )
    )
