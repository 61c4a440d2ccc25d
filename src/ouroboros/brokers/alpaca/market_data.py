"""Alpaca market data (reference §6): historical bars with paging, latest quotes and trades,
snapshots, and the venue of a bare symbol. ``ouroboros.data.alpaca_bars`` turns these bars into
the long frame of the fallback chain (the composition root wires the two together)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ouroboros.brokers.alpaca import mapping as mp
from ouroboros.brokers.alpaca.client import AlpacaClient
from ouroboros.brokers.alpaca.config import AlpacaSettings
from ouroboros.brokers.alpaca.errors import AlpacaNotFound
from ouroboros.brokers.alpaca.wire import (
    WireBar,
    WireQuote,
    WireTrade,
    parse_asset,
    parse_bars_page,
    parse_latest,
)
from ouroboros.domain.ids import InstrumentId
from ouroboros.errors import DataError

ADJUSTMENTS = frozenset({"raw", "split", "dividend", "all"})


class AlpacaMarketData:
    def __init__(
        self, client: AlpacaClient, *, feed: str = "iex", trading: AlpacaClient | None = None
    ):
        self.client = client
        self.feed = feed
        self.trading = trading
        self.pages = 0

    @classmethod
    def from_settings(cls, settings: AlpacaSettings) -> AlpacaMarketData:
        key, secret = settings.api_key.get_secret_value(), settings.secret_key.get_secret_value()
        data = AlpacaClient(settings.market_data_url, key, secret, timeout=settings.timeout)
        trading = AlpacaClient(settings.trading_url, key, secret, timeout=settings.timeout)
        return cls(data, feed=settings.feed, trading=trading)

    async def close(self) -> None:
        await self.client.close()
        if self.trading is not None:
            await self.trading.close()

    async def bars(
        self,
        symbols: list[str],
        timeframe: str,
        start: dt.datetime,
        end: dt.datetime,
        *,
        adjustment: str = "all",
        limit: int = 10_000,
    ) -> dict[str, list[WireBar]]:
        """Every bar in [start, end] for every symbol, following ``next_page_token``."""
        if adjustment not in ADJUSTMENTS:
            raise ValueError(f"adjustment must be one of {sorted(ADJUSTMENTS)}, was {adjustment!r}")
        params: dict[str, Any] = {
            "symbols": ",".join(symbols),
            "timeframe": timeframe,
            "start": start.astimezone(dt.UTC).isoformat(),
            "end": end.astimezone(dt.UTC).isoformat(),
            "adjustment": adjustment,
            "feed": self.feed,
            "limit": limit,
        }
        out: dict[str, list[WireBar]] = {}
        while True:
            page, token = parse_bars_page(await self.client.get("/v2/stocks/bars", params))
            self.pages += 1
            for symbol, rows in page.items():
                out.setdefault(symbol, []).extend(rows)
            if token is None:
                return out
            params["page_token"] = token

    async def latest_quotes(self, symbols: list[str]) -> dict[str, WireQuote]:
        raw = await self.client.get(
            "/v2/stocks/quotes/latest", {"symbols": ",".join(symbols), "feed": self.feed}
        )
        return parse_latest(raw, "quotes", WireQuote)

    async def latest_trades(self, symbols: list[str]) -> dict[str, WireTrade]:
        raw = await self.client.get(
            "/v2/stocks/trades/latest", {"symbols": ",".join(symbols), "feed": self.feed}
        )
        return parse_latest(raw, "trades", WireTrade)

    async def snapshots(self, symbols: list[str]) -> dict[str, dict[str, Any]]:
        raw = await self.client.get(
            "/v2/stocks/snapshots", {"symbols": ",".join(symbols), "feed": self.feed}
        )
        if not isinstance(raw, dict):
            raise DataError("alpaca snapshots: malformed reply (expected an object)")
        return {str(k): v for k, v in raw.items() if isinstance(v, dict)}

    async def instrument(self, symbol: str) -> InstrumentId:
        """``AAPL`` → ``AAPL.NASDAQ`` from the asset's exchange (needs the trading API)."""
        if "." in symbol:
            return InstrumentId.parse(symbol)
        if self.trading is None:
            raise DataError(
                f"{symbol}: give the venue (AAPL.NASDAQ) or a market; no trading API to ask"
            )
        try:
            asset = parse_asset(await self.trading.get(f"/v2/assets/{symbol}"))
        except AlpacaNotFound:
            raise DataError(f"Alpaca has no asset {symbol!r}") from None
        return mp.instrument_for(symbol, asset.exchange, {})
