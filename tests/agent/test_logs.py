"""structlog setup: JSON or console, context on every line, secrets redacted everywhere."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import structlog
from structlog.contextvars import clear_contextvars

from ouroboros.agent.logs import (
    CONTEXT_KEYS,
    LoggingHandle,
    SecretRedactor,
    bind_run,
    configure_logging,
    cycle,
    get_logger,
)
from ouroboros.agent.settings import load_config

SECRET = "PSx9Yq2LmNoPqRsT"  # a made-up app key


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def logs() -> Iterator[Callable[..., tuple[io.StringIO, LoggingHandle]]]:
    handles: list[LoggingHandle] = []
    level = logging.getLogger().level

    def make(fmt: Any = "json", stream: io.StringIO | None = None, **kw: Any):
        out = stream or io.StringIO()
        handle = configure_logging(fmt, stream=out, **kw)
        handles.append(handle)
        return out, handle

    clear_contextvars()
    yield make
    for h in handles:
        h.close()
    logging.getLogger().setLevel(level)
    clear_contextvars()


def lines(out: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_every_json_line_carries_the_context_keys(logs: Any) -> None:
    out, _ = logs("json")
    bind_run("run-42", "session-7")
    log = get_logger("ouroboros.agent.test")
    log.info("outside a cycle")
    with cycle("KR", cycle_id="c-1", trace_id="t-1") as ids:
        log.info("rescan", symbols=500)
    first, second = lines(out)
    for line in (first, second):
        assert set(CONTEXT_KEYS) <= line.keys()
        assert line["run_id"] == "run-42"
        assert line["session_id"] == "session-7"
    assert first["market"] is None
    assert first["cycle_id"] is None
    assert second["market"] == "KR"
    assert second["cycle_id"] == "c-1"
    assert second["trace_id"] == "t-1"
    assert second["symbols"] == 500
    assert second["level"] == "info"
    assert ids == {"market": "KR", "cycle_id": "c-1", "trace_id": "t-1"}


def test_library_log_lines_are_rendered_the_same_way(logs: Any) -> None:
    out, _ = logs("json")
    bind_run("run-1")
    with cycle("JP"):
        logging.getLogger("apscheduler.scheduler").warning("Run time of job %s was missed", "x")
    (line,) = lines(out)
    assert line["event"] == "Run time of job x was missed"
    assert line["market"] == "JP"
    assert line["logger"] == "apscheduler.scheduler"


async def test_concurrent_markets_keep_their_own_ids(logs: Any) -> None:
    out, _ = logs("json")
    bind_run("run-1")
    log = get_logger("ouroboros.agent.test")

    async def market(code: str) -> None:
        with cycle(code):
            for _ in range(3):
                log.info("step")
                await asyncio.sleep(0)

    await asyncio.gather(market("KR"), market("US_NYSE"))
    by_market: dict[str, set[str]] = {}
    for line in lines(out):
        by_market.setdefault(line["market"], set()).add(line["cycle_id"])
    assert set(by_market) == {"KR", "US_NYSE"}
    assert all(len(ids) == 1 for ids in by_market.values())
    assert by_market["KR"] != by_market["US_NYSE"]


def test_secret_fields_and_values_are_redacted(logs: Any) -> None:
    config = load_config(environ={"KIS_APP_KEY": SECRET}, adapter_keys=["KIS_APP_KEY"])
    out, handle = logs("json", secrets=config.secret_values())
    log = get_logger("ouroboros.agent.test")
    log.info("token issued", access_token="eyJhbGciOi...", app_key=SECRET, KIS_APP_SECRET="zz")
    log.info(f"calling with appkey={SECRET}", headers={"appsecret": "hidden", "tr_id": "TTTC0802U"})
    log.info("values", items=[f"x{SECRET}x", 3], note=None, db_password=None)
    handle.redactor.add("runtime-token-abcdef")
    logging.getLogger("httpx").info("GET /?token=runtime-token-abcdef")
    try:
        raise RuntimeError(f"auth failed for {SECRET}")
    except RuntimeError:
        log.exception("broker error")
    text = out.getvalue()
    assert SECRET not in text
    assert "runtime-token-abcdef" not in text
    assert "hidden" not in text
    first, second, third, fourth, fifth = lines(out)
    assert first["access_token"] == "***"
    assert first["app_key"] == "***"
    assert first["KIS_APP_SECRET"] == "***"
    assert second["event"] == "calling with appkey=***"
    assert second["headers"] == {"appsecret": "***", "tr_id": "TTTC0802U"}
    assert third["items"] == ["x***x", 3]
    assert third["db_password"] is None  # nothing to hide
    assert fourth["event"] == "GET /?token=***"
    assert "auth failed for ***" in fifth["exception"]


def test_short_values_are_not_searched_for() -> None:
    with pytest.raises(ValueError, match="8"):
        SecretRedactor(["abc"])
    redactor = SecretRedactor()
    assert redactor(None, "info", {"event": "abc", "password": "abc"}) == {
        "event": "abc",
        "password": "***",
    }


def test_console_on_a_tty_and_json_otherwise(logs: Any) -> None:
    tty, handle = logs("auto", stream=Tty())
    assert handle.format == "console"
    get_logger("t").info("hello", market_hint=1)
    assert not tty.getvalue().lstrip().startswith("{")
    assert "hello" in tty.getvalue()
    handle.close()
    pipe, handle = logs("auto")
    assert handle.format == "json"
    get_logger("t").info("hello")
    assert lines(pipe)[0]["event"] == "hello"


def test_level_filters_and_bad_options_are_named(logs: Any) -> None:
    out, _ = logs("json", level="WARNING")
    get_logger("t").info("dropped")
    get_logger("t").warning("kept")
    assert [line["event"] for line in lines(out)] == ["kept"]
    with pytest.raises(ValueError, match="invalid log format, was 'xml'"):
        configure_logging("xml", stream=io.StringIO())  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="invalid log level, was 'LOUD'"):
        configure_logging("json", level="LOUD", stream=io.StringIO())
    assert structlog.is_configured()
