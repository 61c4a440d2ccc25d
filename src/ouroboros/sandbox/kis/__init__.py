"""A local KIS (한국투자증권) Open API: REST + WebSocket, real- or virtual-style, with faults.

Start one in-process with ``KisSandbox(SandboxConfig(...)).start()`` (or as a context manager),
or from the command line with ``ouroboros kis-sandbox --port P [--virtual] [--seed S]``.
"""

from ouroboros.sandbox.kis.config import FaultPlan, SandboxApp, SandboxConfig
from ouroboros.sandbox.kis.prices import DEFAULT_UNIVERSE, PriceSource, RandomWalkPrices
from ouroboros.sandbox.kis.server import KisSandbox, VenueOrder

__all__ = [
    "DEFAULT_UNIVERSE",
    "FaultPlan",
    "KisSandbox",
    "PriceSource",
    "RandomWalkPrices",
    "SandboxApp",
    "SandboxConfig",
    "VenueOrder",
]
