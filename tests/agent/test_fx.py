"""The live FX source: broker rate where supplied, configured rate otherwise, fallback to value."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from ouroboros.agent.events import FxRateStale, ListSink
from ouroboros.agent.fx import FxOrigin, LiveFxSource, MemoryFxRecords
from ouroboros.agent.settings import load_config
from ouroboros.domain import Currency, MissingFxRate, OrderSide
from ouroboros.risk import RiskCode, RiskManager
from tests.risk.kit import APPLE, NOW, SAMSUNG, account, intent, market, position

KRW, USD, JPY = Currency.KRW, Currency.USD, Currency.JPY
HOUR = dt.timedelta(hours=1)


def source(**env: str) -> tuple[LiveFxSource, MemoryFxRecords, ListSink]:
    records, events = MemoryFxRecords(), ListSink()
    settings = load_config(environ=env).agent
    return LiveFxSource.from_settings(settings, records, events), records, events


def test_a_broker_rate_is_used_and_recorded_with_its_time() -> None:
    fx, records, _ = source()
    fx.observe(USD, KRW, Decimal(1390), NOW - dt.timedelta(minutes=5))
    assert fx.rate(USD, KRW) == Decimal(1390)
    assert fx.rate(KRW, USD) == 1 / Decimal(1390)
    assert fx.entry_problem(USD, KRW, NOW) is None
    assert [(o.rate, o.as_of, o.origin) for o in records.observations] == [
        (Decimal(1390), NOW - dt.timedelta(minutes=5), FxOrigin.BROKER)
    ]
    fx.observe(USD, KRW, Decimal(1000), NOW - dt.timedelta(hours=1))  # older: ignored
    assert fx.rate(USD, KRW) == Decimal(1390)


def test_configured_rates_are_restamped_by_each_refresh_and_age_without_it() -> None:
    fx, records, events = source(FX_RATES="JPY/KRW=9.4", FX_MAX_AGE_MINUTES="120")
    fx.refresh(NOW)
    assert fx.fresh(JPY, KRW, NOW + HOUR) is not None
    assert fx.entry_problem(JPY, KRW, NOW + 2 * HOUR) is None  # exactly the maximum age
    problem = fx.entry_problem(JPY, KRW, NOW + 3 * HOUR)  # the refresh job stopped
    assert problem is not None
    assert "stale" in problem
    assert fx.rate(JPY, KRW) == Decimal("9.4")  # still good enough to value holdings
    stale = events.of(FxRateStale)
    assert [e.pair for e in stale] == ["JPY/KRW"]
    fx.entry_problem(JPY, KRW, NOW + 4 * HOUR)
    assert len(events.of(FxRateStale)) == 1  # one event per staleness
    fx.refresh(NOW + 4 * HOUR)
    assert fx.entry_problem(JPY, KRW, NOW + 4 * HOUR) is None
    assert len(records.observations) == 2


def test_a_fresh_broker_rate_wins_over_the_configured_one() -> None:
    fx, _, _ = source(FX_RATES="USD/KRW=1400")
    fx.refresh(NOW)
    fx.observe(USD, KRW, Decimal(1385), NOW)
    fresh = fx.fresh(USD, KRW, NOW)
    assert fresh is not None
    assert fresh.origin is FxOrigin.BROKER
    later = NOW + dt.timedelta(hours=3)
    fx.refresh(later)  # the broker went quiet; the configured rate carries on
    fresh = fx.fresh(USD, KRW, later)
    assert fresh is not None
    assert fresh.origin is FxOrigin.CONFIGURED


def test_the_fallback_values_holdings_but_never_admits_an_entry() -> None:
    fx, _, _ = source()  # FX_FALLBACK_RATES defaults to USD/KRW=1450
    assert fx.rate(USD, KRW) == Decimal(1450)
    assert "only the fallback" in (fx.entry_problem(USD, KRW, NOW) or "")
    assert "no FX rate" in (fx.entry_problem(JPY, KRW, NOW) or "")
    with pytest.raises(MissingFxRate):
        fx.rate(JPY, KRW)


def _usd_account(fx_source: object) -> object:
    return account(
        cash={KRW: 50_000_000, USD: 50_000},
        positions=[position(APPLE, 10)],
        fx=fx_source,  # type: ignore[arg-type]
    )


def test_a_stale_rate_blocks_cross_currency_entries_but_not_exits_or_home_entries() -> None:
    fx, _, _ = source(FX_RATES="USD/KRW=1400")
    fx.refresh(NOW - dt.timedelta(hours=5))  # stale by now
    risk = RiskManager()
    buy_apple = intent(APPLE, OrderSide.BUY, quantity=1, atr="2")
    view = _usd_account(fx.for_entry(NOW, USD, KRW))
    denied = risk.evaluate(buy_apple, view, market(APPLE), NOW)  # type: ignore[arg-type]
    assert not denied.approved
    check = denied.check(RiskCode.FX_RATE)
    assert check is not None
    assert "stale" in check.message
    sell_apple = intent(APPLE, OrderSide.SELL, quantity=10)
    exit_ = risk.evaluate(sell_apple, view, market(APPLE), NOW)  # type: ignore[arg-type]
    assert exit_.approved
    home = _usd_account(fx.for_entry(NOW, KRW, KRW))  # a KRW entry values AAPL at the best rate
    buy_samsung = intent(SAMSUNG, OrderSide.BUY, quantity=1)
    assert risk.evaluate(buy_samsung, home, market(SAMSUNG), NOW).approved  # type: ignore[arg-type]
    fx.refresh(NOW)
    fresh = _usd_account(fx.for_entry(NOW, USD, KRW))
    assert risk.evaluate(buy_apple, fresh, market(APPLE), NOW).approved  # type: ignore[arg-type]


def test_observations_are_validated() -> None:
    fx, _, _ = source()
    with pytest.raises(ValueError, match="must be positive"):
        fx.observe(USD, KRW, Decimal(0), NOW)
    with pytest.raises(ValueError, match="two currencies"):
        fx.observe(USD, USD, Decimal(1), NOW)
