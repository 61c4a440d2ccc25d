"""The trading REST API under ``/v2`` (reference §4): account, orders, positions, assets,
clock, calendar and FILL activities."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ouroboros.sandbox.alpaca.book import Book, Position
from ouroboros.sandbox.alpaca.gateway import Gateway, json_body
from ouroboros.sandbox.alpaca.market import ET
from ouroboros.sandbox.alpaca.orders import SbOrder, asset_uuid
from ouroboros.sandbox.alpaca.wire import ApiError, dec, parse_time, to_bool, to_decimal, ts


class TradingApi:
    def __init__(self, book: Book) -> None:
        self.book = book
        self.configurations: dict[str, Any] = {
            "dtbp_check": "entry",
            "trade_confirm_email": "all",
            "suspend_trade": False,
            "no_shorting": False,
            "fractional_trading": True,
            "max_margin_multiplier": "1",
            "pdt_check": "entry",
            "ptp_no_exception_entry": False,
        }

        self.calendar_overrides: dict[dt.date, tuple[str, str] | None] = {}
        """Injected calendar differences: a date's (open, close) in ET, or None for closed."""

    def routes(self, gw: Gateway) -> list[Route]:
        w = gw.wrap
        return [
            Route("/v2/account", w(self.account), methods=["GET"]),
            Route(
                "/v2/account/configurations",
                w(self.account_configurations),
                methods=["GET", "PATCH"],
            ),
            Route("/v2/account/activities", w(self.activities), methods=["GET"]),
            Route("/v2/account/activities/{kind}", w(self.activities), methods=["GET"]),
            Route("/v2/orders", w(self.orders), methods=["GET", "POST", "DELETE"]),
            Route("/v2/orders:by_client_order_id", w(self.order_by_client_id), methods=["GET"]),
            Route("/v2/orders/{order_id}", w(self.order), methods=["GET", "PATCH", "DELETE"]),
            Route("/v2/positions", w(self.positions), methods=["GET", "DELETE"]),
            Route("/v2/positions/{symbol}", w(self.position), methods=["GET", "DELETE"]),
            Route("/v2/assets", w(self.assets), methods=["GET"]),
            Route("/v2/assets/{symbol}", w(self.asset), methods=["GET"]),
            Route("/v2/clock", w(self.clock), methods=["GET"]),
            Route("/v2/calendar", w(self.calendar), methods=["GET"]),
        ]

    # -- account ---------------------------------------------------------------------------
    async def account(self, _request: Request) -> dict[str, Any]:
        b = self.book
        with b.lock:
            long_value = sum(
                (p.qty * b.market.price(s) for s, p in b.positions.items() if p.qty > 0), Decimal(0)
            )
            short_value = sum(
                (p.qty * b.market.price(s) for s, p in b.positions.items() if p.qty < 0), Decimal(0)
            )
            equity = b.cash + long_value + short_value
            return {
                "id": b.account_id,
                "account_number": "PA3SANDBOX01",
                "status": "ACTIVE",
                "crypto_status": "INACTIVE",
                "currency": "USD",
                "cash": dec(b.cash),
                "buying_power": dec(b.buying_power()),
                "regt_buying_power": dec(b.buying_power()),
                "non_marginable_buying_power": dec(b.buying_power()),
                "options_buying_power": dec(b.buying_power()),
                "equity": dec(equity),
                "last_equity": dec(equity),
                "portfolio_value": dec(equity),
                "long_market_value": dec(long_value),
                "short_market_value": dec(short_value),
                "initial_margin": "0",
                "maintenance_margin": "0",
                "last_maintenance_margin": "0",
                "sma": "0",
                "multiplier": "1",
                "accrued_fees": "0",
                "pending_transfer_in": "0",
                "pending_transfer_out": "0",
                "trading_blocked": False,
                "transfers_blocked": False,
                "account_blocked": False,
                "trade_suspended_by_user": False,
                "shorting_enabled": True,
                "created_at": ts(dt.datetime(2025, 1, 2, tzinfo=dt.UTC)),
                "options_approved_level": 0,
                "options_trading_level": 0,
            }

    async def account_configurations(self, request: Request) -> dict[str, Any]:
        if request.method == "PATCH":
            body = await json_body(request)
            unknown = set(body) - set(self.configurations)
            if unknown:
                raise ApiError(422, 40010001, f"unknown configuration: {sorted(unknown)[0]}")
            self.configurations.update(body)
        return self.configurations

    async def activities(self, request: Request) -> list[dict[str, Any]]:
        q = request.query_params
        kinds = request.path_params.get("kind") or q.get("activity_types", "FILL")
        if "FILL" not in {k.strip().upper() for k in str(kinds).split(",")}:
            return []
        date = q.get("date")
        after, until = parse_time(q.get("after"), "after"), parse_time(q.get("until"), "until")
        with self.book.lock:
            items = list(self.book.activities)
        if date:
            items = [a for a in items if a.at.astimezone(ET).date().isoformat() == date]
        items = [
            a for a in items if (after is None or a.at > after) and (until is None or a.at < until)
        ]
        if q.get("direction", "desc") == "desc":
            items.reverse()
        token = q.get("page_token")
        if token:
            ids = [a.id for a in items]
            if token not in ids:
                raise ApiError(422, 40010001, "invalid page_token")
            items = items[ids.index(token) + 1 :]
        if not date:
            size = int(q.get("page_size", "100"))
            if not 1 <= size <= 100:
                raise ApiError(422, 40010001, "page_size must be between 1 and 100")
            items = items[:size]
        return [a.to_json() for a in items]

    # -- orders ----------------------------------------------------------------------------
    async def orders(self, request: Request) -> Any:
        if request.method == "POST":
            return self.book.submit(await json_body(request)).to_json()
        if request.method == "DELETE":
            with self.book.lock:
                open_ids = [
                    o.id for o in self.book.orders.values() if o.is_open and o.parent is None
                ]
                out = []
                for oid in open_ids:
                    self.book.cancel(oid)
                    out.append({"id": oid, "status": 200, "body": self.book.orders[oid].to_json()})
            return JSONResponse(out, status_code=207)
        return self._list_orders(request)

    def _list_orders(self, request: Request) -> list[dict[str, Any]]:
        q = request.query_params
        status = q.get("status", "open")
        if status not in ("open", "closed", "all"):
            raise ApiError(422, 40010001, f"invalid status: {status}")
        limit = int(q.get("limit", "50"))
        if not 1 <= limit <= 500:
            raise ApiError(422, 40010001, "limit must be between 1 and 500")
        nested = to_bool(q.get("nested"))
        after, until = parse_time(q.get("after"), "after"), parse_time(q.get("until"), "until")
        symbols = {s for s in q.get("symbols", "").split(",") if s}
        side = q.get("side")
        with self.book.lock:
            rows = [
                o
                for o in self.book.orders.values()
                if (status == "all" or (status == "open") == o.is_open)
                and (not nested or o.parent is None)
                and (not symbols or o.symbol in symbols)
                and (side is None or o.side == side)
                and (after is None or o.created_at > after)
                and (until is None or o.created_at < until)
            ]
            rows.sort(
                key=lambda o: (o.created_at, o.seq), reverse=q.get("direction", "desc") == "desc"
            )
            return [o.to_json(nested=nested) for o in rows[:limit]]

    async def order_by_client_id(self, request: Request) -> dict[str, Any]:
        cid = request.query_params.get("client_order_id", "")
        with self.book.lock:
            return self.book.by_client(cid).to_json(
                nested=to_bool(request.query_params.get("nested"))
            )

    async def order(self, request: Request) -> Any:
        oid = request.path_params["order_id"]
        if request.method == "DELETE":
            self.book.cancel(_uuid(oid))
            return Response(status_code=204)
        if request.method == "PATCH":
            return self.book.replace(_uuid(oid), await json_body(request)).to_json()
        with self.book.lock:
            return self.book.get(_uuid(oid)).to_json(
                nested=to_bool(request.query_params.get("nested"))
            )

    # -- positions -------------------------------------------------------------------------
    def _position_json(self, symbol: str, pos: Position) -> dict[str, Any]:
        market = self.book.market
        price = market.price(symbol)
        value = pos.qty * price
        pl = value - pos.cost
        return {
            "asset_id": asset_uuid(symbol),
            "symbol": symbol,
            "exchange": market.listings[symbol].exchange,
            "asset_class": "us_equity",
            "asset_marginable": True,
            "avg_entry_price": dec(pos.avg),
            "qty": dec(pos.qty),
            "qty_available": dec(
                pos.qty - self.book.held_for_sells(symbol) if pos.qty > 0 else pos.qty
            ),
            "side": "long" if pos.qty > 0 else "short",
            "market_value": dec(value),
            "cost_basis": dec(pos.cost),
            "unrealized_pl": dec(pl),
            "unrealized_plpc": dec(
                (pl / abs(pos.cost)).quantize(Decimal("0.000001")) if pos.cost else Decimal(0)
            ),
            "unrealized_intraday_pl": dec(pl),
            "unrealized_intraday_plpc": "0",
            "current_price": dec(price),
            "lastday_price": dec(price),
            "change_today": "0",
        }

    async def positions(self, request: Request) -> Any:
        b = self.book
        if request.method == "DELETE":
            if to_bool(request.query_params.get("cancel_orders")):
                for o in [o for o in b.orders.values() if o.is_open and o.parent is None]:
                    b.cancel(o.id)
            out = []
            for symbol in sorted(b.positions):
                try:
                    out.append(
                        {
                            "symbol": symbol,
                            "status": 200,
                            "body": self._close(symbol, None).to_json(),
                        }
                    )
                except ApiError as err:
                    out.append({"symbol": symbol, "status": err.status, "body": err.body()})
            return JSONResponse(out, status_code=207)
        with b.lock:
            return [self._position_json(s, p) for s, p in sorted(b.positions.items())]

    def _close(self, symbol: str, qty: Decimal | None) -> SbOrder:
        pos = self.book.positions.get(symbol)
        if pos is None:
            raise ApiError(404, 40410000, "position does not exist")
        size = abs(pos.qty) if qty is None else qty
        side = "sell" if pos.qty > 0 else "buy"
        body = {
            "symbol": symbol,
            "qty": str(size),
            "side": side,
            "type": "market",
            "time_in_force": "day",
        }
        return self.book.submit(body)

    async def position(self, request: Request) -> Any:
        symbol = request.path_params["symbol"]
        if request.method == "DELETE":
            q = request.query_params
            qty = to_decimal(q.get("qty"), "qty")
            pct = to_decimal(q.get("percentage"), "percentage")
            pos = self.book.positions.get(symbol)
            if pct is not None and pos is not None:
                qty = (abs(pos.qty) * pct / 100).quantize(Decimal("0.000000001"))
            return self._close(symbol, qty).to_json()
        with self.book.lock:
            pos = self.book.positions.get(symbol)
            if pos is None:
                raise ApiError(404, 40410000, "position does not exist")
            return self._position_json(symbol, pos)

    # -- assets, clock, calendar -----------------------------------------------------------
    def _asset_json(self, symbol: str) -> dict[str, Any]:
        item = self.book.market.listings[symbol]
        return {
            "id": asset_uuid(symbol),
            "class": "us_equity",
            "exchange": item.exchange,
            "symbol": symbol,
            "name": item.name,
            "status": "active",
            "tradable": item.tradable,
            "marginable": True,
            "shortable": item.shortable,
            "easy_to_borrow": item.easy_to_borrow,
            "fractionable": item.fractionable,
            "maintenance_margin_requirement": 30,
            "min_order_size": "1",
            "min_trade_increment": "1",
            "price_increment": "0.01",
            "attributes": [],
        }

    async def assets(self, request: Request) -> list[dict[str, Any]]:
        q = request.query_params
        if (
            q.get("status", "active") != "active"
            or q.get("asset_class", "us_equity") != "us_equity"
        ):
            return []
        exchange = q.get("exchange")
        listings = self.book.market.listings
        return [
            self._asset_json(s)
            for s in sorted(listings)
            if exchange in (None, listings[s].exchange)
        ]

    async def asset(self, request: Request) -> dict[str, Any]:
        key = request.path_params["symbol"]
        symbol = key.split(":")[0]
        by_id = {asset_uuid(s): s for s in self.book.market.listings}
        symbol = by_id.get(key, symbol)
        if symbol not in self.book.market.listings:
            raise ApiError(404, 40410000, "asset not found")
        return self._asset_json(symbol)

    async def clock(self, _request: Request) -> dict[str, Any]:
        market = self.book.market
        now = market.clock.now()
        cal = market.calendar
        return {
            "timestamp": now.astimezone(ET).isoformat(),
            "is_open": cal.is_open(now),
            "next_open": cal.next_open(now).astimezone(ET).isoformat(),
            "next_close": cal.next_close(now).astimezone(ET).isoformat(),
        }

    async def calendar(self, request: Request) -> list[dict[str, Any]]:
        q = request.query_params
        today = self.book.market.clock.now().astimezone(ET).date()
        try:
            start = dt.date.fromisoformat(q.get("start", today.isoformat())[:10])
            end = dt.date.fromisoformat(
                q.get("end", (today + dt.timedelta(days=30)).isoformat())[:10]
            )
        except ValueError:
            raise ApiError(422, 40010001, "invalid start or end date") from None
        out = []
        days = {
            s.date: (
                s.open.astimezone(ET).strftime("%H:%M"),
                s.close.astimezone(ET).strftime("%H:%M"),
            )
            for s in self.book.market.calendar.sessions(start, end)
        }
        for day, hours in self.calendar_overrides.items():
            if start <= day <= end:
                if hours is None:
                    days.pop(day, None)
                else:
                    days[day] = hours
        for day in sorted(days):
            out.append(
                {
                    "date": day.isoformat(),
                    "open": days[day][0],
                    "close": days[day][1],
                    "session_open": "0400",
                    "session_close": "2000",
                    "settlement_date": (day + dt.timedelta(days=1)).isoformat(),
                }
            )
        return out


def _uuid(text: str) -> str:
    try:
        return str(uuid.UUID(text))
    except ValueError:
        raise ApiError(404, 40410000, "order not found") from None
