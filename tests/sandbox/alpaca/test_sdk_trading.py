"""alpaca-py's TradingClient, unchanged, against the sandbox (reference §0, §4, §8)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import requests
from alpaca.common.exceptions import APIError
from alpaca.trading.client import TradingClient
from alpaca.trading.enums import OrderClass, OrderSide, OrderStatus, QueryOrderStatus, TimeInForce
from alpaca.trading.requests import (
    GetCalendarRequest,
    GetOrderByIdRequest,
    GetOrdersRequest,
    LimitOrderRequest,
    MarketOrderRequest,
    ReplaceOrderRequest,
    StopLossRequest,
    StopOrderRequest,
    TakeProfitRequest,
    TrailingStopOrderRequest,
)

from ouroboros.sandbox.alpaca import AlpacaSandbox


def buy(symbol: str, qty: float, cid: str | None = None) -> MarketOrderRequest:
    return MarketOrderRequest(
        symbol=symbol,
        qty=qty,
        side=OrderSide.BUY,
        time_in_force=TimeInForce.DAY,
        client_order_id=cid,
    )


def limit(symbol: str, qty: float, side: OrderSide, price: float) -> LimitOrderRequest:
    return LimitOrderRequest(
        symbol=symbol, qty=qty, side=side, time_in_force=TimeInForce.DAY, limit_price=price
    )


def test_account_assets_clock_and_calendar(trading: TradingClient) -> None:
    account = trading.get_account()
    assert account.status.value == "ACTIVE"
    assert Decimal(str(account.buying_power)) == 100_000
    asset = trading.get_asset("AAPL")
    assert asset.fractionable
    assert asset.tradable
    assert asset.shortable
    assert {a.symbol for a in trading.get_all_assets()} >= {"AAPL", "MSFT", "SPY"}
    clock = trading.get_clock()
    assert clock.is_open  # 2026-01-05 15:00 UTC is 10:00 ET on a Monday
    assert clock.next_close.utcoffset() == dt.timedelta(hours=-5)
    days = trading.get_calendar(
        GetCalendarRequest(start=dt.date(2026, 1, 1), end=dt.date(2026, 1, 9))
    )
    assert next(d.date for d in days) == dt.date(2026, 1, 2)  # New Year's Day is a holiday
    assert days[0].open == dt.datetime(2026, 1, 2, 9, 30)


def test_market_order_fills_and_is_found_by_client_order_id(trading: TradingClient) -> None:
    order = trading.submit_order(buy("AAPL", 10, "sdk-mkt-1"))
    assert order.status is OrderStatus.FILLED
    assert order.created_at.tzinfo is not None
    assert order.submitted_at is not None
    found = trading.get_order_by_client_id("sdk-mkt-1")
    assert found.id == order.id
    assert trading.get_open_position("AAPL").qty == "10"
    with pytest.raises(APIError) as dup:
        trading.submit_order(buy("AAPL", 1, "sdk-mkt-1"))
    assert dup.value.status_code == 422
    assert dup.value.code == 40010001


def test_canceled_client_order_id_stays_taken(trading: TradingClient) -> None:
    order = trading.submit_order(
        LimitOrderRequest(
            symbol="MSFT",
            qty=1,
            side=OrderSide.BUY,
            time_in_force=TimeInForce.GTC,
            limit_price=300,
            client_order_id="sdk-once",
        )
    )
    trading.cancel_order_by_id(order.id)
    assert trading.get_order_by_id(order.id).status is OrderStatus.CANCELED
    with pytest.raises(APIError) as dup:
        trading.submit_order(buy("MSFT", 1, "sdk-once"))
    assert dup.value.code == 40010001


def test_replace_gives_a_new_id_and_the_old_order_becomes_replaced(trading: TradingClient) -> None:
    old = trading.submit_order(limit("MSFT", 5, OrderSide.BUY, 400))
    assert old.status is OrderStatus.NEW
    new = trading.replace_order_by_id(old.id, ReplaceOrderRequest(qty=6, limit_price=401))
    assert new.id != old.id
    assert str(new.replaces) == str(old.id)
    again = trading.get_order_by_id(old.id)
    assert again.status is OrderStatus.REPLACED
    assert str(again.replaced_by) == str(new.id)
    with pytest.raises(APIError) as unchanged:
        trading.replace_order_by_id(new.id, ReplaceOrderRequest(qty=6, limit_price=401))
    assert (unchanged.value.status_code, unchanged.value.code) == (403, 40310000)


def test_cancel_of_a_filled_order_is_422(trading: TradingClient) -> None:
    order = trading.submit_order(buy("AAPL", 1))
    with pytest.raises(APIError) as err:
        trading.cancel_order_by_id(order.id)
    assert err.value.status_code == 422
    assert "filled" in err.value.message


def test_buying_power_held_qty_and_wash_trade_are_403(trading: TradingClient) -> None:
    with pytest.raises(APIError) as poor:
        trading.submit_order(buy("AAPL", 10_000))
    assert (poor.value.status_code, poor.value.code) == (403, 40310000)
    assert "buying power" in poor.value.message
    trading.submit_order(buy("AAPL", 5))
    trading.submit_order(limit("AAPL", 5, OrderSide.SELL, 250))
    with pytest.raises(APIError) as held:
        trading.submit_order(limit("AAPL", 1, OrderSide.SELL, 251))
    assert "insufficient qty available" in held.value.message
    with pytest.raises(APIError) as wash:
        trading.submit_order(limit("AAPL", 1, OrderSide.BUY, 260))
    assert "wash trade" in wash.value.message
    trading.submit_order(limit("AAPL", 1, OrderSide.BUY, 180))  # cannot cross the 250 sell


def test_sub_penny_limit_is_422_42210000(trading: TradingClient) -> None:
    with pytest.raises(APIError) as err:
        trading.submit_order(limit("AAPL", 1, OrderSide.BUY, 189.995))
    assert (err.value.status_code, err.value.code) == (422, 42210000)


def test_resting_orders_fill_when_the_price_moves(
    sandbox: AlpacaSandbox, trading: TradingClient
) -> None:
    resting = trading.submit_order(limit("AAPL", 3, OrderSide.BUY, 185))
    trading.submit_order(buy("MSFT", 2))
    stop = trading.submit_order(
        StopOrderRequest(
            symbol="MSFT", qty=1, side=OrderSide.SELL, time_in_force=TimeInForce.GTC, stop_price=400
        )
    )
    trail = trading.submit_order(
        TrailingStopOrderRequest(
            symbol="MSFT", qty=1, side=OrderSide.SELL, time_in_force=TimeInForce.DAY, trail_price=5
        )
    )
    sandbox.set_price("AAPL", "184.50")
    assert trading.get_order_by_id(resting.id).status is OrderStatus.FILLED
    sandbox.set_price("MSFT", "420.00")
    assert trading.get_order_by_id(trail.id).status is OrderStatus.NEW
    sandbox.set_price("MSFT", "414.00")
    assert trading.get_order_by_id(trail.id).status is OrderStatus.FILLED
    assert trading.get_order_by_id(stop.id).status is OrderStatus.NEW
    sandbox.set_price("MSFT", "399.00")
    assert trading.get_order_by_id(stop.id).status is OrderStatus.FILLED


def test_partial_fills_from_thin_liquidity_and_the_fault(
    sandbox: AlpacaSandbox, trading: TradingClient
) -> None:
    sandbox.set_liquidity("AAPL", 2)
    order = trading.submit_order(limit("AAPL", 5, OrderSide.BUY, 191))
    assert order.status is OrderStatus.PARTIALLY_FILLED
    assert order.filled_qty == "2"
    sandbox.set_price("AAPL", "190.00", liquidity=10**6)
    assert trading.get_order_by_id(order.id).status is OrderStatus.FILLED
    sandbox.partial_fill_next()
    half = trading.submit_order(buy("MSFT", 4))
    assert (half.status, half.filled_qty) == (OrderStatus.PARTIALLY_FILLED, "2")


def test_bracket_legs_are_held_until_the_entry_fills(
    sandbox: AlpacaSandbox, trading: TradingClient
) -> None:
    entry = trading.submit_order(
        LimitOrderRequest(
            symbol="AAPL",
            qty=4,
            side=OrderSide.BUY,
            time_in_force=TimeInForce.GTC,
            limit_price=185,
            order_class=OrderClass.BRACKET,
            take_profit=TakeProfitRequest(limit_price=200),
            stop_loss=StopLossRequest(stop_price=180),
        )
    )
    assert entry.legs is not None
    assert {leg.status for leg in entry.legs} == {OrderStatus.HELD}
    sandbox.set_price("AAPL", "185.00")
    legs = trading.get_order_by_id(entry.id, GetOrderByIdRequest(nested=True)).legs or []
    assert {leg.type.value: leg.status for leg in legs} == {
        "limit": OrderStatus.NEW,
        "stop": OrderStatus.HELD,
    }
    sandbox.set_price("AAPL", "201.00")
    legs = trading.get_order_by_id(entry.id, GetOrderByIdRequest(nested=True)).legs or []
    assert {leg.type.value: leg.status for leg in legs} == {
        "limit": OrderStatus.FILLED,
        "stop": OrderStatus.CANCELED,
    }
    assert sandbox.positions() == {}


def test_orders_listing_positions_and_close(sandbox: AlpacaSandbox, trading: TradingClient) -> None:
    trading.submit_order(buy("AAPL", 2))
    trading.submit_order(limit("MSFT", 1, OrderSide.BUY, 300))
    assert len(trading.get_orders()) == 1  # open by default
    everything = trading.get_orders(GetOrdersRequest(status=QueryOrderStatus.ALL, nested=True))
    assert len(everything) == 2
    [position] = trading.get_all_positions()
    assert (position.symbol, position.qty, position.side.value) == ("AAPL", "2", "long")
    closing = trading.close_position("AAPL")
    assert closing.status is OrderStatus.FILLED
    assert trading.get_all_positions() == []
    canceled = trading.cancel_orders()
    assert [c.status for c in canceled] == [200]


def test_fill_activities_through_the_raw_get(trading: TradingClient) -> None:
    trading.submit_order(buy("AAPL", 3))
    trading.submit_order(buy("MSFT", 1))
    rows = trading.get("/account/activities", {"activity_types": "FILL", "page_size": 1})
    assert isinstance(rows, list)
    assert len(rows) == 1
    assert rows[0]["symbol"] == "MSFT"  # newest first
    more = trading.get(
        "/account/activities", {"activity_types": "FILL", "page_token": rows[0]["id"]}
    )
    assert isinstance(more, list)
    assert [r["symbol"] for r in more] == ["AAPL"]


def test_errors_are_json_and_there_are_no_redirects(sandbox: AlpacaSandbox) -> None:
    bad = requests.get(f"{sandbox.base_url}/v2/account", timeout=5)
    assert bad.status_code == 401
    assert isinstance(bad.json()["code"], int)
    slash = requests.get(
        f"{sandbox.base_url}/v2/account/",
        headers={
            "APCA-API-KEY-ID": sandbox.config.key_id,
            "APCA-API-SECRET-KEY": sandbox.config.secret_key,
        },
        allow_redirects=False,
        timeout=5,
    )
    assert slash.status_code == 404  # never a 30x


def test_sdk_retries_429_and_504_and_raises_other_5xx(
    sandbox: AlpacaSandbox, trading: TradingClient
) -> None:
    sandbox.queue_fault("429", path_contains="/v2/account")
    sandbox.queue_fault("504", path_contains="/v2/account")
    assert trading.get_account().status.value == "ACTIVE"
    assert sandbox.stats()["faults"] == {"429": 1, "504": 1}
    sandbox.queue_fault("500", path_contains="/v2/clock")
    with pytest.raises(APIError) as err:
        trading.get_clock()
    assert err.value.status_code == 500
    assert err.value.code == 50010000


def test_rejection_fault_yields_a_rejected_order(
    sandbox: AlpacaSandbox, trading: TradingClient
) -> None:
    sandbox.reject_next("sandbox says no")
    order = trading.submit_order(buy("AAPL", 1))
    assert order.status is OrderStatus.REJECTED
    assert sandbox.positions() == {}


def test_day_orders_expire_at_the_close_and_gtc_orders_stay(
    sandbox: AlpacaSandbox, trading: TradingClient
) -> None:
    day = trading.submit_order(limit("AAPL", 1, OrderSide.BUY, 150))
    gtc = trading.submit_order(
        LimitOrderRequest(
            symbol="AAPL", qty=1, side=OrderSide.BUY, time_in_force=TimeInForce.GTC,
            limit_price=150,
        )
    )  # fmt: skip
    sandbox.set_clock(dt.datetime(2026, 1, 5, 20, 59, 30, tzinfo=dt.UTC))  # 15:59:30 ET
    sandbox.step()
    assert trading.get_order_by_id(day.id).status is OrderStatus.EXPIRED
    assert trading.get_order_by_id(gtc.id).status is OrderStatus.NEW


def test_generated_ids_are_deterministic_for_a_seed() -> None:
    def ids() -> list[str]:
        with AlpacaSandbox() as box:
            client = TradingClient("SANDBOXKEY", "sandbox-secret", url_override=box.base_url)
            order = client.submit_order(buy("AAPL", 1))
            return [str(order.id), order.client_order_id]

    assert ids() == ids()


def test_http_controls_drive_the_sandbox(sandbox: AlpacaSandbox, trading: TradingClient) -> None:
    def control(action: str, **data: object) -> dict[str, object]:
        reply = requests.post(f"{sandbox.base_url}/_sandbox/{action}", json=data, timeout=5)
        assert reply.status_code == 200, reply.text
        body: dict[str, object] = reply.json()
        return body

    control("clock", at="2026-01-06T15:00:00+00:00")
    control("liquidity", symbol="AAPL", liquidity=1)
    partial = trading.submit_order(buy("AAPL", 3))
    assert partial.filled_qty == "1"
    control("price", symbol="AAPL", price="190.00", liquidity=1000)
    control("reject", reason="no")
    assert trading.submit_order(buy("MSFT", 1)).status is OrderStatus.REJECTED
    control("partial")
    assert trading.submit_order(buy("MSFT", 4)).filled_qty == "2"
    state = control("step", steps=2)
    assert state["clock"] == "2026-01-06T15:02:00+00:00"
    control("fault", kind="500", path_contains="/v2/clock")
    with pytest.raises(APIError):
        trading.get_clock()
    bad = requests.post(f"{sandbox.base_url}/_sandbox/price", json={}, timeout=5)
    assert bad.status_code == 422
    assert "bad sandbox control" in bad.json()["message"]
