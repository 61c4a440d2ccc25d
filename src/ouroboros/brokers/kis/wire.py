"""KIS wire schemas: KIS field names, every number a string, unknown fields kept.

These models only give the edge a typed, validated view of a response row; conversion to exact
domain values happens in :mod:`ouroboros.brokers.kis.parsers`. Missing fields default to ""
because KIS omits some fields for some codes (e.g. ``bstp_kor_isnm``, PK#48).
"""

from __future__ import annotations

from pydantic import AliasChoices, BaseModel, ConfigDict, Field


class Wire(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True, coerce_numbers_to_str=True)


class OrderOutput(Wire):
    """``output`` of order-cash / order / order-rvsecncl (UPPERCASE keys)."""

    KRX_FWDG_ORD_ORGNO: str = ""
    ODNO: str = ""
    ORD_TMD: str = ""


class DomesticPrice(Wire):
    stck_prpr: str
    prdy_vrss: str = "0"
    prdy_vrss_sign: str = "3"
    prdy_ctrt: str = "0"
    acml_vol: str = "0"
    acml_tr_pbmn: str = "0"
    stck_oprc: str = "0"
    stck_hgpr: str = "0"
    stck_lwpr: str = "0"
    stck_mxpr: str = "0"
    stck_llam: str = "0"
    stck_sdpr: str = "0"
    aspr_unit: str = ""
    stck_shrn_iscd: str = ""
    bstp_kor_isnm: str = ""


class DomesticOrderbook(Wire):
    aspr_acpt_hour: str = ""
    askp1: str = "0"
    bidp1: str = "0"
    askp_rsqn1: str = "0"
    bidp_rsqn1: str = "0"
    total_askp_rsqn: str = "0"
    total_bidp_rsqn: str = "0"


class DomesticDailyRow(Wire):
    stck_bsop_date: str
    stck_oprc: str
    stck_hgpr: str
    stck_lwpr: str
    stck_clpr: str
    acml_vol: str = "0"


class DomesticMinuteRow(Wire):
    """One row of ``inquire-time-itemchartprice`` ``output2`` (KST date and HHMMSS)."""

    stck_bsop_date: str
    stck_cntg_hour: str
    stck_prpr: str
    stck_oprc: str
    stck_hgpr: str
    stck_lwpr: str
    cntg_vol: str = "0"


class OverseasMinuteRow(Wire):
    """One row of overseas ``inquire-time-itemchartprice`` ``output2`` (KYMD/KHMS are KST)."""

    kymd: str
    khms: str
    open: str
    high: str
    low: str
    last: str
    evol: str = "0"


class DomesticCcldRow(Wire):
    """One row of ``inquire-daily-ccld`` ``output1``."""

    ord_dt: str = ""
    ord_gno_brno: str = ""
    odno: str
    orgn_odno: str = ""
    ord_dvsn_cd: str = ""
    sll_buy_dvsn_cd: str = ""
    pdno: str = ""
    ord_qty: str = "0"
    ord_unpr: str = "0"
    ord_tmd: str = ""
    tot_ccld_qty: str = "0"
    avg_prvs: str = "0"
    cncl_yn: str = "N"
    tot_ccld_amt: str = "0"
    rmn_qty: str = "0"
    rjct_qty: str = "0"
    cnc_cfrm_qty: str = "0"
    # KIS spells this one with a capital C (OTA chk_inquire_daily_ccld.py); lower case accepted
    excg_id_dvsn_cd: str = Field(
        "", validation_alias=AliasChoices("excg_id_dvsn_Cd", "excg_id_dvsn_cd")
    )


class DomesticHolding(Wire):
    pdno: str
    prdt_name: str = ""
    hldg_qty: str = "0"
    ord_psbl_qty: str = "0"
    pchs_avg_pric: str = "0"
    prpr: str = "0"


class DomesticBalanceSummary(Wire):
    dnca_tot_amt: str = "0"
    nxdy_excc_amt: str = "0"
    prvs_rcdl_excc_amt: str = "0"
    tot_evlu_amt: str = "0"


class DomesticBuyingPower(Wire):
    ord_psbl_cash: str = "0"
    nrcvb_buy_amt: str = "0"
    max_buy_amt: str = "0"


class RankRow(Wire):
    """Domestic volume-rank / fluctuation rows (the symbol key differs per ranking)."""

    mksc_shrn_iscd: str = ""
    stck_shrn_iscd: str = ""
    hts_kor_isnm: str = ""
    data_rank: str = ""
    stck_prpr: str = "0"
    prdy_ctrt: str = "0"
    acml_vol: str = "0"


class OverseasPrice(Wire):
    rsym: str = ""
    zdiv: str = ""
    base: str = "0"
    last: str
    diff: str = "0"
    rate: str = "0"
    tvol: str = "0"
    ordy: str = ""


class OverseasDailyRow(Wire):
    xymd: str
    clos: str
    open: str
    high: str
    low: str
    tvol: str = "0"


class OverseasCcnlRow(Wire):
    """One row of overseas ``inquire-ccnl`` ``output``."""

    ord_dt: str = ""
    odno: str
    orgn_odno: str = ""
    sll_buy_dvsn_cd: str = ""
    rvse_cncl_dvsn: str = ""
    pdno: str = ""
    ft_ord_qty: str = "0"
    ft_ord_unpr3: str = "0"
    ft_ccld_qty: str = "0"
    ft_ccld_unpr3: str = "0"
    ft_ccld_amt3: str = "0"
    nccs_qty: str = "0"
    prcs_stat_name: str = ""
    rjct_rson: str = ""
    ord_tmd: str = ""
    ovrs_excg_cd: str = ""
    tr_crcy_cd: str = ""


class OverseasHolding(Wire):
    ovrs_pdno: str
    ovrs_cblc_qty: str = "0"
    ord_psbl_qty: str = "0"
    pchs_avg_pric: str = "0"
    now_pric2: str = "0"
    ovrs_excg_cd: str = ""
    tr_crcy_cd: str = ""


class OverseasCurrencyBalance(Wire):
    crcy_cd: str
    frcr_dncl_amt_2: str = "0"
    frcr_drwg_psbl_amt_1: str = "0"


class OverseasRankRow(Wire):
    symb: str
    excd: str = ""
    name: str = ""
    last: str = "0"
    rate: str = "0"
    tvol: str = "0"
    rank: str = ""
