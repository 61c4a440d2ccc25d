"""Property tests: random worlds never yield an approved order that breaks a limit.

The post-trade state is recomputed here from the raw inputs, independently of the manager's
own arithmetic, using the documented rules (docs/risk.md): the risk price of a buy is the
highest of fresh ask, fresh last, limit and stop; exposures are market values plus working buys
in the base currency; unknown sectors share one bucket.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ouroboros.domain import (
    Currency,
    Instrument,
    InstrumentId,
    Money,
    OrderSide,
    OrderType,
    Price,
    Quantity,
    Quote,
    StaticFxRates,
)
from ouroboros.risk import (
    DEFAULT_LIMITS,
    UNKNOWN_SECTOR,
    AccountView,
    BreakerConfig,
    CircuitBreaker,
    IntentSource,
    LooseningRefused,
    MarketState,
    OrderIntent,
    PositionView,
    RiskDecision,
    RiskLimits,
    RiskManager,
    TickPolicy,
    TriggerKind,
    Verdict,
)
from ouroboros.risk.breaker.tighten import RULES
from tests.risk.kit import NOW

KRW, USD, JPY = Currency.KRW, Currency.USD, Currency.JPY
POOL = (
    Instrument.for_venue("005930.KRX", sector="Tech"),
    Instrument.for_venue("000660.KRX", sector="Tech"),
    Instrument.for_venue("005380.KRX", sector="Auto"),
    Instrument.for_venue("035420.KRX"),
    Instrument.for_venue("7203.TSE", sector="Auto"),
    Instrument.for_venue("AAPL.NASDAQ", sector="Tech"),
    Instrument.for_venue("JPM.NYSE", sector="Bank"),
)
RATES = {KRW: Decimal(1), USD: Decimal(1400), JPY: Decimal("9.5")}  # KRW per unit
FX = StaticFxRates(KRW, {c: Decimal(1) / r for c, r in RATES.items() if c is not KRW})
PRICE_RANGES = {KRW: (1_000, 900_000), USD: (1, 900), JPY: (100, 30_000)}

money = st.integers(min_value=0, max_value=10**9)


@dataclass(frozen=True)
class World:
    intent: OrderIntent
    account: AccountView
    market: MarketState
    limits: RiskLimits


def snap(instrument: Instrument, raw: Decimal) -> Decimal:
    return instrument.round_price(raw).value


@st.composite
def prices(draw: st.DrawFn, instrument: Instrument) -> Decimal:
    lo, hi = PRICE_RANGES[instrument.currency]
    raw = Decimal(draw(st.integers(min_value=lo * 100, max_value=hi * 100))) / 100
    return snap(instrument, raw)


@st.composite
def limits_variants(draw: st.DrawFn) -> RiskLimits:
    pct = st.one_of(st.none(), st.integers(min_value=1, max_value=100).map(Decimal))
    base = draw(st.integers(min_value=1, max_value=20))
    return replace(
        DEFAULT_LIMITS,
        max_order_pct_of_cash=draw(pct),
        max_position_pct=draw(pct),
        max_sector_pct=draw(pct),
        max_total_exposure_pct=draw(pct),
        risk_per_trade_pct=draw(pct),
        max_open_positions=draw(st.one_of(st.none(), st.integers(min_value=1, max_value=6))),
        cash_buffer_pct=Decimal(draw(st.integers(min_value=0, max_value=5))),
        cross_currency_cash=draw(st.booleans()),
        require_stop=draw(st.booleans()),
        base_allocation_pct=Decimal(base),
        min_allocation_pct=Decimal(draw(st.integers(min_value=1, max_value=base))),
        max_allocation_pct=Decimal(draw(st.integers(min_value=base, max_value=40))),
        tick_policy=draw(st.sampled_from(TickPolicy)),
        min_confidence=Decimal(draw(st.integers(min_value=0, max_value=90))) / 100,
    )


@st.composite
def worlds(draw: st.DrawFn, entries: bool = False) -> World:
    """A random world; ``entries`` biases it toward approvable risk-increasing buys."""
    limits = draw(st.one_of(st.just(DEFAULT_LIMITS), limits_variants()))
    instrument = draw(st.sampled_from(POOL))
    price = draw(prices(instrument))
    held_instruments = draw(st.lists(st.sampled_from(POOL), unique=True, max_size=6))
    positions: dict[InstrumentId, PositionView] = {}
    sectors: dict[InstrumentId, str] = {}
    for inst in held_instruments:
        qty = Decimal(draw(st.integers(min_value=-50, max_value=3_000)))
        px = price if inst == instrument else draw(prices(inst))
        open_buy = draw(st.one_of(st.none(), st.integers(min_value=0, max_value=10**6)))
        positions[inst.id] = PositionView(
            inst.id,
            qty,
            Money(qty * px, inst.currency),
            Money(Decimal(open_buy), inst.currency) if open_buy is not None else None,
            Decimal(draw(st.integers(min_value=0, max_value=max(int(qty), 0)))),
        )
        if inst.sector and draw(st.booleans()):
            sectors[inst.id] = inst.sector
    currencies = {KRW} | {c for c in (USD, JPY) if draw(st.integers(0, 9)) < 7}
    amounts = st.integers(10**7, 10**9) if entries else money
    cash = {c: Money(Decimal(draw(amounts)) / (100 if c is USD else 1), c) for c in currencies}
    holdings_value = sum(
        (
            v.market_value.amount * RATES[v.market_value.currency]
            for v in positions.values()
            if v.market_value is not None
        ),
        Decimal(0),
    )
    cash_value = sum((m.amount * RATES[c] for c, m in cash.items()), Decimal(0))
    extra = Decimal(draw(st.integers(min_value=0, max_value=10**9)))
    equity = max(cash_value + holdings_value + extra, Decimal(1))
    account = AccountView(
        base_currency=KRW,
        equity=Money(equity, KRW),
        cash_available=cash,
        positions=positions,
        fx=FX,
        sectors=sectors,
        realized_pnl_today=Money(Decimal(0), KRW),
        unrealized_pnl_today=Money(Decimal(0), KRW),
    )
    side = OrderSide.BUY if entries or draw(st.integers(0, 9)) < 7 else OrderSide.SELL
    order_type = draw(st.sampled_from([OrderType.MARKET, OrderType.LIMIT, OrderType.STOP]))
    off = Decimal(draw(st.integers(min_value=-1500, max_value=1500))) / 10_000
    raw_limit = max(price * (1 + off), Decimal("0.01"))
    limit = Price(raw_limit) if order_type is OrderType.LIMIT else None
    stop = Price(raw_limit) if order_type is OrderType.STOP else None
    sizing = draw(st.sampled_from(["quantity", "notional", "size_me"]))
    quantity = notional = None
    if sizing == "quantity":
        quantity = Quantity(
            Decimal(
                draw(
                    st.one_of(
                        st.integers(1, 3_000),
                        st.integers(1, 400_000).map(lambda n: Decimal(n) / 100),
                    )
                )
            )
        )
    elif sizing == "notional":
        notional = Money(Decimal(draw(st.integers(min_value=1, max_value=10**9))), KRW)
    atr = draw(st.one_of(st.integers(1, 10_000), st.none()))
    stop_loss = draw(st.one_of(st.none(), st.integers(50, 99), st.integers(1, 110)))
    intent = OrderIntent(
        instrument=instrument,
        side=side,
        confidence=Decimal(draw(st.integers(90 if entries else 0, 100))) / 100,
        source=draw(st.sampled_from(IntentSource)),
        order_type=order_type,
        quantity=quantity,
        notional=notional,
        limit_price=limit,
        stop_price=stop,
        stop_loss=Price(price * stop_loss / 100) if stop_loss is not None else None,
        atr=price * atr / 100_000 if atr is not None else None,
        volatility_score=Decimal(draw(st.integers(min_value=0, max_value=150))),
        risk_reducing=not entries and draw(st.integers(0, 9)) < 2,
    )
    age = timedelta(seconds=draw(st.integers(0, 60) if entries else st.integers(-10, 200)))
    quote = None
    if draw(st.booleans()):
        spread = snap(instrument, price * Decimal("1.002"))
        quote_age = timedelta(seconds=draw(st.one_of(st.integers(0, 60), st.integers(0, 200))))
        quote = Quote(instrument.id, NOW - quote_age, Price(price), Price(spread))
    market = MarketState(
        instrument.id,
        True if entries else draw(st.sampled_from([True] * 8 + [False, None])),
        Price(price),
        NOW - age,
        quote,
    )
    return World(intent, account, market, limits)


def fresh(ts: datetime | None, limits: RiskLimits) -> bool:
    assert ts is not None
    age = NOW - ts
    return age <= limits.max_price_age and -age <= limits.max_clock_skew


def independent_risk_price(world: World, decision: RiskDecision) -> Decimal:
    """The documented risk price of a buy, recomputed from the raw market state."""
    market, limits = world.market, world.limits
    candidates = []
    if market.last_price is not None and fresh(market.last_price_at, limits):
        candidates.append(market.last_price.value)
    if market.quote is not None and fresh(market.quote.ts, limits):
        candidates.append(market.quote.ask.value)
    for p in (decision.limit_price, decision.stop_price):
        if p is not None:
            candidates.append(p.value)
    assert candidates, "approved without a fresh price"
    return max(candidates)


def sector_of(world: World, iid: InstrumentId) -> str:
    fallback = world.intent.instrument.sector if iid == world.intent.instrument.id else ""
    return world.account.sectors.get(iid) or fallback or UNKNOWN_SECTOR


def assert_within_limits(world: World, decision: RiskDecision) -> None:
    intent, account, limits = world.intent, world.account, world.limits
    instrument = intent.instrument
    q = decision.quantity.value
    lot = instrument.lot_for(intent.side)
    assert q > 0
    assert q % lot == 0, f"{q} is not whole lots of {lot}"
    if intent.quantity is not None:
        assert q <= intent.quantity.value
    assert world.market.is_open is True
    for p in (decision.limit_price, decision.stop_price):
        assert p is None or instrument.is_valid_price(p)
    positions = account.positions or {}
    held_view = positions.get(instrument.id)
    held = held_view.quantity if held_view else Decimal(0)
    if decision.risk_reducing:
        if intent.side is OrderSide.SELL:
            assert held_view is not None
            assert q <= held - held_view.open_sell_quantity
        else:
            assert q <= -held
        return
    assert intent.side is OrderSide.BUY
    assert held >= 0
    assert not intent.risk_reducing
    assert intent.confidence >= limits.min_confidence_for(intent.source)
    equity = account.equity.amount  # type: ignore[union-attr]
    rate = RATES[instrument.currency]
    price = independent_risk_price(world, decision)
    local = q * price
    value = local * rate
    cash = Decimal(0)
    for c, m in (account.cash_available or {}).items():
        if c is instrument.currency:
            cash += m.amount
        elif limits.cross_currency_cash:
            cash += m.amount * RATES[c] / rate
    if limits.max_order_pct_of_cash is not None:
        assert local <= cash * limits.max_order_pct_of_cash / 100
    spendable = instrument.currency.round(cash * (100 - limits.cash_buffer_pct) / 100, ROUND_FLOOR)
    assert instrument.currency.round(local, ROUND_CEILING) <= spendable

    def base_value(v: PositionView) -> Decimal:
        open_buy = v.open_buy_value.amount if v.open_buy_value else Decimal(0)
        assert v.market_value is not None
        return (v.market_value.amount + open_buy) * RATES[v.market_value.currency]

    own = base_value(held_view) if held_view else Decimal(0)
    cap = limits.position_cap_pct(intent.source)
    if cap is not None:
        assert own + value <= equity * cap / 100
    if limits.max_sector_pct is not None:
        sector = sector_of(world, instrument.id)
        current = sum(
            (base_value(v) for iid, v in positions.items() if sector_of(world, iid) == sector),
            Decimal(0),
        )
        assert current + value <= equity * limits.max_sector_pct / 100
    if limits.max_total_exposure_pct is not None:
        gross = sum((abs(base_value(v)) for v in positions.values()), Decimal(0))
        assert gross + value <= equity * limits.max_total_exposure_pct / 100
    if limits.max_open_positions is not None:
        open_ids = {
            iid
            for iid, v in positions.items()
            if v.quantity != 0 or (v.open_buy_value is not None and v.open_buy_value.amount > 0)
        }
        if instrument.id not in open_ids:  # adding to an open position never adds a position
            assert len(open_ids) + 1 <= limits.max_open_positions
    if intent.stop_loss is not None:
        distance = price - intent.stop_loss.value
    elif intent.atr is not None:
        distance = limits.stop_atr_multiple * intent.atr
    else:
        assert not limits.require_stop
        return
    assert distance > 0
    if limits.risk_per_trade_pct is not None:
        assert q * distance * rate <= equity * limits.risk_per_trade_pct / 100


@settings(max_examples=300)
@given(st.one_of(worlds(entries=True), worlds()))
def test_an_approved_order_never_breaks_a_limit(world: World) -> None:
    decision = RiskManager(world.limits).evaluate(world.intent, world.account, world.market, NOW)
    if decision.verdict is Verdict.DENY:
        assert decision.quantity.is_zero
        assert any(c.blocks for c in decision.checks)
        return
    assert_within_limits(world, decision)


def _without(account: AccountView, field: str) -> AccountView:
    if field == "equity":
        return replace(account, equity=None)
    if field == "cash_available":
        return replace(account, cash_available=None)
    if field == "positions":
        return replace(account, positions=None)
    assert field == "fx"
    return replace(account, fx=None)


@given(worlds(), st.sampled_from(["equity", "cash_available", "positions", "fx", "price"]))
def test_missing_data_always_denies_new_risk(world: World, missing: str) -> None:
    intent = world.intent
    held = (world.account.positions or {}).get(intent.instrument.id)
    assume(intent.side is OrderSide.BUY and (held is None or held.quantity >= 0))
    if missing == "fx":
        assume(intent.instrument.currency is not KRW)
    account, market = world.account, world.market
    if missing == "price":
        market = MarketState(market.instrument_id, market.is_open)
    else:
        account = _without(account, missing)
    decision = RiskManager(world.limits).evaluate(intent, account, market, NOW)
    assert decision.verdict is Verdict.DENY


@given(worlds())
def test_missing_price_denies_every_order(world: World) -> None:
    market = MarketState(world.market.instrument_id, True)
    decision = RiskManager(world.limits).evaluate(world.intent, world.account, market, NOW)
    assert decision.verdict is Verdict.DENY


@given(
    held=st.integers(min_value=1, max_value=5_000),
    wanted=st.one_of(st.none(), st.integers(min_value=1, max_value=10_000)),
    errors=st.integers(min_value=5, max_value=9),
)
def test_risk_reducing_orders_pass_during_a_trip(
    held: int, wanted: int | None, errors: int
) -> None:
    breaker = CircuitBreaker()
    for i in range(errors):
        breaker.record_error(NOW - timedelta(seconds=i))
    assert breaker.is_tripped
    samsung = POOL[0]
    price = Decimal(70_000)
    account = AccountView(
        KRW,
        None,
        None,
        {samsung.id: PositionView(samsung.id, Decimal(held), Money(held * price, KRW))},
        None,
    )
    intent = OrderIntent(
        instrument=samsung,
        side=OrderSide.SELL,
        confidence=Decimal(0),
        source=IntentSource.SYSTEM,
        risk_reducing=True,
        quantity=Quantity(Decimal(wanted)) if wanted is not None else None,
    )
    market = MarketState(samsung.id, True, Price(price), NOW)
    decision = RiskManager(breaker=breaker).evaluate(intent, account, market, NOW)
    assert decision.approved
    assert decision.quantity.value == min(held, wanted or held)
    new_risk = replace(
        intent, side=OrderSide.BUY, risk_reducing=False, quantity=Quantity(Decimal(1))
    )
    assert RiskManager(breaker=breaker).evaluate(new_risk, account, market, NOW).verdict is (
        Verdict.DENY
    )


# -- breaker ---------------------------------------------------------------------------------


def _strictness_ok(name: str, old: Any, new: Any) -> bool:
    """Independent restatement of 'at least as strict' per field (docs/risk.md)."""
    if name in ("loss_basis", "day_timezone", "day_rollover"):
        return bool(old == new)
    if name in ("api_error_window", "cooldown"):
        return bool(new >= old)
    if name == "auto_resume":
        return bool(new <= old)
    if name == "drawdown_resume_pct":
        return new is None or (old is not None and new <= old)
    if name == "win_streak_resume":
        return new is None or (old is not None and new >= old)
    return bool(old is None or (new is not None and new <= old))


configs = st.builds(
    lambda dl, amt, cons, dd, resume, streak, api, window, cool, auto: BreakerConfig(
        max_daily_loss_pct=dl,
        max_daily_loss_amount=amt,
        max_consecutive_losses=cons,
        max_drawdown_pct=dd,
        drawdown_resume_pct=resume if dd is None or resume is None or resume < dd else None,
        win_streak_resume=streak,
        max_api_errors=api,
        api_error_window=window,
        cooldown=cool,
        auto_resume=auto,
    ),
    st.one_of(st.none(), st.integers(1, 10).map(Decimal)),
    st.one_of(st.none(), st.integers(1, 10**7).map(Decimal)),
    st.one_of(st.none(), st.integers(1, 10)),
    st.one_of(st.none(), st.integers(2, 30).map(Decimal)),
    st.one_of(st.none(), st.integers(1, 29).map(Decimal)),
    st.one_of(st.none(), st.integers(1, 6)),
    st.one_of(st.none(), st.integers(1, 10)),
    st.integers(1, 60).map(lambda m: timedelta(minutes=m)),
    st.integers(0, 120).map(lambda m: timedelta(minutes=m)),
    st.frozensets(st.sampled_from(TriggerKind)),
)


@given(st.lists(configs, min_size=1, max_size=12))
def test_the_breaker_never_loosens(attempts: list[BreakerConfig]) -> None:
    assert set(RULES) == {f.name for f in fields(BreakerConfig)}
    breaker = CircuitBreaker()
    for attempt in attempts:
        before = breaker.config
        try:
            breaker.tighten(attempt, by="prop", now=NOW)
        except LooseningRefused:
            assert breaker.config == before
            assert not all(
                _strictness_ok(f.name, getattr(before, f.name), getattr(attempt, f.name))
                for f in fields(BreakerConfig)
            )
            continue
        after = breaker.config
        assert after == attempt
        for f in fields(BreakerConfig):
            assert _strictness_ok(f.name, getattr(before, f.name), getattr(after, f.name)), f.name


actions = st.one_of(
    st.tuples(st.just("update"), st.integers(50, 130), st.integers(-6, 2), st.integers(-6, 2)),
    st.tuples(st.just("trade"), st.integers(-3, 3)),
    st.tuples(st.just("error")),
    st.tuples(st.just("wait"), st.integers(1, 60 * 30)),
    st.tuples(st.just("resume")),
)


@given(st.lists(actions, max_size=40))
def test_the_state_round_trips_at_every_step_and_a_trip_survives(
    steps: list[tuple[Any, ...]],
) -> None:
    breaker = CircuitBreaker()
    now = NOW
    for step in steps:
        kind = step[0]
        if kind == "update":
            equity = Decimal(step[1]) * 1_000_000
            breaker.update(
                AccountView(
                    KRW,
                    Money(equity, KRW),
                    {},
                    {},
                    None,
                    realized_pnl_today=Money(Decimal(step[2]) * 1_000_000, KRW),
                    unrealized_pnl_today=Money(Decimal(step[3]) * 1_000_000, KRW),
                ),
                now,
            )
        elif kind == "trade":
            breaker.record_trade(Decimal(step[1]), now)
        elif kind == "error":
            breaker.record_error(now)
        elif kind == "wait":
            now += timedelta(seconds=step[1])
            breaker.tick(now)
        else:
            breaker.resume(by="prop", now=now)
        restored = CircuitBreaker.from_dict(breaker.to_dict())
        assert restored.state == breaker.state
        assert restored.is_tripped == breaker.is_tripped
