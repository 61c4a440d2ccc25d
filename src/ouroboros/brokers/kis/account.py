"""Account inquiries for reconciliation: the daily order list, holdings and cash, every page.

Domestic: ``inquire-daily-ccld`` (FK100/NK100), ``inquire-balance``, ``inquire-psbl-order``.
Overseas: ``inquire-ccnl`` and ``inquire-balance`` (FK200/NK200) per trade exchange code, and
``inquire-present-balance`` for cash per currency (reference §5.4 warns virtual accounts may
populate only ``output3``; the adapter then reports what it gets).
"""

from __future__ import annotations

import logging
from datetime import date
from decimal import Decimal

from ouroboros.brokers.kis import exchanges as kx
from ouroboros.brokers.kis.client import KisClient
from ouroboros.brokers.kis.config import KisAccount
from ouroboros.brokers.kis.parsers import (
    VenueOrderState,
    dec,
    parse_domestic_order,
    parse_domestic_position,
    parse_overseas_order,
    parse_overseas_position,
)
from ouroboros.brokers.kis.wire import (
    DomesticBalanceSummary,
    DomesticBuyingPower,
    DomesticCcldRow,
    DomesticHolding,
    OverseasCcnlRow,
    OverseasCurrencyBalance,
    OverseasHolding,
)
from ouroboros.domain.currency import Currency
from ouroboros.execution.ports import BalanceReport, PositionReport

log = logging.getLogger("ouroboros.brokers.kis.account")

D = "/uapi/domestic-stock/v1/trading"
O = "/uapi/overseas-stock/v1/trading"  # noqa: E741


def _acct(account: KisAccount) -> dict[str, str]:
    return {"CANO": account.cano, "ACNT_PRDT_CD": account.product_code}


async def domestic_orders(
    client: KisClient, account: KisAccount, start: date, end: date, symbol: str = ""
) -> list[VenueOrderState]:
    params = {
        **_acct(account),
        "INQR_STRT_DT": start.strftime("%Y%m%d"),
        "INQR_END_DT": end.strftime("%Y%m%d"),
        "SLL_BUY_DVSN_CD": "00",
        "INQR_DVSN": "01",
        "PDNO": symbol,
        "CCLD_DVSN": "00",
        "ORD_GNO_BRNO": "",
        "ODNO": "",
        "INQR_DVSN_3": "00",
        "INQR_DVSN_1": "",
        "EXCG_ID_DVSN_CD": "KRX",
    }
    tr_id = client.tr(kx.DOMESTIC_DAILY_CCLD)
    out: list[VenueOrderState] = []
    async for page in client.paginate(f"{D}/inquire-daily-ccld", tr_id, params):
        out.extend(
            parse_domestic_order(DomesticCcldRow.model_validate(r)) for r in page.rows("output1")
        )
    return out


async def overseas_orders(
    client: KisClient,
    account: KisAccount,
    market: kx.KisMarket,
    start: date,
    end: date,
    symbol: str = "",
) -> list[VenueOrderState]:
    params = {
        **_acct(account),
        "PDNO": symbol or ("" if client.virtual else "%"),
        "ORD_STRT_DT": start.strftime("%Y%m%d"),
        "ORD_END_DT": end.strftime("%Y%m%d"),
        "SLL_BUY_DVSN": "00",
        "CCLD_NCCS_DVSN": "00",
        "OVRS_EXCG_CD": market.ovrs_excg_cd,
        "SORT_SQN": "AS",
        "ORD_DT": "",
        "ORD_GNO_BRNO": "",
        "ODNO": "",
    }
    tr_id = client.tr(kx.OVERSEAS_CCNL)
    out: list[VenueOrderState] = []
    async for page in client.paginate(f"{O}/inquire-ccnl", tr_id, params, ctx_size=200):
        out.extend(parse_overseas_order(OverseasCcnlRow.model_validate(r)) for r in page.rows())
    return out


async def domestic_positions(client: KisClient, account: KisAccount) -> list[PositionReport]:
    params = {
        **_acct(account),
        "AFHR_FLPR_YN": "N",
        "OFL_YN": "",
        "INQR_DVSN": "02",
        "UNPR_DVSN": "01",
        "FUND_STTL_ICLD_YN": "N",
        "FNCG_AMT_AUTO_RDPT_YN": "N",
        "PRCS_DVSN": "00",
    }
    out: list[PositionReport] = []
    async for page in client.paginate(
        f"{D}/inquire-balance", client.tr(kx.DOMESTIC_BALANCE), params
    ):
        for row in page.rows("output1"):
            position = parse_domestic_position(DomesticHolding.model_validate(row))
            if position is not None:
                out.append(position)
    return out


async def overseas_positions(
    client: KisClient, account: KisAccount, market: kx.KisMarket
) -> list[PositionReport]:
    params = {
        **_acct(account),
        "OVRS_EXCG_CD": market.ovrs_excg_cd,
        "TR_CRCY_CD": market.currency.value,
    }
    out: list[PositionReport] = []
    tr_id = client.tr(kx.OVERSEAS_BALANCE)
    async for page in client.paginate(f"{O}/inquire-balance", tr_id, params, ctx_size=200):
        for row in page.rows("output1"):
            position = parse_overseas_position(OverseasHolding.model_validate(row))
            if position is not None:
                out.append(position)
    return out


async def domestic_balance(client: KisClient, account: KisAccount) -> BalanceReport:
    params = {
        **_acct(account),
        "PDNO": "",
        "ORD_UNPR": "0",
        "ORD_DVSN": "01",
        "CMA_EVLU_AMT_ICLD_YN": "N",
        "OVRS_ICLD_YN": "N",
    }
    power = await client.get(
        f"{D}/inquire-psbl-order",
        client.tr(kx.DOMESTIC_PSBL_ORDER),
        params,
        endpoint_class="account",
    )
    buying = DomesticBuyingPower.model_validate(power.one())
    first = client.paginate(
        f"{D}/inquire-balance",
        client.tr(kx.DOMESTIC_BALANCE),
        {
            **_acct(account),
            "AFHR_FLPR_YN": "N",
            "OFL_YN": "",
            "INQR_DVSN": "02",
            "UNPR_DVSN": "01",
            "FUND_STTL_ICLD_YN": "N",
            "FNCG_AMT_AUTO_RDPT_YN": "N",
            "PRCS_DVSN": "00",
        },
        max_pages=1,
    )
    summary = DomesticBalanceSummary()
    async for page in first:
        summary = DomesticBalanceSummary.model_validate(page.one("output2"))
        break
    return BalanceReport(Currency.KRW, dec(summary.dnca_tot_amt), dec(buying.ord_psbl_cash))


async def overseas_balances(client: KisClient, account: KisAccount) -> list[BalanceReport]:
    params = {
        **_acct(account),
        "WCRC_FRCR_DVSN_CD": "02",
        "NATN_CD": "000",
        "TR_MKET_CD": "00",
        "INQR_DVSN_CD": "00",
    }
    response = await client.get(
        f"{O}/inquire-present-balance",
        client.tr(kx.OVERSEAS_PRESENT_BALANCE),
        params,
        endpoint_class="account",
    )
    out: list[BalanceReport] = []
    for row in response.rows("output2"):
        parsed = OverseasCurrencyBalance.model_validate(row)
        try:
            currency = Currency.parse(parsed.crcy_cd)
        except ValueError:
            # Real money the books cannot hold: said out loud, not skipped in silence.
            log.warning(
                "KIS reports %s %s cash in a currency Ouroboros does not know; it is not in "
                "the books",
                parsed.frcr_dncl_amt_2,
                parsed.crcy_cd,
            )
            continue
        if currency is Currency.KRW:
            continue
        cash = dec(parsed.frcr_dncl_amt_2)
        out.append(BalanceReport(currency, cash, dec(parsed.frcr_drwg_psbl_amt_1, str(cash))))
    return out


def positions_total(reports: list[PositionReport]) -> Decimal:
    return sum((p.quantity for p in reports), Decimal(0))
