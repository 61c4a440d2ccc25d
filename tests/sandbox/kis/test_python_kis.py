"""A widely used third-party KIS client, python-kis 2.1.6 (PyPI; Soju06/python-kis), against the
sandbox: quotes, charts, balance, an order, a cancel and realtime subscriptions.

python-kis has no base-URL option: its REST and WebSocket domains are module constants imported
by name (``pykis.kis.REAL_DOMAIN``, ``pykis.client.websocket.WEBSOCKET_REAL_DOMAIN``). Those two
names are the only thing patched; every request, header, tr_id and parser is its own. It runs on
the real-style sandbox (python-kis looks symbols up with search-info, a real-only API).

Not exercised: python-kis's US realtime book. It expects HDFSASP0 with ten levels (71 fields)
while the official samples name 17 (level 1, what the sandbox sends); which one KIS sends for
which subscription is unconfirmed (docs/kis.md).

python-kis compares token expiry with the wall clock, so the sandbox's token lifetime is set long
enough for its fixed session clock (2026-07-09 14:00 KST) never to look expired.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from ouroboros.sandbox.kis import KisSandbox, SandboxConfig
from tests.sandbox.kis.official import KRX_OPEN

pykis = pytest.importorskip("pykis", minversion="2.1.6")
pykis_kis = pytest.importorskip("pykis.kis")
pykis_ws = pytest.importorskip("pykis.client.websocket")


@pytest.fixture
def kis(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, KisSandbox]]:
    config = SandboxConfig(
        virtual=False, rate_limit=0, start=KRX_OPEN, token_lifetime=1e10, auto_step_interval=None
    )
    with KisSandbox(config) as sb:
        monkeypatch.setattr(pykis_kis, "REAL_DOMAIN", sb.base_url)
        monkeypatch.setattr(pykis_ws, "WEBSOCKET_REAL_DOMAIN", sb.ws_url)
        app = sb.app_credentials
        client = pykis.PyKis(
            id=app.hts_id,
            account=app.accounts[0],
            appkey=app.app_key,
            secretkey=app.app_secret,
            keep_token=False,
        )
        try:
            yield client, sb
        finally:
            client.websocket.reconnect = False
            client.websocket.disconnect()


def test_quotes_charts_balance_order_and_cancel(kis: tuple[Any, KisSandbox]) -> None:
    client, sb = kis
    sb.seed_holding("005930.KRX", 10, "65000")
    stock = client.stock("005930")
    quote = stock.quote()
    assert quote.price == sb.price("005930.KRX")
    assert quote.volume > 10_000  # a day's volume
    assert quote.risk == "none"
    assert len(stock.daily_chart().bars) > 20
    assert len(stock.day_chart().bars) == 301  # 09:00 .. 14:00 one-minute bars
    book = stock.orderbook()
    assert len(book.asks) == 10
    assert book.asks[0].price > book.bids[0].price
    holdings = {s.symbol: s.qty for s in client.account().balance().stocks}
    assert holdings["005930"] == Decimal(10)
    order = stock.buy(qty=1, price=60000)
    pending = client.account().pending_orders()
    assert [o.order_number.number for o in pending.orders] == [order.number]
    order.cancel()
    states = [(o.odno, o.kind, o.status) for o in sb.orders()]
    assert states[0] == (order.number, "new", "canceled")
    assert states[1][1:] == ("cancel", "confirmed")
    us = client.stock("AAPL")
    assert us.market == "NASDAQ"
    assert us.quote().price == sb.price("AAPL.NASDAQ")


def _wait(event: threading.Event, poke: Any) -> bool:
    for _ in range(100):
        poke()
        if event.wait(0.1):
            return True
    return False


def test_realtime_trades_and_book(kis: tuple[Any, KisSandbox]) -> None:
    client, sb = kis
    got: dict[str, list[Any]] = {"kr": [], "us": [], "book": []}
    done = {k: threading.Event() for k in got}

    def sink(key: str) -> Any:
        return lambda _sender, e: (got[key].append(e.response), done[key].set())

    tickets = [client.stock("005930").on("price", sink("kr"))]
    assert _wait(done["kr"], lambda: sb.set_price("005930.KRX", "71200", 5))
    tickets.append(client.stock("AAPL").on("price", sink("us")))
    assert _wait(done["us"], lambda: sb.set_price("AAPL.NASDAQ", "231.5", 5))
    tickets.append(client.stock("005930").on("orderbook", sink("book")))
    assert _wait(done["book"], lambda: sb.set_price("005930.KRX", "71300", 5))
    kr, us = got["kr"][0], got["us"][0]
    assert (kr.symbol, kr.price) == ("005930", Decimal(71200))
    assert (us.symbol, us.price) == ("AAPL", Decimal("231.5"))
    assert us.time.utcoffset().total_seconds() == -4 * 3600  # read as New York local time
    for ticket in tickets:
        ticket.unsubscribe()
