"""Order entry at the sandbox: a request body checked and turned into an order (with its
bracket/OCO/OTO legs), as Alpaca validates it (reference §3, §4.2)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ouroboros.sandbox.alpaca.orders import SbOrder
from ouroboros.sandbox.alpaca.wire import ApiError, dec, to_decimal

if TYPE_CHECKING:
    from ouroboros.sandbox.alpaca.book import Book

TYPES = frozenset({"market", "limit", "stop", "stop_limit", "trailing_stop"})
TIFS = frozenset({"day", "gtc", "opg", "cls", "ioc", "fok"})
CLASSES = frozenset({"", "simple", "bracket", "oco", "oto"})


def _price_ok(price: Decimal) -> bool:
    places = 2 if price >= 1 else 4
    return price == price.quantize(Decimal(1).scaleb(-places))


def validated(book: Book, body: dict[str, Any]) -> SbOrder:
    symbol = str(body.get("symbol") or "")
    listing = book.market.listing(symbol)
    if listing is None:
        raise ApiError(422, 40010001, f'asset "{symbol}" not found')
    if not listing.tradable:
        raise ApiError(422, 40010001, f"asset {symbol} is not tradable")
    side, kind = str(body.get("side", "")), str(body.get("type", ""))
    tif = str(body.get("time_in_force", ""))
    if side not in ("buy", "sell"):
        raise ApiError(422, 40010001, f"invalid side: {side!r}")
    if kind not in TYPES:
        raise ApiError(422, 40010001, f"invalid order type: {kind!r}")
    if tif not in TIFS:
        raise ApiError(422, 40010001, f"invalid time_in_force: {tif!r}")
    cid = str(body.get("client_order_id") or book.new_id())
    if len(cid) > 48:
        raise ApiError(422, 40010001, "client_order_id must be no more than 48 characters")
    if cid in book.used_client_ids:
        raise ApiError(422, 40010001, "client_order_id must be unique")
    qty, notional = (
        to_decimal(body.get("qty"), "qty"),
        to_decimal(body.get("notional"), "notional"),
    )
    if (qty is None) == (notional is None):
        raise ApiError(400, 40010000, "qty or notional is required, but not both")
    if (qty is not None and qty <= 0) or (notional is not None and notional <= 0):
        raise ApiError(422, 40010001, "qty must be > 0")
    fractional = notional is not None or (qty is not None and qty != qty.to_integral_value())
    if fractional and not listing.fractionable:
        raise ApiError(422, 40010001, "requested asset is not fractionable")
    if fractional and (kind != "market" or tif != "day"):
        raise ApiError(
            422, 40010001, "fractional orders must be market orders with day time_in_force"
        )
    order = SbOrder(
        book.new_id(),
        cid,
        symbol,
        side,
        kind,
        tif,
        qty,
        notional,
        book.now(),
        limit_price=to_decimal(body.get("limit_price"), "limit_price"),
        stop_price=to_decimal(body.get("stop_price"), "stop_price"),
        trail_price=to_decimal(body.get("trail_price"), "trail_price"),
        trail_percent=to_decimal(body.get("trail_percent"), "trail_percent"),
        extended_hours=bool(body.get("extended_hours", False)),
        order_class=str(body.get("order_class") or ""),
        status="new",
    )
    check_prices(book, order)
    attach_legs(book, order, body)
    return order


def check_prices(book: Book, order: SbOrder) -> None:
    if order.type in ("limit", "stop_limit") and order.limit_price is None:
        raise ApiError(422, 40010001, "limit_price is required for limit orders")
    if order.type in ("stop", "stop_limit") and order.stop_price is None:
        raise ApiError(422, 40010001, "stop_price is required for stop orders")
    if order.type == "trailing_stop":
        if (order.trail_price is None) == (order.trail_percent is None):
            raise ApiError(
                422, 40010001, "trailing_stop needs exactly one of trail_price, trail_percent"
            )
        if order.time_in_force not in ("day", "gtc"):
            raise ApiError(422, 40010001, "trailing_stop orders must be day or gtc")
        order.hwm = book.market.price(order.symbol)
    for name in ("limit_price", "stop_price"):
        value: Decimal | None = getattr(order, name)
        if value is not None and (value <= 0 or not _price_ok(value)):
            raise ApiError(
                422,
                42210000,
                f"invalid {name} {dec(value)}. sub-penny increment does not fulfill "
                "minimum pricing criteria",
            )
    if order.extended_hours and (order.type != "limit" or order.time_in_force != "day"):
        raise ApiError(422, 40010001, "extended hours order must be DAY limit orders")


def attach_legs(book: Book, order: SbOrder, body: dict[str, Any]) -> None:
    cls = order.order_class
    if cls not in CLASSES:
        raise ApiError(422, 40010001, f"invalid order_class: {cls!r}")
    if cls in ("", "simple"):
        return
    tp, sl = body.get("take_profit"), body.get("stop_loss")
    if cls in ("bracket", "oco") and not (isinstance(tp, dict) and isinstance(sl, dict)):
        raise ApiError(422, 40010001, f"{cls} orders require take_profit and stop_loss")
    if cls == "oto" and not (isinstance(tp, dict) or isinstance(sl, dict)):
        raise ApiError(422, 40010001, "oto orders require take_profit or stop_loss")
    exit_side = "sell" if order.side == "buy" else "buy"
    if cls == "oco":  # the order itself is the take-profit; the leg is the stop
        tp = None
    if isinstance(tp, dict):
        price = to_decimal(tp.get("limit_price"), "take_profit.limit_price")
        if price is None:
            raise ApiError(422, 40010001, "bracket orders require take_profit.limit_price")
        order.legs.append(leg_of(book, order, exit_side, "limit", price, None))
    if isinstance(sl, dict):
        stop = to_decimal(sl.get("stop_price"), "stop_loss.stop_price")
        if stop is None:
            raise ApiError(422, 40010001, "stop_loss.stop_price is required")
        limit = to_decimal(sl.get("limit_price"), "stop_loss.limit_price")
        order.legs.append(
            leg_of(book, order, exit_side, "stop_limit" if limit else "stop", limit, stop)
        )
    for leg in order.legs:
        check_prices(book, leg)


def leg_of(
    book: Book, parent: SbOrder, side: str, kind: str, limit: Decimal | None, stop: Decimal | None
) -> SbOrder:
    status = "new" if parent.order_class == "oco" else "held"
    return SbOrder(
        book.new_id(),
        book.new_id(),
        parent.symbol,
        side,
        kind,
        parent.time_in_force,
        parent.qty,
        None,
        parent.created_at,
        limit_price=limit,
        stop_price=stop,
        order_class=parent.order_class,
        status=status,
        parent=parent.id,
    )
