"""Telegram commands and notifications against a local Bot API server."""

from __future__ import annotations

import asyncio
import logging
import re

import pytest
from sqlalchemy.engine import Engine

from ouroboros.notify.commands import OperatorCommands
from ouroboros.notify.queue import NotifyQueue
from ouroboros.notify.telegram import (
    TelegramChannel,
    TelegramCommands,
    TelegramConfig,
    config_from_env,
    make_bot,
)
from ouroboros.services import OperatorActions, ReadService
from ouroboros.store.repositories import EventStore
from tests.notify.fakes import OWNER, STRANGER, bot_api
from tests.services.run_store import FakeClock

ALL = [
    "help",
    "status",
    "positions",
    "report",
    "scenarios",
    "review",
    "dashboard",
    "stop",
    "resume",
    "balance",
    "trades",
    "profit",
    "daily",
    "breaker",
]


def commands(store: Engine, clock: FakeClock) -> OperatorCommands:
    return OperatorCommands(
        ReadService(store),
        OperatorActions(store, clock.now),
        who=str(OWNER),
        dashboard_url="http://127.0.0.1:8080/",
    )


async def poller(api_url: str, ops: OperatorCommands) -> TelegramCommands:
    bot = make_bot(TelegramConfig("123:TEST", OWNER, base_url=api_url))
    await bot.initialize()
    return TelegramCommands(bot, OWNER, ops.handle)


async def test_every_command_answers_through_the_services(store: Engine, clock: FakeClock) -> None:
    ops = commands(store, clock)
    assert set(ALL) <= set(ops.commands)
    with bot_api() as (api, url):
        poll = await poller(url, ops)
        for name in ALL:
            api.message(f"/{name}")
        assert await poll.poll_once() == len(ALL)
        replies = [m["text"] for m in api.sent()]
    assert len(replies) == len(ALL)
    assert all(int(m) == OWNER for m in [b["chat_id"] for b in api.sent()])
    by_command = dict(zip(ALL, replies, strict=True))
    assert "/stop" in by_command["help"]
    assert by_command["status"].startswith("Run r")
    assert "Playbooks for 2013-02-28" in by_command["scenarios"]  # the playbook run's last day
    assert re.search(r"JP: \d+ stock\(s\)", by_command["scenarios"])
    assert "equity" in by_command["balance"]
    assert "ta;" in by_command["review"] or "%" in by_command["review"]
    assert by_command["dashboard"] == "Dashboard: http://127.0.0.1:8080/"
    assert "unknown command" not in " ".join(replies)


async def test_stop_from_the_owner_stops_and_a_stranger_is_ignored(
    store: Engine, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    ops = commands(store, clock)
    reads = ReadService(store)
    with bot_api() as (api, url):
        poll = await poller(url, ops)
        api.message("/stop", chat=STRANGER)
        with caplog.at_level(logging.WARNING):
            assert await poll.poll_once() == 0
        assert poll.ignored == 1
        assert "ignored a message from chat 999" in caplog.text
        assert reads.safety("default")["trading_enabled"] is True
        assert api.sent() == []
        api.message("/stop@fake_bot")
        assert await poll.poll_once() == 1
        assert reads.safety("default")["trading_enabled"] is False
        event = EventStore(store).read(event_type="operator.trading_disabled")[-1].event
        assert event.payload["by"] == f"telegram:{OWNER}"
        api.message("/resume default")
        await poll.poll_once()
        assert reads.safety("default")["trading_enabled"] is True
        # the offset moved on: nothing is handled twice
        assert await poll.poll_once() == 0


async def test_api_down_is_logged_and_never_raises(
    store: Engine, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    with bot_api() as (api, url):
        poll = await poller(url, commands(store, clock))
        api.down = True
        api.message("/status")
        with caplog.at_level(logging.WARNING):
            assert await poll.poll_once() == 0
        assert poll.errors == 1
        assert "getUpdates failed" in caplog.text
        api.down = False
        assert await poll.poll_once() == 1  # recovered: the queued command is answered


class FakeTime:
    def __init__(self) -> None:
        self.t = 100.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += seconds


async def test_notifications_are_rate_limited_and_failures_only_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    time = FakeTime()
    with bot_api() as (api, url):
        bot = make_bot(TelegramConfig("123:TEST", OWNER, base_url=url))
        await bot.initialize()
        queue = NotifyQueue(
            TelegramChannel(bot, OWNER), monotonic=time.monotonic, sleep=time.sleep, maxsize=3
        )
        assert all(queue.post(f"fill {i}") for i in range(3))
        assert queue.post("one too many") is False  # full: dropped, the caller never waits
        for _ in range(2):
            await queue.deliver_one()
        assert [m["text"] for m in api.sent()] == ["fill 0", "fill 1"]
        assert time.sleeps == [pytest.approx(1.0)]
        api.down = True
        with caplog.at_level(logging.WARNING):
            await queue.deliver_one()
        assert (queue.sent, queue.failed, queue.dropped) == (2, 1, 1)
        assert "send failed" in caplog.text


async def test_queue_worker_runs_in_the_background() -> None:
    time = FakeTime()
    delivered = asyncio.Event()

    class Channel:
        name = "memory"

        def __init__(self) -> None:
            self.got: list[str] = []

        async def send(self, text: str, buttons: object = ()) -> None:
            self.got.append(text)
            delivered.set()

    channel = Channel()
    queue = NotifyQueue(channel, monotonic=time.monotonic, sleep=time.sleep)
    task = asyncio.create_task(queue.run())
    queue.post("breaker tripped")
    await delivered.wait()
    task.cancel()
    assert channel.got == ["breaker tripped"]


def test_disabled_without_credentials_and_bad_settings_named() -> None:
    assert config_from_env({}) is None
    assert config_from_env({"TELEGRAM_BOT_TOKEN": "1:x"}) is None
    assert (
        config_from_env(
            {"TELEGRAM_BOT_TOKEN": "1:x", "TELEGRAM_CHAT_ID": "5", "TELEGRAM_ENABLED": "false"}
        )
        is None
    )
    config = config_from_env({"TELEGRAM_BOT_TOKEN": "1:secret", "TELEGRAM_CHAT_ID": "5"})
    assert config is not None
    assert config.chat_id == 5
    assert "secret" not in repr(config)
    with pytest.raises(ValueError, match="TELEGRAM_CHAT_ID"):
        config_from_env({"TELEGRAM_BOT_TOKEN": "1:x", "TELEGRAM_CHAT_ID": "me"})
    with pytest.raises(ValueError, match="TELEGRAM_API_URL must end in /bot"):
        config_from_env(
            {
                "TELEGRAM_BOT_TOKEN": "1:x",
                "TELEGRAM_CHAT_ID": "5",
                "TELEGRAM_API_URL": "http://127.0.0.1:1/",
            }
        )
