"""Which settings are secrets: one rule, shared by the settings loader and the log redactor.

A key is secret when one of its ``_``-separated parts is, or ends in, ``key``, ``secret``,
``token`` or ``password`` (``KIS_APP_KEY``, ``KIS_APP_SECRET``, ``TELEGRAM_BOT_TOKEN``,
``S3_SECRET_KEY``, ``DB_PASSWORD``, ``apikey``) - unless its last part says it names a place,
a duration or a switch (``KIS_TOKEN_DIR``, ``TOKEN_MIN_INTERVAL``, ``NEWS_API_KEY_URL``).
"""

from __future__ import annotations

import re
from typing import Final

_SECRET_PARTS: Final = ("key", "secret", "token", "password", "passwd")
_NOT_SECRET_LAST: Final = frozenset(
    {"dir", "path", "file", "url", "interval", "wait", "seconds", "minutes", "timeout", "enabled"}
)
_SPLIT: Final = re.compile(r"[^a-z0-9]+")
#: A secret *value* shorter than this is not searched for inside log text (it would redact
#: ordinary words and numbers); its key is still redacted.
MIN_SECRET_VALUE_LENGTH: Final = 8


def is_secret_key(name: str) -> bool:
    """Whether a setting or log field called ``name`` holds a secret."""
    parts = [p for p in _SPLIT.split(name.lower()) if p]
    if not parts or parts[-1] in _NOT_SECRET_LAST:
        return False
    return any(p.endswith(_SECRET_PARTS) for p in parts)
