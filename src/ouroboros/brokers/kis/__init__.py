"""Korea Investment & Securities (한국투자증권, KIS) Open API: client, broker adapter, market data
and real-time feed.

Production wiring::

    settings = load_kis_settings()          # KIS_APP_KEY, KIS_APP_SECRET, KIS_ACCOUNT_NO, ...
    broker = KisBroker.from_settings(settings, database=engine, now=LiveClock().now)
    market_data = KisMarketData(broker.client)
    realtime = KisRealtime(broker.client)   # then: await realtime.start()
    await broker.attach_realtime(realtime, settings.hts_id)

See docs/kis.md for what is covered and how to point it at a real (virtual first) account.
"""

from ouroboros.brokers.kis.adapter import KisBroker
from ouroboros.brokers.kis.client import KisClient, KisResponse, RetryPolicy
from ouroboros.brokers.kis.config import KisAccount, KisEnvironment, KisSettings, load_kis_settings
from ouroboros.brokers.kis.errors import KNOWN_CODES, KisOutcomeUnknown, map_error
from ouroboros.brokers.kis.exchanges import MARKETS, KisMarket, market_by_code, market_for
from ouroboros.brokers.kis.feed import BookLevel, KisMarketData, LastPrice, OrderBook, RankedSymbol
from ouroboros.brokers.kis.orderstore import OrderStore
from ouroboros.brokers.kis.ratelimit import RateLimiter
from ouroboros.brokers.kis.realtime import BookTop, ExecutionNotice, KisRealtime, TradeTick

__all__ = [
    "KNOWN_CODES",
    "MARKETS",
    "BookLevel",
    "BookTop",
    "ExecutionNotice",
    "KisAccount",
    "KisBroker",
    "KisClient",
    "KisEnvironment",
    "KisMarket",
    "KisMarketData",
    "KisOutcomeUnknown",
    "KisRealtime",
    "KisResponse",
    "KisSettings",
    "LastPrice",
    "OrderBook",
    "OrderStore",
    "RankedSymbol",
    "RateLimiter",
    "RetryPolicy",
    "TradeTick",
    "load_kis_settings",
    "map_error",
    "market_by_code",
    "market_for",
]
