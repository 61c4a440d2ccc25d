"""orders.tag: the creator's tag gets its own column; ``reason`` keeps only the status reason.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04

Until 0003 one ``reason`` column held the status reason when there was one, else the tag, and
was read back by status. The upgrade moves the text of every order that did not end early
(rejected, denied, cancelled, expired) into ``tag`` and empties its ``reason``; an order that
ended early keeps its status reason and has no tag (it was never stored). The downgrade writes
``reason`` back the way 0003 did (the status reason, else the tag) and drops the column.

Written by hand so it stays frozen if the models change later.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ENDED_EARLY = "('REJECTED', 'DENIED', 'CANCELED', 'EXPIRED')"


def upgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.add_column(sa.Column("tag", sa.Text(), nullable=True))
    op.execute(f"UPDATE orders SET tag = reason, reason = '' WHERE status NOT IN {_ENDED_EARLY}")


def downgrade() -> None:
    op.execute("UPDATE orders SET reason = tag WHERE reason = '' AND tag IS NOT NULL")
    with op.batch_alter_table("orders") as batch:
        batch.drop_column("tag")
