"""Store errors, placed in the project's hierarchy by what the operator has to do about them."""

from __future__ import annotations

from ouroboros.errors import ConfigError, InvariantError, RetryError, StopError


class DatabaseUrlError(ConfigError):
    """The database URL is malformed or names a backend we do not support.

    The message names the setting and shows the URL with any password masked.
    """


class SchemaNotCurrent(StopError):
    """The database is not at the migration head; ``ouroboros db upgrade`` fixes it."""


class DuplicateKey(InvariantError):
    """A row with the same natural key (client order id, decision id, event id) exists."""


class RecordNotFound(InvariantError):
    """An update named a row that was never written (e.g. an order not inserted before submit)."""


class BatchRejected(StopError):
    """The database refused a batch; nothing of it was written and the rows stay buffered."""


class DatabaseUnavailable(RetryError):
    """The server could not be reached or the SQLite file was locked past the busy timeout."""
