"""``parse_*``: KIS wire rows → exact domain values (Decimal, tick-valid prices, UTC times)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation

from ouroboros.brokers.kis._time import KST
from ouroboros.brokers.kis.exchanges import market_by_code
from ouroboros.brokers.kis.wire import (
    DomesticCcldRow,
    DomesticDailyRow,
    DomesticHolding,
    OverseasCcnlRow,
    OverseasDailyRow,
    OverseasHolding,
)
from ouroboros.domain.ids import InstrumentId, Venue
from ouroboros.domain.instrument import Instrument
from ouroboros.domain.market_data import Bar
from ouroboros.domain.money import Price
from ouroboros.domain.orders import OrderSide
from ouroboros.errors import DataError
from ouroboros.execution.ports import PositionReport


def dec(text: str | None, default: str = "0") -> Decimal:
    """A KIS string number as an exact Decimal ("" and None mean ``default``)."""
    raw = (text or "").strip().replace(",", "") or default
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise DataError(f"not a KIS number, was {text!r}") from None
    if not value.is_finite():
        raise DataError(f"not a finite KIS number, was {text!r}")
    return value


def kst_datetime(day: str, hhmmss: str = "000000") -> datetime:
    """``YYYYMMDD`` + ``HHMMSS`` in KST as UTC."""
    text = f"{day.strip()}{hhmmss.strip().zfill(6)[:6]}+0900"
    try:
        return datetime.strptime(text, "%Y%m%d%H%M%S%z").astimezone(UTC)
    except ValueError:
        raise DataError(f"not a KIS date/time, was {day!r} {hhmmss!r}") from None


def side_of(code: str) -> OrderSide:
    """``sll_buy_dvsn_cd``: 01 sell, 02 buy."""
    if code.strip() == "01":
        return OrderSide.SELL
    if code.strip() == "02":
        return OrderSide.BUY
    raise DataError(f"unknown sll_buy_dvsn_cd, was {code!r}")


def tick_valid(instrument: InstrumentId, value: Decimal) -> Price:
    """A price that must sit on the venue's tick grid (quotes, limits); off-grid is a data error."""
    inst = Instrument.for_venue(instrument)
    if value <= 0 or not inst.is_valid_price(value):
        raise DataError(f"{instrument}: price {value} is off the tick grid")
    return Price(value)


@dataclass(frozen=True, slots=True)
class VenueOrderState:
    """One row of the broker's daily order list, venue-neutral."""

    odno: str
    orgn_odno: str
    kind: str  # "new" | "modify" | "cancel"
    instrument_id: InstrumentId
    side: OrderSide
    quantity: Decimal
    limit_price: Decimal
    filled: Decimal
    filled_amount: Decimal
    remaining: Decimal
    canceled: Decimal
    rejected: bool
    reason: str
    ts: datetime


def _odno(text: str) -> str:
    stripped = text.strip()
    return stripped.zfill(10) if stripped.isdigit() and int(stripped) else ""


def parse_domestic_order(row: DomesticCcldRow) -> VenueOrderState:
    orgn = _odno(row.orgn_odno)
    kind = "cancel" if row.cncl_yn.strip().upper() == "Y" else "modify" if orgn else "new"
    filled = dec(row.tot_ccld_qty)
    amount = dec(row.tot_ccld_amt)
    if not amount and filled:
        amount = dec(row.avg_prvs) * filled
    rejected_qty = dec(row.rjct_qty)
    return VenueOrderState(
        odno=_odno(row.odno),
        orgn_odno=orgn,
        kind=kind,
        instrument_id=InstrumentId(row.pdno.strip(), Venue.KRX),
        side=side_of(row.sll_buy_dvsn_cd),
        quantity=dec(row.ord_qty),
        limit_price=dec(row.ord_unpr),
        filled=filled,
        filled_amount=amount,
        remaining=dec(row.rmn_qty),
        canceled=dec(row.cnc_cfrm_qty),
        rejected=rejected_qty > 0 and filled == 0,
        reason="rejected by KIS" if rejected_qty > 0 else "",
        ts=kst_datetime(row.ord_dt, row.ord_tmd),
    )


def parse_overseas_order(row: OverseasCcnlRow) -> VenueOrderState:
    market = market_by_code(row.ovrs_excg_cd)
    orgn = _odno(row.orgn_odno)
    code = row.rvse_cncl_dvsn.strip()
    kind = "cancel" if code == "02" else "modify" if code == "01" or orgn else "new"
    quantity, filled, remaining = dec(row.ft_ord_qty), dec(row.ft_ccld_qty), dec(row.nccs_qty)
    amount = dec(row.ft_ccld_amt3)
    if not amount and filled:
        amount = dec(row.ft_ccld_unpr3) * filled
    rejected = bool(row.rjct_rson.strip()) or "거부" in row.prcs_stat_name
    return VenueOrderState(
        odno=_odno(row.odno),
        orgn_odno=orgn,
        kind=kind,
        instrument_id=InstrumentId(row.pdno.strip(), market.venue),
        side=side_of(row.sll_buy_dvsn_cd),
        quantity=quantity,
        limit_price=dec(row.ft_ord_unpr3),
        filled=filled,
        filled_amount=amount,
        remaining=remaining,
        canceled=max(quantity - filled - remaining, Decimal(0)) if kind != "cancel" else Decimal(0),
        rejected=rejected,
        reason=row.rjct_rson.strip(),
        ts=kst_datetime(row.ord_dt, row.ord_tmd),
    )


def parse_domestic_position(row: DomesticHolding) -> PositionReport | None:
    qty = dec(row.hldg_qty)
    if qty == 0:
        return None  # sold today: KIS keeps the row with 0 until D+2
    return PositionReport(InstrumentId(row.pdno.strip(), Venue.KRX), qty, dec(row.pchs_avg_pric))


def parse_overseas_position(row: OverseasHolding) -> PositionReport | None:
    qty = dec(row.ovrs_cblc_qty)
    if qty == 0:
        return None
    venue = market_by_code(row.ovrs_excg_cd).venue
    return PositionReport(InstrumentId(row.ovrs_pdno.strip(), venue), qty, dec(row.pchs_avg_pric))


def _bar(instrument: InstrumentId, day: str, o: str, h: str, lo: str, c: str, v: str) -> Bar:
    try:
        ts = datetime.strptime(day.strip(), "%Y%m%d").replace(tzinfo=UTC)
    except ValueError:
        raise DataError(f"{instrument}: not a KIS date, was {day!r}") from None
    return Bar(
        instrument,
        ts,
        timedelta(days=1),
        Price(dec(o)),
        Price(dec(h)),
        Price(dec(lo)),
        Price(dec(c)),
        dec(v),
    )


def parse_domestic_bars(instrument: InstrumentId, rows: list[DomesticDailyRow]) -> list[Bar]:
    """Daily bars oldest first; ``ts`` is the session date at 00:00 UTC (a date label)."""
    bars = [
        _bar(
            instrument,
            r.stck_bsop_date,
            r.stck_oprc,
            r.stck_hgpr,
            r.stck_lwpr,
            r.stck_clpr,
            r.acml_vol,
        )
        for r in rows
        if r.stck_bsop_date.strip()
    ]
    return sorted(bars, key=lambda b: b.ts)


def parse_overseas_bars(instrument: InstrumentId, rows: list[OverseasDailyRow]) -> list[Bar]:
    """Daily bars oldest first; ``ts`` is the local session date at 00:00 UTC (a date label)."""
    bars = [
        _bar(instrument, r.xymd, r.open, r.high, r.low, r.clos, r.tvol)
        for r in rows
        if r.xymd.strip()
    ]
    return sorted(bars, key=lambda b: b.ts)


def minute_bar(instrument: InstrumentId, kst: str, o: str, h: str, lo: str, c: str, v: str) -> Bar:
    """One one-minute bar; ``kst`` is ``YYYYMMDDHHMMSS`` in Korean time, ``ts`` its UTC instant."""
    try:
        ts = datetime.strptime(kst.strip(), "%Y%m%d%H%M%S").replace(tzinfo=KST).astimezone(UTC)
    except ValueError:
        raise DataError(f"{instrument}: not a KIS date and time, was {kst!r}") from None
    return Bar(
        instrument,
        ts,
        timedelta(minutes=1),
        Price(dec(o)),
        Price(dec(h)),
        Price(dec(lo)),
        Price(dec(c)),
        dec(v),
    )
