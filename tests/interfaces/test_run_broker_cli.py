"""``ouroboros run --broker kis --kis-url ...`` as a user runs it, against a KIS sandbox the
test starts; credentials come from the environment exactly as documented."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ouroboros.interfaces.cli.app import app
from ouroboros.interfaces.cli.run_broker import is_real_money_host
from ouroboros.sandbox.kis import KisSandbox, SandboxConfig
from ouroboros.store import make_engine, verify

KIS_ENV = (
    "KIS_APP_KEY",
    "KIS_APP_SECRET",
    "KIS_ACCOUNT_NO",
    "KIS_VIRTUAL",
    "KIS_ENVIRONMENT",
    "KIS_BASE_URL",
    "KIS_WS_URL",
    "KIS_HTS_ID",
    "KIS_RATE_LIMIT",
    "KIS_TOKEN_DIR",
    "KIS_STATE_DIR",
    "OUROBOROS_CONFIRM_REAL_MONEY",
)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    for key in KIS_ENV:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("KIS_TOKEN_DIR", str(tmp_path / "tokens"))
    monkeypatch.setenv("KIS_STATE_DIR", str(tmp_path / "orders"))
    return monkeypatch


@pytest.fixture
def sandbox() -> Iterator[KisSandbox]:
    # No wall-clock price ticker: market orders fill at the price of the moment either way.
    # The sandbox charges KRX fees like KIS; the books model them.
    with KisSandbox(SandboxConfig(virtual=True, rate_limit=0, charge_fees=True)) as sb:
        yield sb


def broker_args(url: str, tmp_path: Path) -> list[str]:
    return [
        "run",
        "--broker",
        "kis",
        "--kis-url",
        url,
        "--markets",
        "KR",
        "--days",
        "10",
        "--symbols",
        "5",
        "--policy",
        "sma-cross",
        "--param",
        "fast=2",
        "--param",
        "slow=5",
        "--sizing",
        "fixed:10",
        "--db",
        f"sqlite:///{tmp_path / 'cli.db'}",
        "--report-dir",
        str(tmp_path / "reports"),
        "--json",
    ]


def test_run_broker_kis_trades_a_session_against_the_sandbox(
    clean_env: pytest.MonkeyPatch, sandbox: KisSandbox, tmp_path: Path
) -> None:
    app_creds = sandbox.app_credentials
    clean_env.setenv("KIS_APP_KEY", app_creds.app_key)
    clean_env.setenv("KIS_APP_SECRET", app_creds.app_secret)
    clean_env.setenv("KIS_ACCOUNT_NO", app_creds.accounts[0])
    clean_env.setenv("KIS_VIRTUAL", "true")
    clean_env.setenv("KIS_HTS_ID", app_creds.hts_id)
    clean_env.setenv("KIS_RATE_LIMIT", "0")

    result = CliRunner().invoke(app, broker_args(sandbox.base_url, tmp_path))

    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["broker"] == "kis"
    assert summary["session"] == "replay through the broker"
    assert summary["reconciled"] is True
    assert summary["end_differences"] == []
    assert summary["audit_ok"] is True
    assert summary["orders_sent"] >= 1
    assert summary["fills"] >= summary["orders_sent"]
    assert summary["open_at_end"] == []
    assert Path(summary["report"]).exists()
    new_orders = [o for o in sandbox.orders() if o.kind == "new"]
    assert len(new_orders) == summary["orders_sent"]
    assert verify(make_engine(f"sqlite:///{tmp_path / 'cli.db'}")).ok
    assert app_creds.app_secret not in result.output  # secrets never printed


def test_missing_credentials_fail_with_the_key_named_and_no_secret_shown(
    clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    clean_env.setenv("KIS_APP_SECRET", "very-secret-value-123")
    clean_env.setenv("KIS_ACCOUNT_NO", "50000001-01")
    result = CliRunner().invoke(app, broker_args("http://127.0.0.1:9", tmp_path))
    assert result.exit_code == 2
    assert "KIS_APP_KEY is required" in result.output
    assert "very-secret-value-123" not in result.output


@pytest.mark.parametrize("confirmed", [False, True])
def test_a_real_account_is_refused_until_a_wall_clock_driver_exists(
    clean_env: pytest.MonkeyPatch, tmp_path: Path, confirmed: bool
) -> None:
    """run --broker kis replays past sessions: on real money it would send today's orders on
    decisions from past prices, so it is refused (confirmed or not) before anything happens."""
    clean_env.setenv("KIS_APP_KEY", "PSREALKEY")
    clean_env.setenv("KIS_APP_SECRET", "real-secret")
    clean_env.setenv("KIS_ACCOUNT_NO", "12345678-01")
    clean_env.setenv("KIS_VIRTUAL", "false")
    if confirmed:
        clean_env.setenv("OUROBOROS_CONFIRM_REAL_MONEY", "yes")
    args = [a for a in broker_args("x", tmp_path) if a not in ("--kis-url", "x")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert "refuses a real-money account: it replays past sessions" in " ".join(
        result.output.split()
    )
    assert not (tmp_path / "cli.db").exists()  # refused before touching anything


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("--broker", "alpaca"), "unknown --broker 'alpaca'"),
        (("--markets", "US_NASDAQ"), "include KR in --markets"),
        (("--kis-url", "ftp://host"), "--kis-url must look like http://host:port"),
    ],
)
def test_bad_broker_options_are_refused_with_a_reason(
    clean_env: pytest.MonkeyPatch, tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    clean_env.setenv("KIS_APP_KEY", "PSVIRTUALAPPKEY0001")
    clean_env.setenv("KIS_APP_SECRET", "secret")
    clean_env.setenv("KIS_ACCOUNT_NO", "50000001-01")
    args = broker_args("http://127.0.0.1:9", tmp_path)
    args[args.index(change[0]) + 1] = change[1]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())


@pytest.mark.parametrize(
    "url",
    [
        "https://openapi.koreainvestment.com:9443",
        "https://OPENAPI.KoreaInvestment.com:9443",
        "https://openapi.koreainvestment.com.:9443/",
        "http://openapi.koreainvestment.com:80",
    ],
)
def test_the_real_money_guard_compares_the_parsed_host(url: str) -> None:
    assert is_real_money_host(url)


@pytest.mark.parametrize(
    "url",
    ["https://openapivts.koreainvestment.com:29443", "http://127.0.0.1:29443", "http://evil.com"],
)
def test_other_hosts_are_not_real_money(url: str) -> None:
    assert not is_real_money_host(url)


def test_a_differently_spelled_real_url_is_still_real_money(
    clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Case, a trailing dot and another port do not disguise KIS's real-money host: the real
    account is refused (replays only) before anything is written."""
    clean_env.setenv("KIS_APP_KEY", "PSREALKEY")
    clean_env.setenv("KIS_APP_SECRET", "real-secret")
    clean_env.setenv("KIS_ACCOUNT_NO", "12345678-01")
    clean_env.setenv("KIS_VIRTUAL", "false")
    args = broker_args("https://OPENAPI.koreainvestment.com.:9443", tmp_path)
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert "refuses a real-money account" in " ".join(result.output.split())
    assert not (tmp_path / "cli.db").exists()
