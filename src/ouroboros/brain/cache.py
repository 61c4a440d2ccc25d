"""Record/replay of LLM answers: the cassette is the audit record and makes LLM runs
reproducible (ai-hedge-fund v2's "prompt cache = audit record").

A cassette is a directory with one JSON file per answer, named by its key: the hash of
(provider, model, prompt hash, the settings that change an answer). ``record`` calls the provider
and writes the answer (or the classified error, so a replay takes the same fallback);
``replay`` reads it and never calls: a missing entry raises :class:`LLMCacheMiss`. A cassette
exports to one JSON-lines file and imports from one, to share a backtest.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from ouroboros.brain.errors import LLMCacheMiss
from ouroboros.brain.schema import canonical_json
from ouroboros.errors import ConfigError


class CacheMode(StrEnum):
    OFF = "off"
    RECORD = "record"
    REPLAY = "replay"

    @classmethod
    def parse(cls, text: str) -> CacheMode:
        try:
            return cls(text)
        except ValueError:
            raise ConfigError(f"--llm-cache must be record, replay or off, was {text!r}") from None


def cache_key(provider: str, model: str, prompt_hash: str, settings: dict[str, Any]) -> str:
    raw = canonical_json(
        {"provider": provider, "model": model, "prompt": prompt_hash, "settings": settings}
    )
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Entry:
    key: str
    body: dict[str, Any]
    """provider, model, prompt_hash, settings, prompt, response {text, tokens} or error."""


class Cassette:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _path(self, key: str) -> Path:
        return self.directory / f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        path = self._path(key)
        if not path.exists():
            return None
        loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return loaded

    def require(self, key: str, what: str) -> dict[str, Any]:
        found = self.get(key)
        if found is None:
            raise LLMCacheMiss(
                f"--llm-cache replay: no recorded answer for {what} (key {key[:16]}) "
                f"in {self.directory}; record it first with --llm-cache record"
            )
        return found

    def put(self, key: str, body: dict[str, Any]) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self._path(key)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(body, sort_keys=True, indent=1, ensure_ascii=False) + "\n")
        os.replace(tmp, path)

    def entries(self) -> Iterator[Entry]:
        if not self.directory.exists():
            return
        for path in sorted(self.directory.glob("*.json")):
            yield Entry(path.stem, json.loads(path.read_text(encoding="utf-8")))

    def export(self, out: Path) -> int:
        """Write every entry to one JSON-lines file; returns how many."""
        count = 0
        with out.open("w", encoding="utf-8") as f:
            for entry in self.entries():
                f.write(canonical_json({"key": entry.key, "entry": entry.body}) + "\n")
                count += 1
        return count

    def import_(self, source: Path) -> int:
        """Add the entries of an exported file; an entry that differs from a stored one with
        the same key is an error (two different answers cannot share a cassette)."""
        count = 0
        for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                key, body = str(item["key"]), dict(item["entry"])
            except (ValueError, KeyError, TypeError):
                raise ConfigError(f"{source}:{number}: not a cassette entry") from None
            existing = self.get(key)
            if existing is not None and existing != body:
                raise ConfigError(
                    f"{source}:{number}: entry {key[:16]} differs from the stored one"
                )
            self.put(key, body)
            count += 1
        return count
