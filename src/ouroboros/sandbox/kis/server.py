"""Run the KIS sandbox: in-process on a free port (tests, benchmarks) or in the foreground (CLI).

In-process, uvicorn runs on its own thread and event loop, so the sandbox behaves like a remote
server whatever the caller's loop does. Everything that touches the books runs on that loop:
the Python control methods hop onto it through :meth:`KisSandbox.call`; the same controls are
served over HTTP under ``/_sandbox/*`` for a sandbox started from the command line.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any, TypeVar

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute

from ouroboros.domain.ids import InstrumentId
from ouroboros.sandbox.kis import domestic, domestic_more, overseas, overseas_more
from ouroboros.sandbox.kis.config import SandboxApp, SandboxConfig
from ouroboros.sandbox.kis.engine import SbOrder
from ouroboros.sandbox.kis.http import Gateway
from ouroboros.sandbox.kis.state import SandboxState
from ouroboros.sandbox.kis.ws import Hub
from ouroboros.sandbox.serving import BackgroundServer, serve_forever

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class VenueOrder:
    """A read-only copy of one order at the sandbox, for tests and harnesses."""

    odno: str
    account: str
    instrument: str
    side: str
    quantity: Decimal
    filled: Decimal
    leaves: Decimal
    limit: Decimal | None
    status: str
    kind: str
    orgn_odno: str
    amount: Decimal

    @classmethod
    def of(cls, o: SbOrder) -> VenueOrder:
        return cls(
            o.odno,
            o.account,
            str(o.instrument),
            o.side.value,
            o.quantity,
            o.filled,
            o.leaves,
            o.limit,
            o.status.value,
            o.kind.value,
            o.orgn_odno,
            o.amount,
        )


class KisSandbox:
    """A local KIS: REST + WebSocket on ``127.0.0.1``, real- or virtual-style per instance."""

    def __init__(self, config: SandboxConfig | None = None, host: str = "127.0.0.1", port: int = 0):
        self.config = config or SandboxConfig()
        self.host, self.port = host, port
        self.state = SandboxState(self.config)
        self.hub = Hub(self.state)
        self.gateway = Gateway(
            self.state,
            domestic.ROUTES + domestic_more.ROUTES + overseas.ROUTES + overseas_more.ROUTES,
        )
        self.app = self._build_app()
        self._serving: BackgroundServer | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: threading.Thread | None = None

    # -- wiring ----------------------------------------------------------------------------
    def _build_app(self) -> Starlette:
        g = self.gateway

        @contextlib.asynccontextmanager
        async def lifespan(_app: Starlette) -> AsyncIterator[None]:
            self._loop = asyncio.get_running_loop()
            self._loop_thread = threading.current_thread()
            ticker = None
            if self.config.auto_step_interval:
                ticker = asyncio.create_task(self._auto_step(self.config.auto_step_interval))
            yield
            if ticker is not None:
                ticker.cancel()

        routes = [
            Route("/oauth2/tokenP", g.token, methods=["POST"]),
            Route("/oauth2/revokeP", g.revoke, methods=["POST"]),
            Route("/oauth2/Approval", g.approval, methods=["POST"]),
            Route("/uapi/hashkey", g.hashkey, methods=["POST"]),
            Route("/_sandbox/{action}", self._control, methods=["GET", "POST"]),
            WebSocketRoute("/", self.hub.endpoint),
            WebSocketRoute("/tryitout", self.hub.endpoint),
            WebSocketRoute("/tryitout/{rest:path}", self.hub.endpoint),
            Route("/{path:path}", g.dispatch, methods=["GET", "POST"]),
        ]
        return Starlette(routes=routes, lifespan=lifespan)

    async def _auto_step(self, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            self.state.exchange.step()

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> KisSandbox:
        """Serve on a free port in a background thread; returns once it accepts connections."""
        self._serving = BackgroundServer(self.app, self.host, self.port, "kis-sandbox")
        self.port = self._serving.start(ready=lambda: self._loop is not None)
        return self

    def stop(self) -> None:
        serving = self._serving
        if serving is not None:
            serving.request_exit()
            if self._loop is not None and serving.running:
                with contextlib.suppress(Exception):
                    self.call(lambda: self._close_websockets())
            serving.join()
        self._serving = None
        self._loop = self._loop_thread = None  # inspection after stop runs inline

    def _close_websockets(self) -> None:
        assert self._loop is not None
        self._loop.create_task(self.hub.drop_all())

    def serve_forever(self) -> None:
        """Run in the foreground until interrupted (the CLI)."""
        serve_forever(self.app, self.host, self.port)

    def __enter__(self) -> KisSandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://{self.host}:{self.port}"

    @property
    def app_credentials(self) -> SandboxApp:
        return self.config.effective_apps()[0]

    # -- control (Python) ------------------------------------------------------------------
    def call(self, fn: Callable[[], T]) -> T:
        """Run ``fn`` on the sandbox's loop (where the books live) and return its result."""
        loop = self._loop
        if loop is None or threading.current_thread() is self._loop_thread:
            return fn()

        async def run() -> T:
            return fn()

        return asyncio.run_coroutine_threadsafe(run(), loop).result(timeout=10)

    def set_price(
        self, instrument: str, price: Decimal | str, volume: Decimal | int | None = None
    ) -> None:
        iid, p = InstrumentId.parse(instrument), Decimal(price)
        v = None if volume is None else Decimal(volume)
        self.call(lambda: self.state.exchange.set_price(iid, p, v))

    def set_volume(self, instrument: str, volume: Decimal | int) -> None:
        iid = InstrumentId.parse(instrument)
        self.call(lambda: self.state.exchange.set_volume(iid, Decimal(volume)))

    def price(self, instrument: str) -> Decimal:
        iid = InstrumentId.parse(instrument)
        return self.call(lambda: self.state.exchange.market(iid).price)

    def step(self, steps: int = 1, instrument: str | None = None) -> None:
        iid = None if instrument is None else InstrumentId.parse(instrument)
        self.call(lambda: self.state.exchange.step(iid, steps))

    def queue_fault(self, kind: str, count: int = 1, path_contains: str = "") -> None:
        self.call(lambda: self.state.faults.queue(kind, count, path_contains))

    def set_fault_plan(self, **plan: float) -> None:
        def apply() -> None:
            for key, value in plan.items():
                if not hasattr(self.state.faults.plan, key):
                    raise ValueError(f"unknown fault plan key, was {key!r}")
                setattr(self.state.faults.plan, key, value)
            self.state.faults.reseed(int(plan.get("seed", self.state.faults.plan.seed)))

        self.call(apply)

    def expire_tokens(self) -> None:
        self.call(self.state.tokens.expire_all)

    def advance_clock(self, seconds: float) -> None:
        self.call(lambda: self.state.clock.advance(seconds))

    def drop_websockets(self) -> int:
        loop = self._loop
        assert loop is not None
        return asyncio.run_coroutine_threadsafe(self.hub.drop_all(), loop).result(timeout=10)

    def seed_holding(
        self, instrument: str, quantity: int, price: str, account: str | None = None
    ) -> None:
        number = account or self.app_credentials.accounts[0]
        iid = InstrumentId.parse(instrument)
        self.call(lambda: self.state.seed_holding(number, iid, quantity, price))

    def orders(self, account: str | None = None) -> list[VenueOrder]:
        number = account or self.app_credentials.accounts[0]
        return self.call(
            lambda: [
                VenueOrder.of(o) for o in self.state.exchange.orders.values() if o.account == number
            ]
        )

    def holdings(self, account: str | None = None) -> dict[str, tuple[Decimal, Decimal]]:
        """instrument → (quantity, average price) for every non-zero holding."""
        number = account or self.app_credentials.accounts[0]

        def read() -> dict[str, tuple[Decimal, Decimal]]:
            acct = self.state.exchange.accounts[number]
            return {str(i): (h.quantity, h.average) for i, h in acct.holdings.items() if h.quantity}

        return self.call(read)

    def cash(self, account: str | None = None) -> dict[str, Decimal]:
        number = account or self.app_credentials.accounts[0]
        return self.call(
            lambda: {c.value: v for c, v in self.state.exchange.accounts[number].cash.items()}
        )

    def stats(self) -> dict[str, Any]:
        def read() -> dict[str, Any]:
            s = self.state
            return {
                "requests": s.request_count,
                "tokens_issued": s.tokens.issued_count,
                "rate_limited": s.rate.rejected,
                "faults": dict(s.faults.injected),
                "orders": len(s.exchange.orders),
                "ws_connections": len(self.hub.conns),
                "ws_frames": self.hub.sent_frames,
                "in_flight": s.in_flight,
            }

        return self.call(read)

    # -- control (HTTP) --------------------------------------------------------------------
    async def _control(self, request: Request) -> Response:
        action = request.path_params["action"]
        data: dict[str, Any] = {}
        if request.method == "POST":
            raw = await request.body()
            data = (await request.json()) if raw.strip() else {}
        st = self.state
        try:
            if action == "state":
                return JSONResponse(
                    {
                        **self.stats(),
                        "virtual": self.config.virtual,
                        "fault_plan": asdict(st.faults.plan),
                    }
                )
            if action == "price":
                iid = InstrumentId.parse(str(data["instrument"]))
                vol = data.get("volume")
                st.exchange.set_price(
                    iid, Decimal(str(data["price"])), None if vol is None else Decimal(str(vol))
                )
            elif action == "step":
                inst = data.get("instrument")
                st.exchange.step(
                    InstrumentId.parse(inst) if inst else None, int(data.get("steps", 1))
                )
            elif action == "fault":
                st.faults.queue(
                    str(data["kind"]), int(data.get("count", 1)), str(data.get("path", ""))
                )
            elif action == "fault-plan":
                for key, value in data.items():
                    setattr(st.faults.plan, key, value)
                st.faults.reseed(int(st.faults.plan.seed))
            elif action == "expire-tokens":
                st.tokens.expire_all()
            elif action == "clock":
                st.clock.advance(float(data.get("advance", 0)))
            elif action == "drop-websockets":
                return JSONResponse({"dropped": await self.hub.drop_all()})
            elif action == "holding":
                st.seed_holding(
                    str(data.get("account") or self.app_credentials.accounts[0]),
                    InstrumentId.parse(str(data["instrument"])),
                    int(data["quantity"]),
                    str(data["price"]),
                )
            else:
                return JSONResponse(
                    {"error": f"unknown control action {action!r}"}, status_code=404
                )
        except (KeyError, ValueError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse({"ok": True})
