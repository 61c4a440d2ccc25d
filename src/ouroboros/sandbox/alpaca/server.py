"""``AlpacaSandbox``: a local Alpaca that alpaca-py drives unchanged.

Everything is served on one port: trading REST and data REST under ``/v2``, trade_updates at
``/stream`` and market data at ``/v2/{iex|sip}``. Point the SDK at it with ``url_override``
(REST: the origin, no trailing slash; streams: the full ws URL). Starlette's router is built
with ``redirect_slashes=False``: alpaca-py never follows redirects (reference §0.1).

In-process, uvicorn runs on its own thread; the books are guarded by a lock so the Python
controls (``set_price``, ``step``, faults) may be called from any thread. The same controls
are served under ``/_sandbox/*`` for a sandbox started from the command line.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route, Router, WebSocketRoute

from ouroboros.sandbox.alpaca.book import Book
from ouroboros.sandbox.alpaca.config import SandboxConfig
from ouroboros.sandbox.alpaca.data import DataApi
from ouroboros.sandbox.alpaca.faults import FaultQueue
from ouroboros.sandbox.alpaca.gateway import Gateway, json_body
from ouroboros.sandbox.alpaca.market import Market, SimClock
from ouroboros.sandbox.alpaca.streams import Hub
from ouroboros.sandbox.alpaca.trading import TradingApi
from ouroboros.sandbox.alpaca.wire import ApiError
from ouroboros.sandbox.serving import BackgroundServer, serve_forever


@dataclass(frozen=True, slots=True)
class VenueOrder:
    id: str
    client_order_id: str
    symbol: str
    side: str
    qty: Decimal
    filled: Decimal
    leaves: Decimal
    status: str


class AlpacaSandbox:
    def __init__(
        self, config: SandboxConfig | None = None, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.config = config or SandboxConfig()
        self.host, self.port = host, port
        self.clock = SimClock(self.config.start)
        self.market = Market(self.config.seed, self.clock)
        self.book = Book(self.market, cancel_latency_steps=self.config.cancel_latency_steps)
        self.faults = FaultQueue(delay=self.config.fault_delay)
        self.gateway = Gateway(self.config, self.faults)
        self.hub = Hub(self.gateway)
        self.book.listeners.append(self.hub.publish_trade_update)
        self.trading = TradingApi(self.book)
        self.data = DataApi(self.market)
        self.app = self._build_app()
        self._serving: BackgroundServer | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _build_app(self) -> Starlette:
        @contextlib.asynccontextmanager
        async def lifespan(_app: Starlette) -> AsyncIterator[None]:
            self._loop = asyncio.get_running_loop()
            ticker = None
            if self.config.auto_step_interval:
                ticker = asyncio.create_task(self._auto_step(self.config.auto_step_interval))
            yield
            if ticker is not None:
                ticker.cancel()

        routes: list[Route | WebSocketRoute] = [
            *self.trading.routes(self.gateway),
            *self.data.routes(self.gateway),
            WebSocketRoute("/stream", self.hub.trading),
            WebSocketRoute("/v2/{feed}", self.hub.market),
            Route(
                "/_sandbox/{action}",
                self.gateway.wrap(self._control, auth=False),
                methods=["GET", "POST"],
            ),
        ]
        app = Starlette(routes=routes, lifespan=lifespan)
        router = app.router
        assert isinstance(router, Router)
        router.redirect_slashes = False
        return app

    async def _auto_step(self, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            self.step()

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> AlpacaSandbox:
        """Serve on a free port in a background thread; returns once it accepts connections."""
        self._serving = BackgroundServer(self.app, self.host, self.port, "alpaca-sandbox")
        self.port = self._serving.start(ready=lambda: self._loop is not None)
        return self

    def stop(self) -> None:
        if self._serving is not None:
            self._serving.request_exit()
            self.drop_streams()
            self._serving.join()
        self._serving = None
        self._loop = None

    def serve_forever(self) -> None:
        """Run in the foreground until interrupted (the CLI)."""
        serve_forever(self.app, self.host, self.port)

    def __enter__(self) -> AlpacaSandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def trade_stream_url(self) -> str:
        return f"ws://{self.host}:{self.port}/stream"

    def data_stream_url(self, feed: str = "iex") -> str:
        return f"ws://{self.host}:{self.port}/v2/{feed}"

    def exports(self) -> list[str]:
        """The shell lines that point our adapter (and alpaca-py users) at this sandbox."""
        return [
            f"export ALPACA_API_KEY={self.config.key_id}",
            f"export ALPACA_SECRET_KEY={self.config.secret_key}",
            "export ALPACA_PAPER=true",
            f"export ALPACA_BASE_URL={self.base_url}",
            f"export ALPACA_DATA_URL={self.base_url}",
            f"export ALPACA_STREAM_URL={self.trade_stream_url}",
            f"export ALPACA_DATA_STREAM_URL={self.data_stream_url()}",
        ]

    # -- controls (any thread) -------------------------------------------------------------
    def price(self, symbol: str) -> Decimal:
        with self.book.lock:
            return self.market.price(symbol)

    def set_price(
        self, symbol: str, price: Decimal | str, liquidity: Decimal | int | None = None
    ) -> None:
        with self.book.lock:
            self.market.set_price(
                symbol, Decimal(price), None if liquidity is None else Decimal(liquidity)
            )
            self._publish_tick(symbol)
            self.book.on_price(symbol)

    def set_liquidity(self, symbol: str, liquidity: Decimal | int) -> None:
        with self.book.lock:
            self.market.listings[symbol].liquidity = Decimal(liquidity)

    def step(self, steps: int = 1, symbol: str | None = None) -> None:
        """Advance the clock ``step_seconds`` and move prices, ``steps`` times."""
        for _ in range(steps):
            with self.book.lock:
                before = self.clock.now()
                self.clock.advance(self.config.step_seconds)
                for sym in self.market.step(symbol):
                    self._publish_tick(sym)
                    self.book.on_price(sym)
                self._publish_minute_bars(before)
                self.book.step_cancels()
                calendar = self.market.calendar
                if calendar.is_open(before) and not calendar.is_open(self.clock.now()):
                    self.book.expire_day_orders()

    def advance_clock(self, seconds: float) -> None:
        with self.book.lock:
            self.clock.advance(seconds)

    def set_clock(self, at: dt.datetime) -> None:
        with self.book.lock:
            self.clock.set(at)

    def _publish_tick(self, symbol: str) -> None:
        item = self.market.listings[symbol]
        now = self.clock.now()
        bid, ask = self.market.quote(symbol)
        self.hub.publish_market(
            {
                "T": "t",
                "S": symbol,
                "i": item.trade_id,
                "x": "V",
                "p": float(item.price),
                "s": 100,
                "t": now,
                "c": ["@"],
                "z": "C",
            }
        )
        self.hub.publish_market(
            {
                "T": "q",
                "S": symbol,
                "bx": "V",
                "bp": float(bid),
                "bs": 2,
                "ax": "V",
                "ap": float(ask),
                "as": 3,
                "t": now,
                "c": ["R"],
                "z": "C",
            }
        )

    def _publish_minute_bars(self, before: dt.datetime) -> None:
        minute = before.replace(second=0, microsecond=0)
        if self.clock.now().replace(second=0, microsecond=0) == minute:
            return
        for symbol in sorted(self.market.listings):
            bar = self.market.bar(symbol, minute, dt.timedelta(minutes=1))
            self.hub.publish_market(
                {
                    "T": "b",
                    "S": symbol,
                    "o": bar.o,
                    "h": bar.h,
                    "l": bar.low,
                    "c": bar.c,
                    "v": bar.v,
                    "n": bar.n,
                    "vw": bar.vw,
                    "t": minute,
                }
            )

    def queue_fault(
        self, kind: str, count: int = 1, path_contains: str = "", method: str = ""
    ) -> None:
        self.faults.queue(kind, count, path_contains, method)

    def partial_fill_next(self, count: int = 1) -> None:
        with self.book.lock:
            self.book.faults.partial_next += count

    def reject_next(self, reason: str = "rejected by the sandbox") -> None:
        with self.book.lock:
            self.book.faults.reject_next.append(reason)

    def drop_streams(self) -> int:
        loop = self._loop
        if loop is None or not loop.is_running():
            return 0
        future = asyncio.run_coroutine_threadsafe(self.hub.drop_all(), loop)
        with contextlib.suppress(Exception):
            return future.result(timeout=10)
        return 0

    def orders(self) -> list[VenueOrder]:
        with self.book.lock:
            return [
                VenueOrder(
                    o.id,
                    o.client_order_id,
                    o.symbol,
                    o.side,
                    o.total,
                    o.filled_qty,
                    o.leaves,
                    o.status,
                )
                for o in sorted(self.book.orders.values(), key=lambda o: o.seq)
            ]

    def positions(self) -> dict[str, Decimal]:
        with self.book.lock:
            return {s: p.qty for s, p in self.book.positions.items()}

    def stats(self) -> dict[str, Any]:
        return {
            "requests": self.gateway.requests,
            "rate_limited": self.gateway.rate_limited,
            "faults": dict(self.faults.injected),
            "orders": len(self.book.orders),
            "bars_served": self.data.bars_served,
            "ws_connections": len(self.hub.conns),
            "ws_frames": self.hub.frames_sent,
            "clock": self.clock.now().isoformat(),
        }

    # -- controls (HTTP) -------------------------------------------------------------------
    async def _control(self, request: Request) -> dict[str, Any]:
        action = request.path_params["action"]
        data = await json_body(request) if request.method == "POST" else {}
        try:
            if action == "price":
                self.set_price(str(data["symbol"]), str(data["price"]), data.get("liquidity"))
            elif action == "step":
                self.step(int(data.get("steps", 1)), data.get("symbol"))
            elif action == "fault":
                self.queue_fault(
                    str(data["kind"]), int(data.get("count", 1)), str(data.get("path_contains", ""))
                )
            elif action == "drop":
                self.drop_streams()
            elif action == "liquidity":
                self.set_liquidity(str(data["symbol"]), Decimal(str(data["liquidity"])))
            elif action == "clock":
                self.set_clock(dt.datetime.fromisoformat(str(data["at"])))
            elif action == "partial":
                self.partial_fill_next(int(data.get("count", 1)))
            elif action == "reject":
                self.reject_next(str(data.get("reason", "rejected by the sandbox")))
            elif action != "state":
                raise ApiError(404, 40410000, f"unknown sandbox action {action!r}")
        except (KeyError, ValueError, ArithmeticError) as exc:
            raise ApiError(422, 40010001, f"bad sandbox control {action}: {exc}") from None
        return self.stats()
