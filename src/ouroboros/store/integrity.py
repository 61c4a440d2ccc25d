"""Recognising which constraint a database error broke, the same way on both backends."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError


def violates(error: DBAPIError, *, table: str, columns: tuple[str, ...], name: str) -> bool:
    """Whether ``error`` is a unique violation of ``name`` (PostgreSQL reports the constraint
    name) or of ``table(columns)`` (SQLite reports ``UNIQUE constraint failed: t.c``)."""
    orig = error.orig
    diag = getattr(orig, "diag", None)
    if diag is not None:
        return getattr(orig, "sqlstate", None) == "23505" and diag.constraint_name == name
    wanted = "UNIQUE constraint failed: " + ", ".join(f"{table}.{c}" for c in columns)
    return wanted in str(orig)
