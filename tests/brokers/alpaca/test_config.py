"""ALPACA_* settings: paper by default; live only with the real-money confirmation."""

from __future__ import annotations

import pytest

from ouroboros.brokers.alpaca import load_alpaca_settings
from ouroboros.errors import ConfigError


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("ALPACA_PAPER", "ALPACA_BASE_URL", "OUROBOROS_CONFIRM_REAL_MONEY", "ALPACA_FEED"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("ALPACA_API_KEY", "K")
    monkeypatch.setenv("ALPACA_SECRET_KEY", "S")


def test_paper_is_the_default() -> None:
    settings = load_alpaca_settings()
    assert settings.paper
    assert settings.trading_url == "https://paper-api.alpaca.markets"
    assert settings.trade_stream_url == "wss://paper-api.alpaca.markets/stream"
    assert settings.market_stream_url == "wss://stream.data.alpaca.markets/v2/iex"


def test_live_needs_the_confirmation(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALPACA_PAPER", "false")
    with pytest.raises(ConfigError, match="OUROBOROS_CONFIRM_REAL_MONEY=yes"):
        load_alpaca_settings()
    monkeypatch.setenv("OUROBOROS_CONFIRM_REAL_MONEY", "yes")
    assert load_alpaca_settings().trading_url == "https://api.alpaca.markets"


def test_bad_values_are_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALPACA_FEED", "otc")
    with pytest.raises(ConfigError, match="ALPACA_FEED"):
        load_alpaca_settings()
    monkeypatch.delenv("ALPACA_FEED")
    monkeypatch.delenv("ALPACA_SECRET_KEY")
    with pytest.raises(ConfigError, match="ALPACA_SECRET_KEY is required"):
        load_alpaca_settings()


def test_sandbox_urls_override_the_hosts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALPACA_BASE_URL", "http://127.0.0.1:9999/")
    assert load_alpaca_settings().trading_url == "http://127.0.0.1:9999"
