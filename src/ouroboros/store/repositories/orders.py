"""Orders: written before they are submitted, updated as the broker reports on them."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ouroboros.domain.ids import ClientOrderId
from ouroboros.domain.orders import Order, OrderStatus
from ouroboros.store.convert import order_from, order_row, order_state
from ouroboros.store.errors import DuplicateKey, RecordNotFound
from ouroboros.store.integrity import violates
from ouroboros.store.records import DEFAULT_ACCOUNT
from ouroboros.store.session import Bind, transaction
from ouroboros.store.tables import ORDERS

_NOT_TERMINAL = [s.value for s in OrderStatus if not s.is_terminal]


class OrderRepository:
    def __init__(self, bind: Bind) -> None:
        self._bind = bind

    def insert(
        self,
        order: Order,
        *,
        run_id: str,
        account: str = DEFAULT_ACCOUNT,
        decision_id: str | None = None,
    ) -> None:
        """Persist an order intent. Call *before* submitting: a crash after this line leaves a
        record that reconciliation will find. A reused client order id raises ``DuplicateKey``."""
        row = order_row(order, run_id=run_id, account=account, decision_id=decision_id)
        try:
            with transaction(self._bind) as conn:
                conn.execute(ORDERS.insert(), row)
        except IntegrityError as exc:
            if violates(
                exc,
                table="orders",
                columns=("client_order_id",),
                name="ux_orders_client_order_id",
            ):
                raise DuplicateKey(
                    f"client order id {order.client_order_id} is already used"
                ) from exc
            raise

    def update(self, order: Order) -> None:
        """Store the order's current lifecycle state (status, fills, venue id, reason)."""
        cid = order.client_order_id.value
        with transaction(self._bind) as conn:
            result = conn.execute(
                ORDERS.update().where(ORDERS.c.client_order_id == cid).values(order_state(order))
            )
        if result.rowcount == 0:
            raise RecordNotFound(f"order {cid} was never inserted")

    def get(self, client_order_id: ClientOrderId) -> Order | None:
        query = ORDERS.select().where(ORDERS.c.client_order_id == client_order_id.value)
        with transaction(self._bind) as conn:
            row = conn.execute(query).mappings().first()
        return order_from(row) if row else None

    def open_orders(self, run_id: str | None = None) -> list[Order]:
        """Every order not yet in a terminal state, oldest first - including ``INITIALIZED``
        ones, whose submission may or may not have reached the broker before a crash."""
        query = ORDERS.select().where(ORDERS.c.status.in_(_NOT_TERMINAL))
        if run_id is not None:
            query = query.where(ORDERS.c.run_id == run_id)
        with transaction(self._bind) as conn:
            rows = conn.execute(query.order_by(ORDERS.c.created_at, ORDERS.c.id)).mappings()
            return [order_from(row) for row in rows]

    def for_run(self, run_id: str) -> list[Order]:
        """Every order of a run, oldest first (a resumed run checks its books against these)."""
        query = ORDERS.select().where(ORDERS.c.run_id == run_id)
        with transaction(self._bind) as conn:
            rows = conn.execute(query.order_by(ORDERS.c.created_at, ORDERS.c.id)).mappings()
            return [order_from(row) for row in rows]

    def decisions_for_run(self, run_id: str) -> dict[ClientOrderId, str]:
        """The decision each order of a run was placed for (orders without one are left out)."""
        query = sa.select(ORDERS.c.client_order_id, ORDERS.c.decision_id).where(
            ORDERS.c.run_id == run_id, ORDERS.c.decision_id.is_not(None)
        )
        with transaction(self._bind) as conn:
            return {ClientOrderId(cid): did for cid, did in conn.execute(query)}
