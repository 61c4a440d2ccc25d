"""Alpaca (US stocks, paper and live) behind the broker and market-data ports (docs/alpaca.md)."""

from ouroboros.brokers.alpaca.adapter import AlpacaBroker
from ouroboros.brokers.alpaca.client import AlpacaClient, RetryPolicy
from ouroboros.brokers.alpaca.config import AlpacaSettings, load_alpaca_settings

__all__ = ["AlpacaBroker", "AlpacaClient", "AlpacaSettings", "RetryPolicy", "load_alpaca_settings"]
