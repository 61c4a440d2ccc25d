"""Settings: env names, validation messages naming the key, secrets never shown."""

from __future__ import annotations

import pytest

from ouroboros.brokers.kis.config import KisAccount, KisEnvironment, load_kis_settings
from ouroboros.errors import ConfigError

SECRET = "super-secret-value-123"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in (
        "KIS_APP_KEY",
        "KIS_APP_SECRET",
        "KIS_ACCOUNT_NO",
        "KIS_VIRTUAL",
        "KIS_ENVIRONMENT",
        "KIS_BASE_URL",
        "KIS_RATE_LIMIT",
    ):
        monkeypatch.delenv(key, raising=False)


def _env(monkeypatch: pytest.MonkeyPatch, **values: str) -> None:
    base = {"KIS_APP_KEY": "PSappkey", "KIS_APP_SECRET": SECRET, "KIS_ACCOUNT_NO": "12345678-01"}
    base.update(values)
    for key, value in base.items():
        monkeypatch.setenv(key, value)


def test_reads_the_seed_env_names_and_defaults_to_virtual(monkeypatch: pytest.MonkeyPatch) -> None:
    _env(monkeypatch)
    settings = load_kis_settings()
    assert settings.env is KisEnvironment.VIRTUAL
    assert settings.account == KisAccount("12345678", "01")
    assert settings.rest_url == "https://openapivts.koreainvestment.com:29443"
    assert settings.requests_per_second == 2.0


def test_real_needs_an_explicit_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    _env(monkeypatch, KIS_VIRTUAL="false")
    settings = load_kis_settings()
    assert settings.env is KisEnvironment.REAL
    assert settings.rest_url == "https://openapi.koreainvestment.com:9443"
    assert settings.requests_per_second == 20.0


def test_base_url_override_and_rate_limit_off(monkeypatch: pytest.MonkeyPatch) -> None:
    _env(monkeypatch, KIS_BASE_URL="http://127.0.0.1:9999/", KIS_RATE_LIMIT="0")
    settings = load_kis_settings()
    assert settings.rest_url == "http://127.0.0.1:9999"
    assert settings.requests_per_second is None


@pytest.mark.parametrize("account", ["1234567-01", "12345678-1", "1234567801", "abcdefgh-01"])
def test_bad_account_names_the_key_and_the_value(
    monkeypatch: pytest.MonkeyPatch, account: str
) -> None:
    _env(monkeypatch, KIS_ACCOUNT_NO=account)
    with pytest.raises(ConfigError) as info:
        load_kis_settings()
    assert "KIS_ACCOUNT_NO" in str(info.value)
    assert repr(account) in str(info.value)


def test_missing_secret_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    _env(monkeypatch)
    monkeypatch.delenv("KIS_APP_SECRET")
    with pytest.raises(ConfigError, match="KIS_APP_SECRET is required"):
        load_kis_settings()


def test_contradicting_environment_switches_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    _env(monkeypatch, KIS_VIRTUAL="true", KIS_ENVIRONMENT="real")
    with pytest.raises(ConfigError, match="contradicts"):
        load_kis_settings()


def test_secret_never_in_errors_or_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    _env(monkeypatch, KIS_ACCOUNT_NO="bad")
    with pytest.raises(ConfigError) as info:
        load_kis_settings()
    assert SECRET not in str(info.value)
    assert info.value.__cause__ is None
    _env(monkeypatch)
    settings = load_kis_settings()
    assert SECRET not in repr(settings)
    assert SECRET not in str(settings)
    assert "PSappkey" not in repr(settings)
