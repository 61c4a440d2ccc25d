"""One account on any set of markets: every single market and a spread of pairs replays with
cash deposited only in the currencies it trades, books and JSON in one base currency, and an
audit that comes back clean - on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from tests.store.conftest import pg_database, pg_url  # noqa: F401  (fixtures)
from typer.testing import CliRunner

from ouroboros.domain.currency import Currency
from ouroboros.domain.money import Money
from ouroboros.engine.compose import STATIC_FX, opening_cash
from ouroboros.interfaces.cli.app import app
from ouroboros.markets import MarketCode

SINGLES = [m.value for m in MarketCode]
PAIRS = [
    "KR,HK",  # the README's example: no US market, so no USD in the books
    "KR,US_NASDAQ",
    "JP,CN_SHA",
    "VN_HSX,KR",
    "HK,JP",
    "US_NASDAQ,US_NYSE",
    "CN_SZA,VN_HNX",
    "US_AMEX,KR",
]
CURRENCY = {
    "KR": "KRW",
    "US_NASDAQ": "USD",
    "US_NYSE": "USD",
    "US_AMEX": "USD",
    "JP": "JPY",
    "HK": "HKD",
    "CN_SHA": "CNY",
    "CN_SZA": "CNY",
    "VN_HNX": "VND",
    "VN_HSX": "VND",
}


def replay(markets: str, url: str, tmp_path: Path, *extra: str) -> dict[str, Any]:
    result = CliRunner().invoke(
        app,
        [
            "run",
            "--markets",
            markets,
            "--days",
            "3",
            "--symbols",
            "2",
            "--db",
            url,
            "--report-dir",
            str(tmp_path / "reports"),
            "--json",
            *extra,
        ],
    )
    assert result.exit_code == 0, result.output
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


def check(doc: dict[str, Any], markets: str) -> None:
    codes = markets.split(",")
    assert doc["ok"] is True
    assert doc["markets"] == codes  # in the order given
    assert doc["audit_ok"] is True, doc["audit_problems"]
    assert doc["audit_problems"] == []
    assert doc["currency"] == "USD"
    traded = list(dict.fromkeys(CURRENCY[c] for c in codes))
    assert sorted(d["currency"] for d in doc["deposits"]) == sorted(traded)
    total = sum(
        (
            Decimal(d["amount"]) / STATIC_FX.rate(Currency.USD, Currency(d["currency"]))
            for d in doc["deposits"]
        ),
        Decimal(0),
    )
    assert abs(total - Decimal("100000")) < Decimal("1")  # the whole --cash, nothing more
    assert Decimal(doc["final_equity"]) > 0
    assert doc["report"] is not None
    assert doc["run_id"] in doc["report"]


@pytest.mark.parametrize("markets", SINGLES + PAIRS)
def test_every_market_combination_audits_clean_on_sqlite(markets: str, tmp_path: Path) -> None:
    check(replay(markets, f"sqlite:///{tmp_path / 'state.db'}", tmp_path), markets)


@pytest.mark.postgres
@pytest.mark.parametrize("markets", PAIRS)
def test_every_pair_audits_clean_on_postgresql(markets: str, pg_url: str, tmp_path: Path) -> None:  # noqa: F811
    check(replay(markets, pg_url, tmp_path), markets)


def test_markets_without_a_common_window_are_refused_with_the_ranges(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["run", "--markets", "VN_HSX,US_NYSE", "--db", f"sqlite:///{tmp_path / 'x.db'}"]
    )
    assert result.exit_code == 2
    assert "VN_HSX calendar covers 2020-01-01" in result.stderr
    assert not (tmp_path / "x.db").exists()


def test_a_run_without_a_us_market_carries_no_usd() -> None:
    deposits = opening_cash(Money(Decimal(100000), Currency.USD), [Currency.KRW, Currency.HKD])
    assert [m.currency for m in deposits] == [Currency.KRW, Currency.HKD]
    assert deposits[0].amount == Decimal("70000000")  # 50,000 USD at 1,400


def test_the_base_currency_is_explicit(tmp_path: Path) -> None:
    doc = replay("KR", f"sqlite:///{tmp_path / 'state.db'}", tmp_path, "--base-currency", "KRW")
    assert doc["currency"] == "KRW"
    assert doc["deposits"] == [{"amount": "100000", "currency": "KRW"}]
    assert doc["audit_ok"] is True
