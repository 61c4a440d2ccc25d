"""Local protocol servers: a Bot API that speaks getMe/getUpdates/sendMessage/
answerCallbackQuery, and a Discord webhook. Each runs in a thread on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

OWNER = 123
STRANGER = 999


def _body(handler: BaseHTTPRequestHandler) -> dict[str, Any]:
    raw = handler.rfile.read(int(handler.headers.get("content-length", 0))).decode()
    kind = handler.headers.get("content-type", "")
    if "json" in kind:
        return dict(json.loads(raw or "{}"))
    return {k: v[0] for k, v in parse_qs(raw).items()}


class BotApi:
    def __init__(self) -> None:
        self.updates: list[dict[str, Any]] = []
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self._next_update = 1
        self._lock = threading.Lock()
        self.down = False
        self.replied = threading.Event()
        self._new_message = threading.Condition(self._lock)

    def message(self, text: str, chat: int = OWNER) -> None:
        self._add(
            {
                "message": {
                    "message_id": self._next_update,
                    "date": 0,
                    "text": text,
                    "chat": {"id": chat, "type": "private"},
                    "from": {"id": chat, "is_bot": False, "first_name": "op"},
                }
            }
        )

    def press(self, data: str, chat: int = OWNER) -> None:
        self._add(
            {
                "callback_query": {
                    "id": f"cb{self._next_update}",
                    "data": data,
                    "chat_instance": "x",
                    "from": {"id": chat, "is_bot": False, "first_name": "op"},
                    "message": {
                        "message_id": 1,
                        "date": 0,
                        "chat": {"id": chat, "type": "private"},
                    },
                }
            }
        )

    def _add(self, update: dict[str, Any]) -> None:
        with self._lock:
            self.updates.append({"update_id": self._next_update, **update})
            self._next_update += 1

    def wait_for_text(self, part: str, timeout: float) -> bool:
        """Block until a sent message contains ``part`` (an event, not a timed sleep)."""
        with self._new_message:
            return self._new_message.wait_for(
                lambda: any(part in b.get("text", "") for m, b in self.calls if m == "sendMessage"),
                timeout,
            )

    def sent(self, method: str = "sendMessage") -> list[dict[str, Any]]:
        return [body for m, body in self.calls if m == method]

    def answer(self, method: str, body: dict[str, Any]) -> Any:
        with self._lock:
            self.calls.append((method, body))
            if method == "getMe":
                return {"id": 42, "is_bot": True, "first_name": "Fake", "username": "fake_bot"}
            if method == "getUpdates":
                offset = int(body.get("offset") or 0)
                self.updates = [u for u in self.updates if u["update_id"] >= offset]
                return list(self.updates)
            if method == "sendMessage":
                self.replied.set()
                self._new_message.notify_all()
                return {
                    "message_id": len(self.calls),
                    "date": 0,
                    "text": body.get("text", ""),
                    "chat": {"id": int(body["chat_id"]), "type": "private"},
                }
            return True


@contextmanager
def bot_api() -> Iterator[tuple[BotApi, str]]:
    """A fake Bot API; yields it and the ``base_url`` (ending in ``/bot``)."""
    api = BotApi()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args: object) -> None:
            pass

        def do_POST(self) -> None:
            body = _body(self)
            if api.down:
                self.send_response(502)
                self.end_headers()
                return
            result = api.answer(self.path.rsplit("/", 1)[-1], body)
            data = json.dumps({"ok": True, "result": result}).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    with _serve(Handler) as port:
        yield api, f"http://127.0.0.1:{port}/bot"


@contextmanager
def discord_webhook(status: int = 204) -> Iterator[tuple[list[dict[str, Any]], str]]:
    posts: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args: object) -> None:
            pass

        def do_POST(self) -> None:
            posts.append({"path": self.path, **_body(self)})
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

    with _serve(Handler) as port:
        yield posts, f"http://127.0.0.1:{port}/api/webhooks/1/abc"


@contextmanager
def _serve(handler: type[BaseHTTPRequestHandler]) -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
