"""One error hierarchy, grouped by what the operator (or the calling code) should do.

* ``StopError``  - configuration or programming fault: stop and fix it.
* ``SkipError``  - this one action cannot proceed (order rejected, bad data row):
  skip it, keep running.
* ``RetryError`` - a transient condition (rate limit, timeout, 5xx): retrying later may succeed.
"""

from __future__ import annotations


class OuroborosError(Exception):
    """Base of every error raised on purpose by Ouroboros."""


class StopError(OuroborosError):
    """A fault that no retry fixes: bad configuration, broken invariant, illegal state."""


class ConfigError(StopError):
    """Invalid configuration; the message names the key and the offending value."""


class InvariantError(StopError):
    """An internal invariant was broken (e.g. an illegal order-state transition)."""


class SkipError(OuroborosError):
    """The current action cannot proceed; the system keeps running."""


class DataError(SkipError):
    """Market data failed validation or could not be read."""


class OrderRejected(SkipError):
    """An order was refused (by the risk manager, the simulator or the broker)."""


class InsufficientFunds(OrderRejected):
    """Not enough cash (or shares) for the order."""


class RetryError(OuroborosError):
    """A transient failure; the same request may succeed later."""


class RateLimited(RetryError):
    """The remote side asked us to slow down."""


class TemporaryBrokerError(RetryError):
    """Timeout, connection drop or 5xx from a broker."""


class OutcomeUnknown(TemporaryBrokerError):
    """An order request may have reached the broker and no verdict came back.

    Unlike other retry errors it must never be retried blindly: only a lookup by client order
    id (the adapter's idempotent submit, or the broker's reports) may settle it.
    """
