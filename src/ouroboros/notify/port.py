"""The notifier port: a channel that can deliver one text message (optionally with buttons)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Button:
    """An inline button: ``data`` comes back to us when a person presses it."""

    label: str
    data: str


class Channel(Protocol):
    name: str

    async def send(self, text: str, buttons: Sequence[Button] = ()) -> None:
        """Deliver ``text``; raise on failure (the queue logs it)."""
        ...
