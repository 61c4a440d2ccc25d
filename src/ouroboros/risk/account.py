"""The risk manager's read-only view of the account. Every field may be missing (``None``).

Missing is not zero: an unknown equity, cash balance or position list makes risk impossible to
measure, so the manager denies (fails closed) rather than assuming an empty account.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType

from ouroboros.domain import Currency, FxRateSource, InstrumentId, Money
from ouroboros.risk.correlation import CorrelationMap

UNKNOWN_SECTOR = "(unknown sector)"


@dataclass(frozen=True, slots=True)
class PositionView:
    """One holding as the risk manager sees it.

    ``quantity`` is signed (negative = short). ``market_value`` is signed, in the instrument's
    currency, and ``None`` when it could not be valued (which fails any check that needs it).
    ``open_buy_value`` is the value of buy orders still working for this instrument: they will
    become exposure when they fill, so limits count them now. ``open_sell_quantity`` is the
    quantity already committed to working sell orders, so an exit never oversells.
    """

    instrument_id: InstrumentId
    quantity: Decimal
    market_value: Money | None
    open_buy_value: Money | None = None
    open_sell_quantity: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        if (
            self.market_value is not None
            and self.open_buy_value is not None
            and self.market_value.currency is not self.open_buy_value.currency
        ):
            raise ValueError(
                f"{self.instrument_id}: market value and open buys in different currencies"
            )
        if self.open_sell_quantity < 0:
            raise ValueError(
                f"{self.instrument_id}: invalid open sell quantity, was {self.open_sell_quantity}"
            )
        if self.open_buy_value is not None and self.open_buy_value.amount < 0:
            raise ValueError(
                f"{self.instrument_id}: invalid open buy value, was {self.open_buy_value}"
            )

    @property
    def is_open(self) -> bool:
        """Counts toward the open-position limit: holding shares or buying some."""
        pending = self.open_buy_value is not None and self.open_buy_value.amount > 0
        return self.quantity != 0 or pending


@dataclass(frozen=True, slots=True)
class AccountView:
    """Equity, cash, positions and today's P&L, all in explicit currencies.

    * ``equity`` is in ``base_currency``; ``peak_equity`` and ``day_start_equity`` too.
    * ``cash_available`` is the cash that can be spent now (net of working buy orders), per
      currency; a currency absent from a *given* mapping holds zero, ``None`` means unknown.
    * ``positions`` is the complete list of holdings, or ``None`` when unknown.
    * ``sectors`` maps instruments to sectors; an instrument absent from it falls back to the
      instrument's own ``sector``, then to one shared "unknown" bucket (so unknown sectors are
      limited together, never ignored).
    * ``realized_pnl_today`` / ``unrealized_pnl_today`` feed the daily-loss breaker.
    * ``correlations`` says which instruments move together (computed before the open), for the
      correlated-positions limit; ``None`` means none was supplied (that check reports SKIP).
    """

    base_currency: Currency
    equity: Money | None
    cash_available: Mapping[Currency, Money] | None
    positions: Mapping[InstrumentId, PositionView] | None
    fx: FxRateSource | None
    sectors: Mapping[InstrumentId, str] = field(default_factory=lambda: MappingProxyType({}))
    peak_equity: Money | None = None
    day_start_equity: Money | None = None
    realized_pnl_today: Money | None = None
    unrealized_pnl_today: Money | None = None
    correlations: CorrelationMap | None = None

    def __post_init__(self) -> None:
        for name in (
            "equity",
            "peak_equity",
            "day_start_equity",
            "realized_pnl_today",
            "unrealized_pnl_today",
        ):
            value = getattr(self, name)
            if value is not None and value.currency is not self.base_currency:
                raise ValueError(
                    f"account {name} must be in {self.base_currency.value}, was {value}"
                )
        if self.cash_available is not None:
            for currency, money in self.cash_available.items():
                if money.currency is not currency:
                    raise ValueError(f"cash for {currency.value} given in {money.currency.value}")
        if self.positions is not None:
            for iid, pos in self.positions.items():
                if pos.instrument_id != iid:
                    raise ValueError(f"position keyed {iid} is for {pos.instrument_id}")

    def sector_of(self, instrument_id: InstrumentId, fallback: str = "") -> str:
        return self.sectors.get(instrument_id) or fallback or UNKNOWN_SECTOR
