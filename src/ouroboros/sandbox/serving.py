"""How a sandbox serves its ASGI app: uvicorn on a background thread, or in the foreground.

Every sandbox (KIS, Alpaca) starts the same way - bind a socket (port 0 picks a free one), run
uvicorn on a daemon thread, return once it accepts connections and its lifespan has run - so
that mechanism lives here once; each sandbox keeps only what it serves.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from typing import Any

import uvicorn


def uvicorn_config(app: Any, host: str, port: int) -> uvicorn.Config:
    """The sandboxes' server settings: quiet, WebSockets through websockets' sans-I/O layer."""
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        ws="websockets-sansio",
        access_log=False,
        lifespan="on",
    )


class BackgroundServer:
    """uvicorn serving ``app`` on a daemon thread; ``ready`` says when the app's lifespan has
    run (e.g. it captured its event loop)."""

    def __init__(self, app: Any, host: str, port: int, name: str) -> None:
        self.app, self.host, self.port, self.name = app, host, port, name
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, ready: Callable[[], bool]) -> int:
        """Serve; returns the bound port once the server started and ``ready()`` holds."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        server = self._server = uvicorn.Server(uvicorn_config(self.app, self.host, self.port))
        thread = self._thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name=self.name, daemon=True
        )
        thread.start()
        pause = threading.Event()
        for _ in range(1000):  # up to ~10 s on a loaded machine
            if (server.started and ready()) or not thread.is_alive():
                break
            pause.wait(0.01)
        if not (server.started and ready()):
            raise RuntimeError(f"{self.name} did not start")
        return self.port

    def request_exit(self) -> None:
        if self._server is not None:
            self._server.should_exit = True

    def join(self) -> None:
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server = self._thread = None


def serve_forever(app: Any, host: str, port: int) -> None:
    """Run in the foreground until interrupted (the CLI)."""
    uvicorn.Server(uvicorn_config(app, host, port)).run()


__all__ = ["BackgroundServer", "serve_forever", "uvicorn_config"]
