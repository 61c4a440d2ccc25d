"""Options checked at the door (cli/validate.py)."""

from __future__ import annotations

from datetime import date

import pytest
import typer

from ouroboros.errors import ConfigError
from ouroboros.interfaces.cli import validate


def test_two_spellings_of_a_risk_setting_must_agree() -> None:
    validate.risk_env_conflicts({"TA_MAX_POSITION_PCT": "10", "MAX_POSITION_SIZE_PERCENT": "10"})
    with pytest.raises(ConfigError, match=r"TA_MAX_POSITION_PCT='10'.*MAX_POSITION_SIZE_PERCENT"):
        validate.risk_env_conflicts(
            {"TA_MAX_POSITION_PCT": "10", "MAX_POSITION_SIZE_PERCENT": "25"}
        )


@pytest.mark.parametrize(
    ("text", "message"),
    [("fixed:1.99", "whole share count"), ("fixed:0", "at least 1"), ("fixed:x", "whole share")],
)
def test_fixed_sizing_needs_whole_shares(text: str, message: str) -> None:
    with pytest.raises(typer.BadParameter, match=message):
        validate.sizing(text)
    assert validate.sizing("fixed:2") == "fixed:2"


def test_dates_name_their_option() -> None:
    with pytest.raises(typer.BadParameter) as info:
        validate.parse_date("2013-13-45", "--end")
    assert info.value.param_hint == "--end"
    assert validate.parse_date(" 2013-01-02 ", "--end") == date(2013, 1, 2)
    with pytest.raises(typer.BadParameter, match="after --end"):
        validate.date_window(date(2013, 2, 1), date(2013, 1, 1))


def test_markets_keep_their_order_and_list_the_valid_codes() -> None:
    assert validate.markets("jp, KR,jp") == ("JP", "KR")
    with pytest.raises(typer.BadParameter, match="valid: KR, US_NASDAQ"):
        validate.markets("KR,MOON")


@pytest.mark.parametrize("text", ["-0.001", "0.6", "nan", "x"])
def test_cost_rates_have_a_range(text: str) -> None:
    with pytest.raises(typer.BadParameter):
        validate.rate(text, "--slippage")


@pytest.mark.parametrize("text", ["0", "-5", "1e400", "inf"])
def test_cash_has_a_range(text: str) -> None:
    with pytest.raises(typer.BadParameter):
        validate.cash_amount(text)
