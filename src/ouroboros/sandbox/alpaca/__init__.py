"""A local Alpaca (trading REST, data REST, trade_updates and msgpack market-data streams)
that the official alpaca-py SDK drives unchanged. See docs/alpaca.md."""

from ouroboros.sandbox.alpaca.config import SandboxConfig
from ouroboros.sandbox.alpaca.server import AlpacaSandbox, VenueOrder

__all__ = ["AlpacaSandbox", "SandboxConfig", "VenueOrder"]
