"""Turn the raw views into the exact numbers the checks need, failing closed on gaps.

Two stages, because exits must not depend on data they do not need:

* :func:`resolve_facts` (every order): a fresh price and the held quantity. A stop-loss still
  goes out when equity or an FX rate is unavailable.
* :func:`resolve_context` (risk-increasing orders): equity, spendable cash, every holding
  valued in the base currency, and the instrument's FX rate. Any gap denies.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from ouroboros.domain import Currency, InstrumentId, MissingFxRate, Money, OrderSide
from ouroboros.risk import _fmt
from ouroboros.risk.account import AccountView
from ouroboros.risk.codes import CheckResult, RiskCode, denied, passed
from ouroboros.risk.correlation import CorrelationMap
from ouroboros.risk.intent import OrderIntent
from ouroboros.risk.limits import RiskLimits
from ouroboros.risk.market import MarketState
from ouroboros.risk.pricing import PriceView, resolve_prices, risk_price


@dataclass(frozen=True, slots=True)
class Facts:
    """What every order needs: prices (after tick handling) and the current holding."""

    intent: OrderIntent
    limits: RiskLimits
    now: datetime
    prices: PriceView
    price: Decimal
    limit_price: Decimal | None
    stop_price: Decimal | None
    held: Decimal
    open_sells: Decimal

    @property
    def side(self) -> OrderSide:
        return self.intent.side

    @property
    def sellable(self) -> Decimal:
        """Long shares not already committed to working sell orders."""
        return max(self.held - self.open_sells, Decimal(0))


@dataclass(frozen=True, slots=True)
class Holding:
    """One position valued in the base currency (signed, working buys included)."""

    instrument_id: InstrumentId
    value: Decimal
    sector: str
    is_open: bool


@dataclass(frozen=True, slots=True)
class CheckContext:
    """Everything a risk-increasing order's checks read, in exact base-currency numbers."""

    facts: Facts
    base: Currency
    fx: Decimal
    equity: Decimal
    cash: Decimal
    holdings: tuple[Holding, ...]
    sector: str
    notional_local: Decimal | None
    correlations: CorrelationMap | None = None

    @property
    def intent(self) -> OrderIntent:
        return self.facts.intent

    @property
    def limits(self) -> RiskLimits:
        return self.facts.limits

    @property
    def currency(self) -> Currency:
        return self.facts.intent.instrument.currency

    @property
    def price(self) -> Decimal:
        """The risk price per share, in the instrument's currency."""
        return self.facts.price

    @property
    def unit_value(self) -> Decimal:
        """One share at the risk price, in the base currency."""
        return self.facts.price * self.fx

    def order_value(self, quantity: Decimal) -> Decimal:
        """The order's value in the base currency."""
        return quantity * self.unit_value

    @property
    def own(self) -> Holding | None:
        iid = self.intent.instrument.id
        return next((h for h in self.holdings if h.instrument_id == iid), None)

    @property
    def own_value(self) -> Decimal:
        own = self.own
        return own.value if own is not None else Decimal(0)

    @property
    def is_new_position(self) -> bool:
        own = self.own
        return own is None or not own.is_open

    @property
    def open_positions(self) -> int:
        return sum(1 for h in self.holdings if h.is_open)

    def pct_of_equity(self, value: Decimal) -> Decimal:
        return value / self.equity * 100


def resolve_facts(
    intent: OrderIntent,
    account: AccountView,
    market: MarketState,
    limits: RiskLimits,
    now: datetime,
    limit_price: Decimal | None,
    stop_price: Decimal | None,
) -> tuple[Facts | None, list[CheckResult]]:
    """Prices and the held quantity, or denials naming what is missing."""
    iid = intent.instrument.id
    if market.instrument_id != iid:
        return None, [
            denied(
                RiskCode.PRICE_DATA,
                f"market state is for {market.instrument_id}, the order is for {iid}",
            )
        ]
    results: list[CheckResult] = []
    view, price_result = resolve_prices(market, intent.side, limits, now)
    results.append(price_result)
    if account.positions is None:
        results.append(
            denied(
                RiskCode.ACCOUNT_DATA,
                "positions unknown: cannot tell what the order adds to or reduces",
            )
        )
        return None, results
    if view is None:
        return None, results
    pos = account.positions.get(iid)
    held = pos.quantity if pos is not None else Decimal(0)
    open_sells = pos.open_sell_quantity if pos is not None else Decimal(0)
    facts = Facts(
        intent=intent,
        limits=limits,
        now=now,
        prices=view,
        price=risk_price(view, intent.side, limit_price, stop_price),
        limit_price=limit_price,
        stop_price=stop_price,
        held=held,
        open_sells=open_sells,
    )
    return facts, results


class _Converter:
    """FX to the base currency through the account's source, remembering the first failure."""

    def __init__(self, account: AccountView) -> None:
        self._account = account
        self.problem: str | None = None

    def rate(self, currency: Currency, to: Currency | None = None) -> Decimal | None:
        target = to or self._account.base_currency
        if currency is target:
            return Decimal(1)
        if self._account.fx is None:
            self.problem = self.problem or (
                f"no FX source: cannot convert {currency.value} to {target.value}"
            )
            return None
        try:
            return self._account.fx.rate(currency, target)
        except MissingFxRate as exc:
            self.problem = self.problem or f"no FX rate {currency.value}->{target.value}: {exc}"
            return None


def resolve_context(
    facts: Facts, account: AccountView
) -> tuple[CheckContext | None, list[CheckResult]]:
    """Equity, cash, holdings and FX in base-currency numbers, or the denials explaining why not."""
    intent = facts.intent
    limits = facts.limits
    currency = intent.instrument.currency
    base = account.base_currency
    gaps: list[str] = []
    equity_money, cash_map = account.equity, account.cash_available
    if equity_money is None:
        gaps.append("equity unknown")
    elif equity_money.amount <= 0:
        gaps.append(f"equity is {equity_money}, not positive")
    if cash_map is None:
        gaps.append("available cash unknown")
    positions = account.positions or {}
    unvalued = sorted(str(i) for i, p in positions.items() if p.market_value is None)
    if unvalued:
        gaps.append("positions without a market value: " + ", ".join(unvalued))
    if gaps or equity_money is None or cash_map is None:
        return None, [denied(RiskCode.ACCOUNT_DATA, "; ".join(gaps))]

    fx = _Converter(account)
    rate = fx.rate(currency)
    holdings = tuple(_holdings(account, intent, fx))
    cash = _cash(cash_map.values(), currency, limits.cross_currency_cash, fx)
    notional_local: Decimal | None = None
    if intent.notional is not None:
        notional_rate = fx.rate(intent.notional.currency, currency)
        if notional_rate is not None:
            notional_local = intent.notional.amount * notional_rate
    if fx.problem is not None or rate is None or cash is None:
        return None, [denied(RiskCode.FX_RATE, fx.problem or "FX rate missing")]
    equity = equity_money.amount
    sector = account.sector_of(intent.instrument.id, intent.instrument.sector)
    context = CheckContext(
        facts=facts,
        base=base,
        fx=rate,
        equity=equity,
        cash=cash,
        holdings=holdings,
        sector=sector,
        notional_local=notional_local,
        correlations=account.correlations,
    )
    summary = (
        f"equity {_fmt.money(equity, base)}, cash {_fmt.money(cash, currency)}, "
        f"{context.open_positions} open positions"
    )
    results = [passed(RiskCode.ACCOUNT_DATA, summary)]
    if currency is not base:
        results.append(passed(RiskCode.FX_RATE, f"{currency.value}->{base.value} {rate}"))
    return context, results


def _holdings(account: AccountView, intent: OrderIntent, fx: _Converter) -> list[Holding]:
    result: list[Holding] = []
    for iid, pos in (account.positions or {}).items():
        value = pos.market_value
        if value is None:  # resolve_context denies before we get here
            continue
        local = value.amount
        if pos.open_buy_value is not None:
            local += pos.open_buy_value.amount
        rate = fx.rate(value.currency)
        if rate is None:
            continue
        fallback = intent.instrument.sector if iid == intent.instrument.id else ""
        result.append(
            Holding(
                instrument_id=iid,
                value=local * rate,
                sector=account.sector_of(iid, fallback),
                is_open=pos.is_open,
            )
        )
    return result


def _cash(
    balances: Iterable[Money], currency: Currency, cross_currency: bool, fx: _Converter
) -> Decimal | None:
    """Spendable cash in the order's currency: that currency only, or all of it converted."""
    total = Decimal(0)
    for money in balances:
        if money.currency is currency:
            total += money.amount
        elif cross_currency:
            rate = fx.rate(money.currency, currency)
            if rate is None:
                return None
            total += money.amount * rate
    return max(total, Decimal(0))
