"""Discord alerts through a webhook (one POST per message, ``content`` up to 2000 chars)."""

from __future__ import annotations

from collections.abc import Sequence

import httpx

from ouroboros.notify.port import Button

MAX_CONTENT = 2000


class DiscordWebhook:
    name = "discord"

    def __init__(self, url: str, client: httpx.AsyncClient) -> None:
        if not url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
            raise ValueError("DISCORD_WEBHOOK_URL must be an https:// URL")
        self._url = url
        self._client = client

    async def send(self, text: str, buttons: Sequence[Button] = ()) -> None:
        if buttons:
            text += "\n" + " · ".join(f"{b.label}: `{b.data}`" for b in buttons)
        response = await self._client.post(
            self._url, json={"content": text[:MAX_CONTENT], "allowed_mentions": {"parse": []}}
        )
        if response.status_code >= 400:
            raise RuntimeError(f"discord webhook answered HTTP {response.status_code}")
