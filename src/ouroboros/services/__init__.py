"""The operator's service layer: read models over the store and the guarded, audited actions.

The HTTP API, the dashboard and the chat bots all go through here, so they show the same facts
and change state the same way.
"""

from ouroboros.services.actions import ActionResult, Actor, NoBreakerState, OperatorActions
from ouroboros.services.keys import StateKeys, state_keys
from ouroboros.services.reads import Page, PageQuery, ReadService
from ouroboros.store.records import DEFAULT_ACCOUNT

__all__ = [
    "DEFAULT_ACCOUNT",
    "ActionResult",
    "Actor",
    "NoBreakerState",
    "OperatorActions",
    "Page",
    "PageQuery",
    "ReadService",
    "StateKeys",
    "state_keys",
]
