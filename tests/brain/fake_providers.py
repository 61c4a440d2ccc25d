"""One local HTTP server speaking the three providers' wire protocols, with scripted replies.

``POST /v1/chat/completions`` (OpenAI and compatible), ``POST /v1/messages`` (Anthropic) and
``POST /v1beta/models/{model}:generateContent`` (Gemini) answer with each vendor's documented
response and error bodies, so the real SDKs parse them as they would the real service. Each
request takes the next :class:`Reply` from the script (the last one repeats). A ``hang`` reply
blocks until the test releases it (an event, not a sleep), so the client's timeout fires.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Reply:
    text: str = ""
    status: int = 200
    retry_after: str | None = None
    hang: bool = False
    input_tokens: int = 1200
    output_tokens: int = 300


@dataclass
class Seen:
    path: str
    body: dict[str, Any]
    headers: dict[str, str]


def _openai(body: dict[str, Any], reply: Reply) -> dict[str, Any]:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": body.get("model", "x"),
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": reply.text},
                "finish_reason": "stop",
            }
        ],
        "usage": {
            "prompt_tokens": reply.input_tokens,
            "completion_tokens": reply.output_tokens,
            "total_tokens": reply.input_tokens + reply.output_tokens,
        },
    }


def _anthropic(body: dict[str, Any], reply: Reply) -> dict[str, Any]:
    return {
        "id": "msg_test",
        "type": "message",
        "role": "assistant",
        "model": body.get("model", "x"),
        "content": [{"type": "text", "text": reply.text}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": reply.input_tokens, "output_tokens": reply.output_tokens},
    }


def _gemini(reply: Reply) -> dict[str, Any]:
    return {
        "candidates": [
            {
                "content": {"role": "model", "parts": [{"text": reply.text}]},
                "finishReason": "STOP",
                "index": 0,
            }
        ],
        "usageMetadata": {
            "promptTokenCount": reply.input_tokens,
            "candidatesTokenCount": reply.output_tokens,
            "totalTokenCount": reply.input_tokens + reply.output_tokens,
        },
        "modelVersion": "gemini-test",
    }


_GOOGLE_STATUS = {
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
    400: "INVALID_ARGUMENT",
}
_ANTHROPIC_TYPE = {
    429: "rate_limit_error",
    500: "api_error",
    529: "overloaded_error",
    400: "invalid_request_error",
}


def _error(path: str, status: int) -> dict[str, Any]:
    message = f"scripted error {status}"
    if path.endswith("/messages"):
        return {
            "type": "error",
            "error": {"type": _ANTHROPIC_TYPE.get(status, "api_error"), "message": message},
        }
    if ":generateContent" in path:
        return {
            "error": {
                "code": status,
                "message": message,
                "status": _GOOGLE_STATUS.get(status, "UNKNOWN"),
            }
        }
    return {"error": {"message": message, "type": "server_error", "param": None, "code": None}}


class FakeProviders:
    def __init__(self) -> None:
        self.script: list[Reply] = [Reply()]
        self.responder: Callable[[dict[str, Any]], Reply] | None = None
        """Answers from the request itself (overrides the script)."""
        self.seen: list[Seen] = []
        self.release = threading.Event()
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                with outer._lock:
                    outer.seen.append(Seen(self.path, body, dict(self.headers)))
                    if outer.responder is not None:
                        reply = outer.responder(body)
                    else:
                        reply = outer.script.pop(0) if len(outer.script) > 1 else outer.script[0]
                if reply.hang:
                    outer.release.wait(30)
                    return
                if self.path.endswith("/chat/completions"):
                    out = _openai(body, reply)
                elif self.path.endswith("/messages"):
                    out = _anthropic(body, reply)
                elif ":generateContent" in self.path:
                    out = _gemini(reply)
                else:
                    self.send_response(404)
                    self.end_headers()
                    return
                status = reply.status
                if status != 200:
                    out = _error(self.path, status)
                data = json.dumps(out).encode()
                try:
                    self.send_response(status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    if reply.retry_after is not None:
                        self.send_header("retry-after", reply.retry_after)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def answer(self, *replies: Reply) -> None:
        self.script = list(replies)

    @property
    def calls(self) -> int:
        return len(self.seen)


@contextmanager
def serving() -> Iterator[FakeProviders]:
    fake = FakeProviders()
    thread = threading.Thread(target=fake.httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        fake.release.set()
        fake.httpd.shutdown()
        fake.httpd.server_close()
        thread.join(5)
