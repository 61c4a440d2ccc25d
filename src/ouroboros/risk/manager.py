"""``RiskManager.evaluate``: every order intent through every hard limit, failing closed.

Order of work:

1. Validity gates for every order: the account's kill switch, tick grid, market open, fresh
   price, known positions.
2. Direction: does the order reduce an existing position (verified against the account)?
3. Risk-reducing orders are capped at the holding and rounded to lots - nothing else blocks an
   exit, not even a tripped breaker.
4. Risk-increasing orders pass the breaker, minimum confidence and price sanity, are sized,
   then every quantity limit proposes a cap; the smallest cap, rounded *down* to whole lots,
   is re-verified against every limit and approved (APPROVE if nothing was cut, RESIZE if
   something was). A cap below one lot denies.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from decimal import ROUND_FLOOR, Decimal

from ouroboros.domain import MissingFxRate, Price, Quantity
from ouroboros.errors import ConfigError
from ouroboros.risk import _fmt
from ouroboros.risk.account import AccountView
from ouroboros.risk.breaker.machine import CircuitBreaker
from ouroboros.risk.breaker.transitions import utc
from ouroboros.risk.checks.cash import check_cash
from ouroboros.risk.checks.confidence import check_confidence
from ouroboros.risk.checks.correlated import check_correlated_positions
from ouroboros.risk.checks.exposure import check_total_exposure
from ouroboros.risk.checks.fat_finger import check_fat_finger
from ouroboros.risk.checks.market_open import check_market_open
from ouroboros.risk.checks.position import check_position_limit
from ouroboros.risk.checks.position_count import check_position_count
from ouroboros.risk.checks.price_deviation import check_price_deviation
from ouroboros.risk.checks.reducing import Direction, classify
from ouroboros.risk.checks.risk_per_trade import check_risk_per_trade
from ouroboros.risk.checks.sector import check_sector_limit
from ouroboros.risk.checks.sizing import size_entry
from ouroboros.risk.checks.ticks import check_ticks
from ouroboros.risk.checks.trading import check_trading_enabled
from ouroboros.risk.codes import (
    CheckResult,
    CheckStatus,
    RiskCode,
    Verdict,
    denied,
    passed,
    resized,
    skipped,
)
from ouroboros.risk.context import CheckContext, Facts, resolve_context, resolve_facts
from ouroboros.risk.decision import RiskDecision
from ouroboros.risk.intent import OrderIntent, SizingMode
from ouroboros.risk.limits import DEFAULT_LIMITS, RiskLimits
from ouroboros.risk.market import MarketState

QuantityCheck = Callable[[CheckContext, Decimal], CheckResult]

#: The quantity limits of a risk-increasing order, in the order they are reported.
QUANTITY_CHECKS: tuple[QuantityCheck, ...] = (
    check_risk_per_trade,
    check_fat_finger,
    check_cash,
    check_position_limit,
    check_sector_limit,
    check_position_count,
    check_correlated_positions,
    check_total_exposure,
)

#: Checks a risk-reducing order is exempt from (reported as SKIP so the exemption is visible).
EXEMPT_WHEN_REDUCING = (
    RiskCode.CIRCUIT_BREAKER,
    RiskCode.MIN_CONFIDENCE,
    RiskCode.PRICE_DEVIATION,
    RiskCode.RISK_PER_TRADE,
    RiskCode.FAT_FINGER,
    RiskCode.CASH,
    RiskCode.POSITION_LIMIT,
    RiskCode.SECTOR_LIMIT,
    RiskCode.MAX_POSITIONS,
    RiskCode.CORRELATED_POSITIONS,
    RiskCode.TOTAL_EXPOSURE,
)

_MAX_VERIFY_STEPS = 8


class RiskManager:
    """Pure and synchronous: the only state it reads besides its inputs is the breaker's.

    ``live=True`` refuses the permissive profile (and any limits with the core caps disabled)
    and requires a circuit breaker: real money never runs with the limits wide open.
    """

    def __init__(
        self,
        limits: RiskLimits = DEFAULT_LIMITS,
        *,
        breaker: CircuitBreaker | None = None,
        live: bool = False,
    ) -> None:
        if live:
            problems = limits.live_problems()
            if breaker is None:
                problems.append("live trading needs a circuit breaker")
            if problems:
                raise ConfigError(
                    f"invalid risk limits for live trading, was profile {limits.profile!r}: "
                    + "; ".join(problems)
                )
        self._limits = limits
        self._breaker = breaker
        self._live = live

    @property
    def limits(self) -> RiskLimits:
        return self._limits

    @property
    def breaker(self) -> CircuitBreaker | None:
        return self._breaker

    @property
    def live(self) -> bool:
        return self._live

    def evaluate(
        self,
        intent: OrderIntent,
        account: AccountView,
        market: MarketState,
        now: datetime,
        *,
        trading_enabled: bool | None = True,
        breaker_now: datetime | None = None,
    ) -> RiskDecision:
        """Approve, resize or deny ``intent``. Never raises on bad data: it denies instead.

        ``now`` is the order's time (prices are aged against it); ``breaker_now`` the breaker's
        clock when it differs (a replay through a broker: the breaker runs on the wall clock).
        ``trading_enabled`` is the account's kill switch: ``False`` or ``None`` (unknown) deny
        every order, exits included.
        """
        now = utc(now)
        limits = self._limits
        limit_price, stop_price, tick_result = check_ticks(intent, limits)
        checks = [
            check_trading_enabled(trading_enabled),
            tick_result,
            check_market_open(market, limits),
        ]
        facts, data = resolve_facts(intent, account, market, limits, now, limit_price, stop_price)
        checks += data
        prices = (limit_price, stop_price)
        if facts is None or any(c.blocks for c in checks):
            return _deny(intent, checks, now, prices)
        direction = classify(facts)
        checks.append(direction.result)
        if direction.denied:
            return _deny(intent, checks, now, prices)
        if direction.reducing:
            return self._reducing(facts, direction, account, checks, now)
        breaker_at = utc(breaker_now) if breaker_now is not None else now
        return self._increasing(facts, account, checks, now, breaker_at)

    # -- risk-reducing orders -------------------------------------------------------------

    def _reducing(
        self,
        facts: Facts,
        direction: Direction,
        account: AccountView,
        checks: list[CheckResult],
        now: datetime,
    ) -> RiskDecision:
        intent = facts.intent
        prices = (facts.limit_price, facts.stop_price)
        breaker_note = ""
        if self._breaker is not None and self._breaker.is_tripped:
            breaker_note = f" (circuit breaker {self._breaker.status})"
        for code in EXEMPT_WHEN_REDUCING:
            note = breaker_note if code is RiskCode.CIRCUIT_BREAKER else ""
            checks.append(skipped(code, f"exempt: the order reduces risk{note}"))
        wanted = _reducing_request(facts, direction, account)
        if isinstance(wanted, CheckResult):
            checks.append(wanted)
            return _deny(intent, checks, now, prices)
        quantity = wanted
        if quantity > direction.capacity:
            checks.append(
                resized(
                    RiskCode.RISK_REDUCING,
                    f"{intent.side.value} of {_fmt.qty(quantity)} exceeds the "
                    f"{_fmt.qty(direction.capacity)} that can be closed; capped so the exit "
                    "cannot open a new position",
                    direction.capacity,
                )
            )
        final = _floor_lot(min(quantity, direction.capacity), facts)
        checks.append(_lot_result(quantity, min(quantity, direction.capacity), final, facts))
        if final <= 0:
            return _deny(intent, checks, now, prices)
        return _decide(facts, quantity, final, checks, now, reducing=True)

    # -- risk-increasing orders -----------------------------------------------------------

    def _increasing(
        self,
        facts: Facts,
        account: AccountView,
        checks: list[CheckResult],
        now: datetime,
        breaker_now: datetime,
    ) -> RiskDecision:
        intent = facts.intent
        prices = (facts.limit_price, facts.stop_price)
        checks += self._breaker_gate(account, breaker_now)
        checks.append(check_confidence(intent, self._limits))
        checks.append(check_price_deviation(facts))
        ctx, data = resolve_context(facts, account)
        checks += data
        if ctx is None or any(c.blocks for c in checks):
            return _deny(intent, checks, now, prices)
        requested, sizing = size_entry(ctx)
        checks.append(sizing)
        results = [check(ctx, requested) for check in QUANTITY_CHECKS]
        if any(r.blocks for r in results):
            return _deny(intent, checks + results, now, prices)
        caps = [r.max_quantity for r in results if r.max_quantity is not None]
        capped = min([requested, *caps])
        final = _floor_lot(capped, facts)
        results = [_deny_if_no_lot(r, facts) for r in results]
        checks += results
        checks.append(_lot_result(requested, capped, final, facts))
        if final <= 0 or any(r.blocks for r in results):
            return _deny(intent, checks, now, prices)
        final, failure = _verify(ctx, final, facts)
        if failure is not None:
            checks.append(failure)
            return _deny(intent, checks, now, prices)
        return _decide(facts, requested, final, checks, now, reducing=False)

    def _breaker_gate(self, account: AccountView, now: datetime) -> list[CheckResult]:
        if self._breaker is None:
            return [skipped(RiskCode.CIRCUIT_BREAKER, "no circuit breaker configured")]
        admission = self._breaker.admits_new_risk(account, now)
        if admission.missing is not None:
            return [denied(RiskCode.PNL_DATA, admission.missing)]
        if not admission.allowed:
            return [denied(RiskCode.CIRCUIT_BREAKER, admission.reason)]
        return [passed(RiskCode.CIRCUIT_BREAKER, admission.reason)]


def _lot(facts: Facts) -> Decimal:
    return Decimal(facts.intent.instrument.lot_for(facts.side))


def _floor_lot(quantity: Decimal, facts: Facts) -> Decimal:
    """Round down to whole lots: the result never exceeds ``quantity``."""
    if quantity <= 0:
        return Decimal(0)
    lot = _lot(facts)
    return (quantity / lot).quantize(Decimal(1), rounding=ROUND_FLOOR) * lot


def _lot_result(requested: Decimal, capped: Decimal, final: Decimal, facts: Facts) -> CheckResult:
    """Whole lots only: explicit quantities are rounded down (RESIZE), never up."""
    lot = _lot(facts)
    code = RiskCode.LOT_SIZE
    if final <= 0:
        if capped < requested:
            return denied(
                code,
                f"the limits leave {_fmt.approx(capped)} shares, below one lot of {_fmt.qty(lot)}",
            )
        return denied(
            code, f"quantity {_fmt.approx(requested)} is below one lot of {_fmt.qty(lot)}"
        )
    if facts.intent.sizing is SizingMode.QUANTITY and requested % lot != 0:
        return resized(
            code,
            f"quantity {_fmt.qty(requested)} is not a whole number of lots of {_fmt.qty(lot)}: "
            "rounded down",
            _floor_lot(requested, facts),
        )
    return passed(code, f"{_fmt.qty(final)} shares in whole lots of {_fmt.qty(lot)}")


def _deny_if_no_lot(result: CheckResult, facts: Facts) -> CheckResult:
    """A cap below one lot means no smaller order fits: that limit denies."""
    cap = result.max_quantity
    if result.status is CheckStatus.RESIZE and cap is not None and _floor_lot(cap, facts) <= 0:
        lot = _fmt.qty(_lot(facts))
        return replace(
            result,
            status=CheckStatus.DENY,
            message=f"{result.message}; not even one lot ({lot}) fits",
            max_quantity=None,
        )
    return result


def _verify(
    ctx: CheckContext, quantity: Decimal, facts: Facts
) -> tuple[Decimal, CheckResult | None]:
    """Re-run every limit on the final quantity; step down a lot if rounding broke one.

    Caps are exact decimal quotients, so this almost never steps; it is the guarantee that an
    approved quantity was itself checked, not just derived.
    """
    lot = _lot(facts)
    for _ in range(_MAX_VERIFY_STEPS):
        failing = [
            r
            for r in (check(ctx, quantity) for check in QUANTITY_CHECKS)
            if r.status not in (CheckStatus.PASS, CheckStatus.SKIP)
        ]
        if not failing:
            return quantity, None
        quantity -= lot
        if quantity <= 0:
            return Decimal(0), failing[0]
    return Decimal(0), denied(RiskCode.LOT_SIZE, "no quantity passed re-verification")


def _reducing_request(
    facts: Facts, direction: Direction, account: AccountView
) -> Decimal | CheckResult:
    """What a risk-reducing intent asks for: its quantity, its notional, or the whole holding."""
    intent = facts.intent
    if intent.quantity is not None:
        return intent.quantity.value
    if intent.notional is None:
        return direction.capacity
    currency = intent.instrument.currency
    amount = intent.notional.amount
    if intent.notional.currency is not currency:
        if account.fx is None:
            return denied(
                RiskCode.FX_RATE,
                f"no FX source to convert the notional {intent.notional} to {currency.value}",
            )
        try:
            amount *= account.fx.rate(intent.notional.currency, currency)
        except MissingFxRate as exc:
            return denied(RiskCode.FX_RATE, f"no FX rate for the notional: {exc}")
    return amount / facts.price


def _decide(
    facts: Facts,
    requested: Decimal,
    final: Decimal,
    checks: list[CheckResult],
    now: datetime,
    *,
    reducing: bool,
) -> RiskDecision:
    intent = facts.intent
    # An explicit quantity is the request; a notional or "size me" asks for whole lots.
    asked = requested if intent.sizing is SizingMode.QUANTITY else _floor_lot(requested, facts)
    verdict = Verdict.APPROVE if final >= asked else Verdict.RESIZE
    return RiskDecision(
        verdict=verdict,
        intent=intent,
        quantity=Quantity(final),
        requested=Quantity(asked),
        limit_price=_price(facts.limit_price),
        stop_price=_price(facts.stop_price),
        risk_reducing=reducing,
        checks=tuple(checks),
        evaluated_at=now,
    )


def _deny(
    intent: OrderIntent,
    checks: list[CheckResult],
    now: datetime,
    prices: tuple[Decimal | None, Decimal | None],
) -> RiskDecision:
    if not any(c.blocks for c in checks):  # defensive: a denial always names its check
        checks = [*checks, denied(RiskCode.ACCOUNT_DATA, "order could not be evaluated")]
    requested = intent.quantity
    return RiskDecision(
        verdict=Verdict.DENY,
        intent=intent,
        quantity=Quantity.zero(),
        requested=requested,
        limit_price=_price(prices[0]),
        stop_price=_price(prices[1]),
        risk_reducing=False,
        checks=tuple(checks),
        evaluated_at=now,
    )


def _price(value: Decimal | None) -> Price | None:
    return None if value is None else Price(value)


__all__ = ["EXEMPT_WHEN_REDUCING", "QUANTITY_CHECKS", "RiskManager"]
