"""Agent settings: YAML < .env < environment < overrides, unknown keys refused, one-line errors."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import SecretStr

from ouroboros.agent.secrets import is_secret_key
from ouroboros.agent.settings import AGENT_KEYS, RISK_KEYS, load_config
from ouroboros.domain import Currency
from ouroboros.errors import ConfigError
from ouroboros.markets import MarketCode

KIS = ("KIS_APP_KEY", "KIS_APP_SECRET", "KIS_ACCOUNT_NO", "KIS_TOKEN_DIR")


def test_defaults_are_the_seeds() -> None:
    config = load_config(environ={})
    agent = config.agent
    assert agent.mode == "paper"
    assert agent.trade_mode == "daily"
    assert agent.enabled_markets == (
        MarketCode.KR,
        MarketCode.US_NASDAQ,
        MarketCode.US_NYSE,
        MarketCode.US_AMEX,
    )
    assert agent.pre_market_minutes == 30
    assert agent.rescan_interval_seconds == 300
    assert agent.reconcile_interval_minutes == 30
    assert agent.rate_limit_rps == Decimal(2)
    assert not agent.trade_premarket
    assert not agent.trade_afterhours
    assert agent.early_close_buffer_minutes == 30
    assert agent.heartbeat_interval_seconds == 60
    assert agent.alert_after_missed_heartbeats == 3
    assert agent.network_failure_threshold == 3
    assert agent.max_data_age_minutes == 15
    assert agent.max_daily_change_pct == Decimal(50)
    assert agent.fx_update_interval_minutes == 60
    assert agent.fx_fallback_rates == {(Currency.USD, Currency.KRW): Decimal(1450)}
    limits = config.risk.to_limits()
    assert limits.max_correlated_positions == 3
    assert limits.correlation_lookback == 60
    assert limits.correlation_threshold == Decimal("0.7")


def test_sources_layer_yaml_then_dotenv_then_environment_then_overrides(tmp_path: Path) -> None:
    yaml_file = tmp_path / "ouroboros.yaml"
    yaml_file.write_text(
        "MODE: live\nPRE_MARKET_MINUTES: 20\nRESCAN_INTERVAL_SECONDS: 120\n"
        "ENABLED_MARKETS: [KR, JP]\nmax_loss_pct: 2\nFX_RATES: {USD/KRW: 1400}\n",
        encoding="utf-8",
    )
    env_file = tmp_path / ".env"
    env_file.write_text("PRE_MARKET_MINUTES=25\nRESCAN_INTERVAL_SECONDS=90\n", encoding="utf-8")
    config = load_config(
        yaml_file=yaml_file,
        env_file=env_file,
        environ={"RESCAN_INTERVAL_SECONDS": "60", "HOME": "/root"},
        overrides={"ENABLED_MARKETS": "US,HK"},
    )
    agent = config.agent
    assert agent.mode == "live"  # YAML only
    assert agent.pre_market_minutes == 25  # .env over YAML
    assert agent.rescan_interval_seconds == 60  # environment over .env
    assert agent.enabled_markets == (
        MarketCode.US_NASDAQ,
        MarketCode.US_NYSE,
        MarketCode.US_AMEX,
        MarketCode.HK,
    )
    assert agent.fx_rates == {(Currency.USD, Currency.KRW): Decimal(1400)}
    assert config.risk.to_breaker_config().max_daily_loss_pct == Decimal(2)
    assert config.origins["MODE"] == str(yaml_file)
    assert config.origins["PRE_MARKET_MINUTES"] == str(env_file)
    assert config.origins["ENABLED_MARKETS"] == "override"


@pytest.mark.parametrize(
    ("env", "fragment"),
    [
        ({"PRE_MARKET_MINUTES": "soon"}, "invalid PRE_MARKET_MINUTES, was 'soon' (from env)"),
        ({"PRE_MARKET_MINUTES": "0"}, "invalid PRE_MARKET_MINUTES, was '0'"),
        ({"MODE": "yolo"}, "invalid MODE, was 'yolo'"),
        ({"ENABLED_MARKETS": "KR,MARS"}, "unknown market, was 'MARS'"),
        ({"RATE_LIMIT_RPS": "-1"}, "invalid RATE_LIMIT_RPS"),
        ({"TRADE_PREMARKET": "maybe"}, "invalid TRADE_PREMARKET"),
        ({"PREMARKET_START": "10:00"}, "PREMARKET_START must be before"),
        ({"FX_RATES": "USD/KRW=-5"}, "invalid FX_RATES"),
        ({"MAX_LOSS_PCT": "200"}, "invalid MAX_LOSS_PCT"),
        ({"MAX_CORRELATED_POSITIONS": "0"}, "invalid MAX_CORRELATED_POSITIONS"),
    ],
)
def test_invalid_values_fail_with_one_line_naming_the_key(
    env: dict[str, str], fragment: str
) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(environ=env)
    assert fragment in str(info.value)
    assert "\n" not in str(info.value)


def test_unknown_keys_in_files_are_refused(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("PRE_MARKET_MINUTS=30\n", encoding="utf-8")
    with pytest.raises(
        ConfigError, match=r"unknown setting PRE_MARKET_MINUTS .*PRE_MARKET_MINUTES"
    ):
        load_config(env_file=env_file, environ={})
    yaml_file = tmp_path / "s.yaml"
    yaml_file.write_text("market_hours:\n  trade_premarket: true\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="sections are not supported"):
        load_config(yaml_file=yaml_file, environ={})
    with pytest.raises(ConfigError, match="unknown setting BOGUS in overrides"):
        load_config(environ={}, overrides={"BOGUS": 1})
    # The process environment holds unrelated variables: only known keys are read from it.
    assert (
        load_config(environ={"PRE_MARKET_MINUTS": "1", "PATH": "/bin"}).agent.pre_market_minutes
        == 30
    )


def test_yaml_times_are_times_and_agent_and_risk_keys_do_not_overlap(tmp_path: Path) -> None:
    yaml_file = tmp_path / "s.yaml"
    yaml_file.write_text(
        "TRADE_AFTERHOURS: true\nAFTERHOURS_END: 19:30\nPREMARKET_START: 04:00\n"
        "TRADING_DAY_ROLLOVER: 07:00\nPRE_MARKET_MINUTES: 45\n",
        encoding="utf-8",
    )
    config = load_config(yaml_file=yaml_file, environ={})
    assert config.agent.afterhours_end == dt.time(19, 30)  # YAML 1.1 would say 1170
    assert config.agent.premarket_start == dt.time(4, 0)
    assert config.agent.pre_market_minutes == 45
    assert config.risk.to_breaker_config().day_rollover == dt.time(7, 0)
    assert AGENT_KEYS.isdisjoint(RISK_KEYS)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        load_config(env_file=tmp_path / "nope.env", environ={})
    with pytest.raises(ConfigError, match="cannot read settings file"):
        load_config(yaml_file=tmp_path / "nope.yaml", environ={})


def test_adapter_keys_pass_through_with_secrets_hidden(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(
        "KIS_APP_KEY=PSabcdefghijklmnop\nKIS_APP_SECRET=s3cr3t-value-xyz\nKIS_ACCOUNT_NO=12345678-01\n",
        encoding="utf-8",
    )
    config = load_config(env_file=env_file, environ={}, adapter_keys=KIS)
    key = config.adapter_values["KIS_APP_KEY"]
    assert isinstance(key, SecretStr)
    assert key.get_secret_value() == "PSabcdefghijklmnop"
    assert config.adapter_values["KIS_ACCOUNT_NO"] == "12345678-01"
    assert "PSabcdefghijklmnop" not in repr(config)
    assert config.secret_values() == {"PSabcdefghijklmnop", "s3cr3t-value-xyz"}
    with pytest.raises(ConfigError, match="unknown setting KIS_APP_KEY"):
        load_config(env_file=env_file, environ={})  # nobody declared the KIS keys


def test_config_hash_is_stable_and_ignores_secret_values() -> None:
    a = load_config(environ={"mode": "paper", "PRE_MARKET_MINUTES": "30"})
    b = load_config(environ={}, overrides={"PRE_MARKET_MINUTES": 30})
    assert a.config_hash == b.config_hash == load_config(environ={}).config_hash
    assert len(a.config_hash) == 16
    c = load_config(environ={"PRE_MARKET_MINUTES": "31"})
    assert c.config_hash != a.config_hash
    d = load_config(environ={"MAX_POSITIONS": "5"})
    assert d.config_hash != a.config_hash  # risk settings are part of the tree
    s1 = load_config(environ={"KIS_APP_KEY": "first-key-1234"}, adapter_keys=KIS)
    s2 = load_config(environ={"KIS_APP_KEY": "other-key-5678"}, adapter_keys=KIS)
    assert s1.config_hash == s2.config_hash
    assert s1.config_hash != a.config_hash  # but whether it is set counts


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("KIS_APP_KEY", True),
        ("KIS_APP_SECRET", True),
        ("TELEGRAM_BOT_TOKEN", True),
        ("S3_SECRET_KEY", True),
        ("db_password", True),
        ("apikey", True),
        ("access_token", True),
        ("KIS_TOKEN_DIR", False),
        ("KIS_TOKEN_MIN_INTERVAL", False),
        ("KIS_ACCOUNT_NO", False),
        ("MODE", False),
        ("market", False),
    ],
)
def test_secret_keys(name: str, secret: bool) -> None:
    assert is_secret_key(name) is secret
