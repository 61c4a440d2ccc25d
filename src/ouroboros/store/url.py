"""Database URLs: the default, validation, the driver we use, and password masking.

Every error message shows the URL through :func:`mask_url`, so a password never reaches a log,
a terminal or an exception chain.
"""

from __future__ import annotations

import re

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from ouroboros.store.errors import DatabaseUrlError

DEFAULT_URL = "sqlite:///./data/ouroboros.db"
"""The embedded default: a SQLite file under ``./data`` (created on first use)."""

URL_SETTING = "OUROBOROS_DB_URL (--db)"
"""How error messages name the setting that carried the URL."""

_PASSWORD_IN_TEXT = re.compile(r":[^@\s/:]*@")
_PASSWORD_IN_QUERY = re.compile(r"(password=)[^&\s]*", re.IGNORECASE)
_SECRET_QUERY_KEYS = frozenset({"password", "sslpassword"})


def mask_url(url: str | URL) -> str:
    """The URL as text with any password replaced by ``***`` (works on unparsable text too)."""
    if isinstance(url, URL):
        query = {k: ("***" if k.lower() in _SECRET_QUERY_KEYS else v) for k, v in url.query.items()}
        return url.update_query_dict(query).render_as_string(hide_password=True)
    text = _PASSWORD_IN_TEXT.sub(":***@", url)
    return _PASSWORD_IN_QUERY.sub(r"\1***", text)


def parse_url(raw: str | URL, *, setting: str = URL_SETTING) -> URL:
    """Validate a database URL and pin the driver: ``pysqlite`` or ``psycopg`` (version 3).

    ``postgresql://`` and ``postgres://`` are accepted and mean psycopg 3, the only PostgreSQL
    driver installed; naming another driver (psycopg2, asyncpg) is an error rather than a
    surprise at connect time.
    """
    if isinstance(raw, str):
        if not raw.strip():
            raise DatabaseUrlError(f"{setting}: database URL is empty")
        try:
            url = make_url(raw.strip())
        except ArgumentError:
            raise DatabaseUrlError(
                f"{setting}: not a database URL, was {mask_url(raw)!r} "
                "(expected sqlite:///path/to/file.db or postgresql+psycopg://user@host/db)"
            ) from None
    else:
        url = raw
    backend, _, driver = url.drivername.partition("+")
    if backend == "sqlite":
        if driver not in ("", "pysqlite"):
            raise DatabaseUrlError(
                f"{setting}: SQLite driver {driver!r} is not supported, was {mask_url(url)!r} "
                "(use sqlite:///path)"
            )
        return url.set(drivername="sqlite")
    if backend in ("postgresql", "postgres"):
        if driver not in ("", "psycopg"):
            raise DatabaseUrlError(
                f"{setting}: PostgreSQL driver {driver!r} is not installed, was {mask_url(url)!r} "
                "(use postgresql+psycopg://)"
            )
        if not url.database:
            raise DatabaseUrlError(f"{setting}: no database name, was {mask_url(url)!r}")
        return url.set(drivername="postgresql+psycopg")
    raise DatabaseUrlError(
        f"{setting}: unsupported database backend {backend!r}, was {mask_url(url)!r} "
        "(supported: sqlite, postgresql)"
    )
