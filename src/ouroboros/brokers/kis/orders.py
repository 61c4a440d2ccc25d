"""Order, modify and cancel requests for domestic and overseas accounts (reference §4.5-4.6, §5.3).

Bodies use KIS's UPPERCASE keys and string numbers. Domestic orders carry
``KRX_FWDG_ORD_ORGNO`` on modify/cancel; overseas ones must not (PK#16).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ouroboros.brokers.kis.client import KisClient
from ouroboros.brokers.kis.config import KisAccount
from ouroboros.brokers.kis.exchanges import KisMarket
from ouroboros.brokers.kis.wire import OrderOutput
from ouroboros.domain.orders import OrderSide

DOMESTIC_ORDER = "/uapi/domestic-stock/v1/trading/order-cash"
DOMESTIC_REVISE = "/uapi/domestic-stock/v1/trading/order-rvsecncl"
OVERSEAS_ORDER = "/uapi/overseas-stock/v1/trading/order"
OVERSEAS_REVISE = "/uapi/overseas-stock/v1/trading/order-rvsecncl"

LIMIT = "00"
MARKET = "01"


@dataclass(frozen=True, slots=True)
class OrderTicket:
    """What is sent for one new order, venue-neutral."""

    market: KisMarket
    symbol: str
    side: OrderSide
    quantity: Decimal
    price: Decimal  # 0 for a domestic market order
    ord_dvsn: str


def plain(value: Decimal) -> str:
    """A string number as KIS wants it: no exponent, no trailing zeros beyond the value."""
    text = format(value.normalize(), "f")
    return text if text != "-0" else "0"


def _account(account: KisAccount) -> dict[str, str]:
    return {"CANO": account.cano, "ACNT_PRDT_CD": account.product_code}


def order_body(account: KisAccount, ticket: OrderTicket) -> dict[str, str]:
    if ticket.market.domestic:
        return {
            **_account(account),
            "PDNO": ticket.symbol,
            "ORD_DVSN": ticket.ord_dvsn,
            "ORD_QTY": plain(ticket.quantity),
            "ORD_UNPR": plain(ticket.price),
            "EXCG_ID_DVSN_CD": "KRX",
        }
    return {
        **_account(account),
        "OVRS_EXCG_CD": ticket.market.ovrs_excg_cd,
        "PDNO": ticket.symbol,
        "ORD_QTY": plain(ticket.quantity),
        "OVRS_ORD_UNPR": plain(ticket.price),
        "CTAC_TLNO": "",
        "MGCO_APTM_ODNO": "",
        "SLL_TYPE": "00" if ticket.side is OrderSide.SELL else "",
        "ORD_SVR_DVSN_CD": "0",
        "ORD_DVSN": ticket.ord_dvsn,
    }


def revise_body(
    account: KisAccount,
    market: KisMarket,
    symbol: str,
    odno: str,
    org_no: str,
    *,
    cancel: bool,
    quantity: Decimal | None,
    price: Decimal | None,
    ord_dvsn: str = LIMIT,
) -> dict[str, str]:
    """Modify (``01``) or cancel (``02``); ``quantity`` None means all remaining shares."""
    code = "02" if cancel else "01"
    qty = "0" if quantity is None else plain(quantity)
    unpr = "0" if cancel or price is None else plain(price)
    if market.domestic:
        return {
            **_account(account),
            "KRX_FWDG_ORD_ORGNO": org_no,
            "ORGN_ODNO": odno,
            "ORD_DVSN": ord_dvsn,
            "RVSE_CNCL_DVSN_CD": code,
            "ORD_QTY": qty,
            "ORD_UNPR": unpr,
            "QTY_ALL_ORD_YN": "Y" if quantity is None else "N",
            "EXCG_ID_DVSN_CD": "KRX",
        }
    return {
        **_account(account),
        "OVRS_EXCG_CD": market.ovrs_excg_cd,
        "PDNO": symbol,
        "ORGN_ODNO": odno,
        "RVSE_CNCL_DVSN_CD": code,
        "ORD_QTY": qty,
        "OVRS_ORD_UNPR": unpr,
        "MGCO_APTM_ODNO": "",
        "ORD_SVR_DVSN_CD": "0",
    }


async def place(client: KisClient, account: KisAccount, ticket: OrderTicket) -> OrderOutput:
    path = DOMESTIC_ORDER if ticket.market.domestic else OVERSEAS_ORDER
    tr_id = ticket.market.order_tr_id(ticket.side, client.virtual)
    response = await client.post_order(path, tr_id, order_body(account, ticket))
    return OrderOutput.model_validate(response.one())


async def revise(client: KisClient, market: KisMarket, body: dict[str, str]) -> OrderOutput:
    path = DOMESTIC_REVISE if market.domestic else OVERSEAS_REVISE
    response = await client.post_order(path, client.tr(market.revise_cancel), body)
    return OrderOutput.model_validate(response.one())
