"""alpaca-py's TradingStream and StockDataStream, unchanged, against the sandbox's streams
(reference §5, §7): first frames, authorization, JSON trade_updates, msgpack Timestamps."""

from __future__ import annotations

import json
import threading
import warnings
from collections.abc import Iterator
from typing import Any

import msgpack
import pytest
from alpaca.trading.client import TradingClient
from alpaca.trading.enums import OrderSide, TimeInForce
from alpaca.trading.requests import LimitOrderRequest, MarketOrderRequest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from ouroboros.sandbox.alpaca import AlpacaSandbox

from .conftest import wait_until

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from alpaca.data.live import StockDataStream
    from alpaca.trading.stream import TradingStream

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


class Running:
    """An SDK stream's blocking ``run()`` on its own thread, stopped on exit."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.thread = threading.Thread(target=stream.run, daemon=True)

    def __enter__(self) -> Running:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stream.stop()
        self.thread.join(timeout=15)


@pytest.fixture
def received() -> Iterator[list[Any]]:
    return []


def listening(sandbox: AlpacaSandbox, kind: str) -> bool:
    conns = list(sandbox.hub.conns)
    if kind == "trading":
        return any(c.kind == "trading" and c.listening for c in conns)
    return any(c.kind == "data" and c.subs["bars"] and c.subs["trades"] for c in conns)


def test_trading_stream_delivers_new_fill_and_canceled_updates(
    sandbox: AlpacaSandbox, trading: TradingClient, received: list[Any]
) -> None:
    stream = TradingStream(
        sandbox.config.key_id, sandbox.config.secret_key, url_override=sandbox.trade_stream_url
    )

    async def on_update(update: Any) -> None:
        received.append(update)

    stream.subscribe_trade_updates(on_update)
    with Running(stream):
        wait_until(lambda: listening(sandbox, "trading"), "the trade_updates subscription")
        filled = trading.submit_order(
            MarketOrderRequest(
                symbol="AAPL", qty=2, side=OrderSide.BUY, time_in_force=TimeInForce.DAY
            )
        )
        resting = trading.submit_order(
            LimitOrderRequest(
                symbol="MSFT",
                qty=1,
                side=OrderSide.BUY,
                time_in_force=TimeInForce.DAY,
                limit_price=300,
            )
        )
        trading.cancel_order_by_id(resting.id)
        wait_until(lambda: len(received) >= 4, "four trade updates")
    events = [(str(u.order.id), str(u.event)) for u in received]
    assert (str(filled.id), "fill") in events
    assert (str(resting.id), "canceled") in events
    fill = next(u for u in received if str(u.event) == "fill")
    assert (fill.qty, fill.price, fill.position_qty) == (2.0, 190.0, 2.0)
    assert fill.execution_id is not None
    assert fill.timestamp.tzinfo is not None


def test_data_stream_gets_msgpack_trades_quotes_and_minute_bars(
    sandbox: AlpacaSandbox, received: list[Any]
) -> None:
    stream = StockDataStream(
        sandbox.config.key_id, sandbox.config.secret_key, url_override=sandbox.data_stream_url()
    )

    async def on_message(message: Any) -> None:
        received.append(message)

    stream.subscribe_trades(on_message, "AAPL")
    stream.subscribe_quotes(on_message, "AAPL")
    stream.subscribe_bars(on_message, "*")
    with Running(stream):
        wait_until(lambda: listening(sandbox, "data"), "the data subscription")
        sandbox.step()
        wait_until(lambda: len(received) >= 2 + 5, "a trade, a quote and five minute bars")
    kinds = {type(m).__name__ for m in received}
    assert kinds == {"Trade", "Quote", "Bar"}
    bars = [m for m in received if type(m).__name__ == "Bar"]
    assert {b.symbol for b in bars} == {"AAPL", "MSFT", "SPY", "IBM", "PENNY"}
    assert all(b.timestamp.tzinfo is not None and b.vwap is not None for b in bars)
    trade = next(m for m in received if type(m).__name__ == "Trade")
    assert trade.symbol == "AAPL"
    assert trade.price == float(sandbox.price("AAPL"))


def test_raw_data_stream_frames_are_msgpack_with_timestamp_ext(sandbox: AlpacaSandbox) -> None:
    url = sandbox.data_stream_url("sip")
    with connect(url, additional_headers={"Content-Type": "application/msgpack"}) as ws:
        assert msgpack.unpackb(ws.recv()) == [{"T": "success", "msg": "connected"}]
        ws.send(msgpack.packb({"action": "auth", "key": "wrong", "secret": "x"}))
        assert msgpack.unpackb(ws.recv())[0] == {"T": "error", "code": 402, "msg": "auth failed"}
        ws.send(
            msgpack.packb(
                {
                    "action": "auth",
                    "key": sandbox.config.key_id,
                    "secret": sandbox.config.secret_key,
                }
            )
        )
        assert msgpack.unpackb(ws.recv())[0]["msg"] == "authenticated"
        ws.send(msgpack.packb({"action": "subscribe", "trades": ["MSFT"]}))
        ack = msgpack.unpackb(ws.recv())[0]
        assert (ack["T"], ack["trades"], ack["bars"]) == ("subscription", ["MSFT"], [])
        sandbox.set_price("MSFT", "411.00")
        [trade] = msgpack.unpackb(ws.recv())
        assert isinstance(trade["t"], msgpack.Timestamp)
        assert trade["p"] == 411.0


def test_trade_stream_first_frame_is_the_authorization(sandbox: AlpacaSandbox) -> None:
    with connect(sandbox.trade_stream_url) as ws:
        ws.send(json.dumps({"action": "listen", "data": {"streams": ["trade_updates"]}}))
        assert json.loads(ws.recv())["data"] == {"status": "unauthorized", "action": "listen"}
        auth = {"key_id": sandbox.config.key_id, "secret_key": sandbox.config.secret_key}
        ws.send(json.dumps({"action": "authenticate", "data": auth}))
        assert json.loads(ws.recv())["data"]["status"] == "authorized"
        ws.send(json.dumps({"action": "listen", "data": {"streams": ["trade_updates"]}}))
        assert json.loads(ws.recv()) == {
            "stream": "listening",
            "data": {"streams": ["trade_updates"]},
        }
        assert sandbox.drop_streams() == 1
        with pytest.raises(ConnectionClosed):
            ws.recv()
