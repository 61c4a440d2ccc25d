"""Core ``Table`` handles for the models, typed as tables (the ORM types them as clauses)."""

from __future__ import annotations

from typing import cast

import sqlalchemy as sa

from ouroboros.store import models as m

RUNS = cast(sa.Table, m.RunRow.__table__)
ORDERS = cast(sa.Table, m.OrderRow.__table__)
FILLS = cast(sa.Table, m.FillRow.__table__)
TRADES = cast(sa.Table, m.TradeRow.__table__)
POSITIONS = cast(sa.Table, m.PositionRow.__table__)
SNAPSHOTS = cast(sa.Table, m.SnapshotRow.__table__)
CAPITAL_EVENTS = cast(sa.Table, m.CapitalEventRow.__table__)
EVENTS = cast(sa.Table, m.EventRow.__table__)
DECISIONS = cast(sa.Table, m.DecisionRow.__table__)
SYSTEM_STATE = cast(sa.Table, m.SystemStateRow.__table__)
PLAYBOOKS = cast(sa.Table, m.PlaybookRow.__table__)
BROKER_INTENTS = cast(sa.Table, m.BrokerIntentRow.__table__)
BROKER_FILL_LEDGER = cast(sa.Table, m.BrokerFillLedgerRow.__table__)
BROKER_LEDGER_FILLS = cast(sa.Table, m.BrokerLedgerFillRow.__table__)
LLM_CALLS = cast(sa.Table, m.LlmCallRow.__table__)
