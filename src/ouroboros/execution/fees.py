"""Commissions and taxes per market, as exact decimals.

Defaults are what a retail KIS account pays as of 2026 and are configurable per run; they are
estimates for simulation, not a broker's statement. Sources: KIS fee schedule (domestic online
~0.015 %, overseas online 0.25 %); Korean securities transaction tax + rural special tax on sells
(0.20 % in 2026 after the 2025 tax revision); SEC Section 31 fee on US sells ($27.80 per million,
FY2025 rate) and FINRA TAF ($0.000166 per share sold, capped at $8.30); Hong Kong stamp duty
0.1 % both sides, SFC levy 0.0027 %, AFRC levy 0.00015 %, HKEX trading fee 0.00565 %; China A
shares stamp duty 0.05 % on sells (since 2023-08-28) and transfer fee 0.001 %; Vietnam 0.1 %
personal income tax withheld on sells.

Brokers that report no fee per fill (KIS) get these modelled costs booked on each fill by the
broker venue (:func:`with_modelled_fee`); reconciliation adopts the remaining gap to the
broker's cash as a fee adjustment within :class:`FeeTolerance`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import ROUND_CEILING, Decimal

from ouroboros.domain.currency import Currency
from ouroboros.domain.fills import Fill
from ouroboros.domain.ids import Venue
from ouroboros.domain.instrument import Instrument
from ouroboros.domain.money import Money, Price, Quantity
from ouroboros.domain.orders import OrderSide
from ouroboros.execution.ports import BrokerCapabilities


@dataclass(frozen=True, slots=True)
class FeeSchedule:
    """Rates are fractions of notional (0.0025 = 0.25 %) unless named per share."""

    commission_rate: Decimal = Decimal(0)
    commission_min: Decimal = Decimal(0)
    buy_tax_rate: Decimal = Decimal(0)
    sell_tax_rate: Decimal = Decimal(0)
    sell_per_share_fee: Decimal = Decimal(0)
    sell_per_share_fee_cap: Decimal | None = None
    round_to_cash_unit: bool = True

    def fee(self, side: OrderSide, price: Price, quantity: Quantity, currency: Currency) -> Money:
        """Total fee for one fill, rounded up to the cash unit (brokers never round in our favour).

        With ``round_to_cash_unit`` off the fee is exact: reference comparisons against
        float-based libraries (backtesting.py) need that; real schedules keep it on.
        """
        notional = price.value * quantity.value
        total = (
            max(notional * self.commission_rate, self.commission_min) if notional else Decimal(0)
        )
        if side is OrderSide.BUY:
            total += notional * self.buy_tax_rate
        else:
            total += notional * self.sell_tax_rate
            per_share = quantity.value * self.sell_per_share_fee
            if self.sell_per_share_fee_cap is not None:
                per_share = min(per_share, self.sell_per_share_fee_cap)
            total += per_share
        if self.round_to_cash_unit:
            total = currency.round(total, ROUND_CEILING)
        return Money(total, currency)

    @classmethod
    def flat(cls, rate: Decimal | str | float, *, exact: bool = False) -> FeeSchedule:
        """A single commission rate on both sides and nothing else (reference backtests)."""
        return cls(commission_rate=Decimal(str(rate)), round_to_cash_unit=not exact)


_KIS_OVERSEAS = Decimal("0.0025")
DEFAULT_FEES: dict[Venue, FeeSchedule] = {
    Venue.KRX: FeeSchedule(commission_rate=Decimal("0.00015"), sell_tax_rate=Decimal("0.0020")),
    Venue.NASDAQ: FeeSchedule(
        commission_rate=_KIS_OVERSEAS,
        sell_tax_rate=Decimal("0.0000278"),
        sell_per_share_fee=Decimal("0.000166"),
        sell_per_share_fee_cap=Decimal("8.30"),
    ),
    Venue.TSE: FeeSchedule(commission_rate=_KIS_OVERSEAS),
    Venue.HKEX: FeeSchedule(
        commission_rate=_KIS_OVERSEAS
        + Decimal("0.0000565")
        + Decimal("0.000027")
        + Decimal("0.0000015"),
        buy_tax_rate=Decimal("0.001"),
        sell_tax_rate=Decimal("0.001"),
    ),
    Venue.SSE: FeeSchedule(
        commission_rate=_KIS_OVERSEAS + Decimal("0.00001"), sell_tax_rate=Decimal("0.0005")
    ),
    Venue.HOSE: FeeSchedule(commission_rate=_KIS_OVERSEAS, sell_tax_rate=Decimal("0.001")),
}
DEFAULT_FEES[Venue.NYSE] = DEFAULT_FEES[Venue.NASDAQ]
DEFAULT_FEES[Venue.AMEX] = DEFAULT_FEES[Venue.NASDAQ]
DEFAULT_FEES[Venue.SZSE] = DEFAULT_FEES[Venue.SSE]
DEFAULT_FEES[Venue.HNX] = DEFAULT_FEES[Venue.HOSE]


FeeModel = Callable[[Instrument], FeeSchedule]
"""The fee schedule that applies to an instrument."""


def market_fees(instrument: Instrument) -> FeeSchedule:
    """The default schedule of the instrument's market (:data:`DEFAULT_FEES`)."""
    return DEFAULT_FEES[instrument.venue]


def with_modelled_fee(fill: Fill, fees: FeeModel) -> Fill:
    """``fill`` with the modelled cost of its market when it arrived without one (KIS reports
    no fee per fill); a fill that carries a fee keeps it."""
    if not fill.fee.is_zero:
        return fill
    instrument = Instrument.for_venue(fill.instrument_id)
    fee = fees(instrument).fee(fill.side, fill.price, fill.quantity, instrument.currency)
    return replace(fill, fee=fee)


def with_costs(fill: Fill, capabilities: BrokerCapabilities, fees: FeeModel) -> Fill:
    """The fill as the books take it: with the modelled fee when the broker reports none."""
    return fill if capabilities.reports_fees else with_modelled_fee(fill, fees)


@dataclass(frozen=True, slots=True)
class FeeTolerance:
    """How large a cash gap at reconciliation the modelled fees may explain.

    The broker's real costs differ from the modelled schedule by rate changes, discounts and
    per-execution rounding - by a fraction of the fees, not by the fees themselves. A gap of at
    most ``share`` x the modelled fees of the fills compared plus ``units_per_fill`` cash units
    per fill (rounding) is adopted as an audited fee adjustment; a larger one - a broker that
    charged nothing, or twice the model - or any gap with no fills to explain it stays
    irreconcilable.
    """

    share: Decimal = Decimal("0.25")
    units_per_fill: Decimal = Decimal(1)

    def __post_init__(self) -> None:
        if self.share < 0 or self.units_per_fill < 0:
            raise ValueError(f"fee tolerance must not be negative, was {self}")

    def allowance(self, currency: Currency, modelled_fees: Decimal, fills: int) -> Decimal:
        """The largest gap (either way) fees may explain for ``fills`` fills whose modelled
        fees add up to ``modelled_fees``."""
        if fills == 0:
            return Decimal(0)
        unit = Decimal(1).scaleb(-currency.minor_units)
        share = currency.round(abs(modelled_fees) * self.share)
        return share + self.units_per_fill * unit * fills
