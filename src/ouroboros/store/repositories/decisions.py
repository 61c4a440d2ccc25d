"""The decision log: every decision with the context it was made in, then its outcome.

Differences from the seed's logger, on purpose: confidence is a fraction (0-1, one scale
everywhere); P&L is an exact ``Money`` with its currency, not a float; the caller passes the
time (no hidden clock); ``limit`` is a bound parameter, never formatted into SQL; "losing" means
a negative P&L in any currency rather than a fixed ``-100`` that only made sense in one.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ouroboros.domain.money import Money
from ouroboros.store.convert import decision_from, decision_row
from ouroboros.store.errors import DuplicateKey, RecordNotFound
from ouroboros.store.integrity import violates
from ouroboros.store.records import DecisionRecord
from ouroboros.store.session import Bind, transaction
from ouroboros.store.tables import DECISIONS
from ouroboros.store.types import sign_of


class DecisionLog:
    def __init__(self, bind: Bind) -> None:
        self._bind = bind

    def log(self, decision: DecisionRecord) -> str:
        """Record a decision; returns its id."""
        try:
            with transaction(self._bind) as conn:
                conn.execute(DECISIONS.insert(), decision_row(decision))
        except IntegrityError as exc:
            if violates(
                exc, table="decision_logs", columns=("decision_id",), name="pk_decision_logs"
            ):
                raise DuplicateKey(f"decision {decision.decision_id} was already logged") from exc
            raise
        return decision.decision_id

    def get(self, decision_id: str) -> DecisionRecord | None:
        query = DECISIONS.select().where(DECISIONS.c.decision_id == decision_id)
        with transaction(self._bind) as conn:
            row = conn.execute(query).mappings().first()
        return decision_from(row) if row else None

    def update_outcome(
        self, decision_id: str, *, pnl: Money, accuracy: float, at: datetime
    ) -> None:
        """Attach what the decision led to: realized P&L and accuracy (0 wrong .. 1 right)."""
        if not 0.0 <= accuracy <= 1.0:
            raise ValueError(f"decision {decision_id}: accuracy must be in [0, 1], was {accuracy}")
        self._update(
            decision_id,
            outcome_pnl=pnl.amount,
            outcome_currency=pnl.currency.value,
            outcome_accuracy=accuracy,
            outcome_at=at,
        )

    def mark_reviewed(self, decision_id: str, notes: str) -> None:
        self._update(decision_id, reviewed=True, review_notes=notes)

    def unreviewed(
        self, *, min_confidence: float = 0.0, limit: int | None = None
    ) -> list[DecisionRecord]:
        """Decisions nobody reviewed yet, newest first."""
        query = DECISIONS.select().where(
            DECISIONS.c.reviewed.is_(False), DECISIONS.c.confidence >= min_confidence
        )
        return self._fetch(query.order_by(DECISIONS.c.ts.desc()), limit)

    def losing_high_confidence(
        self, threshold: float = 0.8, *, limit: int | None = None
    ) -> list[DecisionRecord]:
        """Decisions made with confidence >= ``threshold`` that lost money - the evolution
        loop's raw material. Most confident first, then newest."""
        query = DECISIONS.select().where(
            DECISIONS.c.confidence >= threshold,
            DECISIONS.c.outcome_pnl.is_not(None),
            sign_of(DECISIONS.c.outcome_pnl) < 0,
        )
        return self._fetch(
            query.order_by(DECISIONS.c.confidence.desc(), DECISIONS.c.ts.desc()), limit
        )

    def _fetch(
        self, query: sa.Select[tuple[object, ...]], limit: int | None
    ) -> list[DecisionRecord]:
        if limit is not None:
            query = query.limit(limit)
        with transaction(self._bind) as conn:
            return [decision_from(row) for row in conn.execute(query).mappings()]

    def _update(self, decision_id: str, **values: object) -> None:
        with transaction(self._bind) as conn:
            result = conn.execute(
                DECISIONS.update().where(DECISIONS.c.decision_id == decision_id).values(**values)
            )
        if result.rowcount == 0:
            raise RecordNotFound(f"decision {decision_id} was never logged")
