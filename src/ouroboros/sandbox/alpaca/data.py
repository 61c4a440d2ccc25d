"""The market-data REST API (reference §6): multi-symbol bars with paging, latest bars,
quotes and trades, and snapshots. Prices and sizes are JSON numbers; times are UTC."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

from starlette.requests import Request
from starlette.routing import Route

from ouroboros.sandbox.alpaca.gateway import Gateway
from ouroboros.sandbox.alpaca.market import BarData, Market, parse_timeframe
from ouroboros.sandbox.alpaca.wire import ApiError, parse_time

FEEDS = frozenset({"iex", "sip", "otc", "delayed_sip", "boats", "overnight"})
ADJUSTMENTS = frozenset({"raw", "split", "dividend", "all"})


def bar_json(bar: BarData) -> dict[str, Any]:
    return {
        "t": _t(bar.t),
        "o": bar.o,
        "h": bar.h,
        "l": bar.low,
        "c": bar.c,
        "v": bar.v,
        "n": bar.n,
        "vw": bar.vw,
    }


def _t(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class DataApi:
    def __init__(self, market: Market) -> None:
        self.market = market
        self.bars_served = 0

    def routes(self, gw: Gateway) -> list[Route]:
        w = gw.wrap
        return [
            Route("/v2/stocks/bars", w(self.bars), methods=["GET"]),
            Route("/v2/stocks/bars/latest", w(self.latest_bars), methods=["GET"]),
            Route("/v2/stocks/quotes/latest", w(self.latest_quotes), methods=["GET"]),
            Route("/v2/stocks/trades/latest", w(self.latest_trades), methods=["GET"]),
            Route("/v2/stocks/snapshots", w(self.snapshots), methods=["GET"]),
            Route("/v2/stocks/{symbol}/bars", w(self.symbol_bars), methods=["GET"]),
        ]

    def _symbols(self, request: Request) -> list[str]:
        raw = request.query_params.get("symbols", "")
        symbols = [s.strip() for s in raw.split(",") if s.strip()]
        if not symbols:
            raise ApiError(400, 40010000, "missing symbols")
        feed = request.query_params.get("feed")
        if feed is not None and feed not in FEEDS:
            raise ApiError(400, 40010000, f"invalid feed: {feed}")
        return symbols

    def _all_bars(self, request: Request, symbols: list[str]) -> list[tuple[str, BarData]]:
        q = request.query_params
        try:
            width = parse_timeframe(q.get("timeframe", ""))
        except ValueError as exc:
            raise ApiError(422, 42210000, str(exc)) from None
        if q.get("adjustment", "raw") not in ADJUSTMENTS:
            raise ApiError(422, 42210000, f"invalid adjustment: {q.get('adjustment')}")
        now = self.market.clock.now()
        start = parse_time(q.get("start"), "start")
        if start is None:
            start = dt.datetime.combine(now.date(), dt.time(), dt.UTC)
        end = parse_time(q.get("end"), "end") or now
        end = min(end, now - width)  # only completed bars
        if start > end:
            return []
        starts = self.market.bar_starts(start, end, width)
        rows = [(s, self.market.bar(s, t, width)) for s in sorted(set(symbols)) for t in starts]
        if q.get("sort", "asc") == "desc":
            rows.sort(key=lambda r: (r[0], -r[1].t.timestamp()))
        return rows

    def _page(
        self, request: Request, rows: list[tuple[str, BarData]]
    ) -> tuple[list[tuple[str, BarData]], str | None]:
        q = request.query_params
        limit = int(q.get("limit", "1000"))
        if not 1 <= limit <= 10000:
            raise ApiError(422, 42210000, "invalid limit: must be between 1 and 10000")
        offset = 0
        token = q.get("page_token")
        if token:
            try:
                offset = int(base64.urlsafe_b64decode(token.encode()).decode().split("|")[-1])
            except ValueError:
                raise ApiError(400, 40010000, "invalid page_token") from None
        page = rows[offset : offset + limit]
        self.bars_served += len(page)
        nxt = offset + limit
        if nxt >= len(rows):
            return page, None
        sym, bar = rows[nxt]
        return page, base64.urlsafe_b64encode(f"{sym}|{_t(bar.t)}|{nxt}".encode()).decode()

    async def bars(self, request: Request) -> dict[str, Any]:
        symbols = self._symbols(request)
        page, token = self._page(request, self._all_bars(request, symbols))
        out: dict[str, list[dict[str, Any]]] = {}
        for sym, bar in page:
            out.setdefault(sym, []).append(bar_json(bar))
        return {"bars": out, "next_page_token": token}

    async def symbol_bars(self, request: Request) -> dict[str, Any]:
        symbol = request.path_params["symbol"]
        page, token = self._page(request, self._all_bars(request, [symbol]))
        return {"bars": [bar_json(b) for _s, b in page], "symbol": symbol, "next_page_token": token}

    def _known(self, symbols: list[str]) -> list[str]:
        return [s for s in symbols if s in self.market.listings]

    def latest_bar(self, symbol: str) -> dict[str, Any]:
        now = self.market.clock.now()
        minute = now.replace(second=0, microsecond=0) - dt.timedelta(minutes=1)
        bar = self.market.bar(symbol, minute, dt.timedelta(minutes=1))
        price = float(self.market.price(symbol))
        return {**bar_json(bar), "c": price, "h": max(bar.h, price), "l": min(bar.low, price)}

    def latest_quote(self, symbol: str) -> dict[str, Any]:
        bid, ask = self.market.quote(symbol)
        return {
            "t": _t_ns(self.market.clock.now()),
            "ax": "V",
            "ap": float(ask),
            "as": 3,
            "bx": "V",
            "bp": float(bid),
            "bs": 2,
            "c": ["R"],
            "z": "C",
        }

    def latest_trade(self, symbol: str) -> dict[str, Any]:
        item = self.market.listings[symbol]
        return {
            "t": _t_ns(self.market.clock.now()),
            "x": "V",
            "p": float(item.price),
            "s": 100,
            "c": ["@"],
            "i": item.trade_id,
            "z": "C",
        }

    async def latest_bars(self, request: Request) -> dict[str, Any]:
        return {"bars": {s: self.latest_bar(s) for s in self._known(self._symbols(request))}}

    async def latest_quotes(self, request: Request) -> dict[str, Any]:
        return {"quotes": {s: self.latest_quote(s) for s in self._known(self._symbols(request))}}

    async def latest_trades(self, request: Request) -> dict[str, Any]:
        return {"trades": {s: self.latest_trade(s) for s in self._known(self._symbols(request))}}

    async def snapshots(self, request: Request) -> dict[str, Any]:
        out: dict[str, Any] = {}
        day = dt.timedelta(days=1)
        now = self.market.clock.now()
        for s in self._known(self._symbols(request)):
            days = self.market.bar_starts(now - dt.timedelta(days=10), now, day)
            daily = [bar_json(self.market.bar(s, t, day)) for t in days[-2:]]
            out[s] = {
                "latestTrade": self.latest_trade(s),
                "latestQuote": self.latest_quote(s),
                "minuteBar": self.latest_bar(s),
                "dailyBar": daily[-1] if daily else None,
                "prevDailyBar": daily[-2] if len(daily) > 1 else None,
            }
        return out


def _t_ns(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "000Z"
