"""alpaca-py's StockHistoricalDataClient, unchanged, against the sandbox (reference §6)."""

from __future__ import annotations

import datetime as dt

import requests
from alpaca.data.enums import Adjustment, DataFeed
from alpaca.data.historical import StockHistoricalDataClient
from alpaca.data.requests import (
    StockBarsRequest,
    StockLatestBarRequest,
    StockLatestQuoteRequest,
    StockLatestTradeRequest,
    StockSnapshotRequest,
)
from alpaca.data.timeframe import TimeFrame, TimeFrameUnit

from ouroboros.sandbox.alpaca import AlpacaSandbox, SandboxConfig

UTC = dt.UTC


def daily(
    symbols: list[str], start: dt.datetime, end: dt.datetime, **kw: object
) -> StockBarsRequest:
    return StockBarsRequest(
        symbol_or_symbols=symbols, timeframe=TimeFrame.Day, start=start, end=end, **kw
    )


def test_multi_symbol_daily_bars_page_through(
    sandbox: AlpacaSandbox, market_data: StockHistoricalDataClient
) -> None:
    start, end = dt.datetime(2024, 1, 1, tzinfo=UTC), dt.datetime(2026, 1, 1, tzinfo=UTC)
    # two years x two symbols is ~1000 bars; limit 600 forces the SDK through two pages
    bars = market_data.get_stock_bars(
        daily(["AAPL", "MSFT"], start, end, limit=600, adjustment=Adjustment.ALL, feed=DataFeed.IEX)
    )
    assert sum(len(v) for v in bars.data.values()) == 600
    full = market_data.get_stock_bars(daily(["AAPL", "MSFT"], start, end))
    assert len(full.data["AAPL"]) == len(full.data["MSFT"]) == 502  # NYSE sessions 2024-2025
    first = full.data["AAPL"][0]
    assert first.timestamp == dt.datetime(2024, 1, 2, 5, 0, tzinfo=UTC)  # midnight ET (EST)
    assert first.trade_count is not None
    assert first.vwap is not None
    assert first.low <= min(first.open, first.close) <= max(first.open, first.close) <= first.high
    summer = [b for b in full.data["AAPL"] if b.timestamp.month == 7]
    assert summer[0].timestamp.hour == 4  # EDT


def test_raw_bars_carry_n_and_vw_and_an_empty_result_is_an_object(sandbox: AlpacaSandbox) -> None:
    headers = {
        "APCA-API-KEY-ID": sandbox.config.key_id,
        "APCA-API-SECRET-KEY": sandbox.config.secret_key,
    }
    url = f"{sandbox.base_url}/v2/stocks/bars"
    body = requests.get(
        url,
        params={
            "symbols": "AAPL",
            "timeframe": "1Day",
            "start": "2025-06-02T00:00:00Z",
            "end": "2025-06-03T00:00:00Z",
        },
        headers=headers,
        timeout=5,
    ).json()
    assert set(body["bars"]["AAPL"][0]) == {"t", "o", "h", "l", "c", "v", "n", "vw"}
    assert body["next_page_token"] is None
    empty = requests.get(
        url,
        params={
            "symbols": "AAPL",
            "timeframe": "1Day",
            "start": "2025-06-07T00:00:00Z",
            "end": "2025-06-08T00:00:00Z",
        },
        headers=headers,
        timeout=5,
    ).json()
    assert empty["bars"] == {}


def test_intraday_bars_stay_inside_sessions(market_data: StockHistoricalDataClient) -> None:
    bars = market_data.get_stock_bars(
        StockBarsRequest(
            symbol_or_symbols="SPY",
            timeframe=TimeFrame(15, TimeFrameUnit.Minute),
            start=dt.datetime(2025, 12, 24, tzinfo=UTC),
            end=dt.datetime(2025, 12, 27, tzinfo=UTC),
        )
    )
    times = [b.timestamp for b in bars.data["SPY"]]
    assert times[0] == dt.datetime(2025, 12, 24, 14, 30, tzinfo=UTC)
    assert times[-1] == dt.datetime(2025, 12, 26, 20, 45, tzinfo=UTC)  # Christmas is closed
    assert len(times) == 14 + 26  # the 24th closes at 13:00 ET


def test_latest_quote_trade_bar_and_snapshot(
    sandbox: AlpacaSandbox, market_data: StockHistoricalDataClient
) -> None:
    sandbox.set_price("AAPL", "191.25")
    quote = market_data.get_stock_latest_quote(StockLatestQuoteRequest(symbol_or_symbols="AAPL"))[
        "AAPL"
    ]
    assert (quote.bid_price, quote.ask_price) == (191.24, 191.26)
    trade = market_data.get_stock_latest_trade(
        StockLatestTradeRequest(symbol_or_symbols=["AAPL", "MSFT"])
    )
    assert trade["AAPL"].price == 191.25
    assert trade["MSFT"].price == 410.0
    bar = market_data.get_stock_latest_bar(StockLatestBarRequest(symbol_or_symbols="AAPL"))["AAPL"]
    assert bar.close == 191.25
    snap = market_data.get_stock_snapshot(StockSnapshotRequest(symbol_or_symbols=["AAPL", "SPY"]))
    assert set(snap) == {"AAPL", "SPY"}
    assert snap["AAPL"].latest_trade is not None
    assert snap["AAPL"].previous_daily_bar is not None


def test_same_seed_same_history_and_steps() -> None:
    def run(seed: int) -> tuple[list[float], list[str]]:
        with AlpacaSandbox(SandboxConfig(seed=seed)) as box:
            client = StockHistoricalDataClient(
                "SANDBOXKEY", "sandbox-secret", url_override=box.base_url
            )
            start, end = dt.datetime(2025, 3, 1, tzinfo=UTC), dt.datetime(2025, 4, 1, tzinfo=UTC)
            closes = [
                b.close for b in client.get_stock_bars(daily(["MSFT"], start, end)).data["MSFT"]
            ]
            box.step(5)
            return closes, [str(box.price(s)) for s in ("AAPL", "MSFT")] + [box.stats()["clock"]]

    assert run(3) == run(3)
    assert run(3) != run(4)


def test_clock_control_moves_the_sandbox_time(sandbox: AlpacaSandbox) -> None:
    sandbox.set_clock(dt.datetime(2026, 1, 5, 21, 30, tzinfo=UTC))
    sandbox.step(2)
    assert sandbox.stats()["clock"] == "2026-01-05T21:32:00+00:00"
