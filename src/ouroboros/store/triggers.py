"""Database-level append-only protection for the audit log, on both backends.

Application code never updates or deletes events, but "never" is only a promise until the
database enforces it: a stray ``UPDATE events`` from a console, a buggy migration or a future
repository method is refused by a trigger. PostgreSQL also refuses ``TRUNCATE``. (A superuser
can still drop the trigger; this guards against accidents, not against the DBA.)
"""

from __future__ import annotations

APPEND_ONLY_TABLES = ("events",)
_PG_FUNCTION = "ouroboros_refuse_change"


def create_append_only(dialect: str, table: str) -> list[str]:
    """DDL statements that make ``table`` append-only on ``dialect``."""
    if dialect == "sqlite":
        return [
            f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {op} refused'); END"
            for op in ("UPDATE", "DELETE")
        ]
    if dialect == "postgresql":
        return [
            f"CREATE OR REPLACE FUNCTION {_PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP "
            "USING ERRCODE = 'restrict_violation'; END $$",
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {_PG_FUNCTION}()",
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {_PG_FUNCTION}()",
        ]
    raise ValueError(f"no append-only triggers for dialect {dialect!r}")


def drop_append_only(dialect: str, table: str) -> list[str]:
    """DDL statements that undo :func:`create_append_only` (used by downgrades)."""
    if dialect == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {table}_no_{op}" for op in ("update", "delete")]
    if dialect == "postgresql":
        return [
            f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
            f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
        ]
    raise ValueError(f"no append-only triggers for dialect {dialect!r}")


def drop_trigger_function(dialect: str) -> list[str]:
    return [f"DROP FUNCTION IF EXISTS {_PG_FUNCTION}()"] if dialect == "postgresql" else []
