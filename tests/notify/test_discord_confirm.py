"""Discord webhook alerts and the large-order confirmation, against local protocol servers
and an injected clock."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from decimal import Decimal

import httpx
import pytest
from sqlalchemy.engine import Engine

from ouroboros.domain.currency import Currency
from ouroboros.domain.fx import StaticFxRates
from ouroboros.domain.money import Money
from ouroboros.notify.confirm import Answer, LargeOrderGate, store_audit
from ouroboros.notify.discord import DiscordWebhook
from ouroboros.notify.queue import NotifyQueue
from ouroboros.notify.telegram import TelegramChannel, TelegramCommands, TelegramConfig, make_bot
from ouroboros.services import OperatorActions
from ouroboros.store.repositories import EventStore
from tests.notify.fakes import OWNER, STRANGER, bot_api, discord_webhook
from tests.notify.test_telegram import FakeTime
from tests.services.run_store import FakeClock

RATES = StaticFxRates(Currency.USD, {Currency.KRW: Decimal(1400), Currency.JPY: Decimal(150)})


async def test_discord_webhook_posts_the_alert() -> None:
    with discord_webhook() as (posts, url):
        async with httpx.AsyncClient() as client:
            await DiscordWebhook(url, client).send("breaker tripped: daily loss 3%")
    assert posts[0]["content"] == "breaker tripped: daily loss 3%"
    assert posts[0]["allowed_mentions"] == {"parse": []}


async def test_discord_failure_is_raised_to_the_queue_which_logs_it() -> None:
    time = FakeTime()
    with discord_webhook(status=500) as (_posts, url):
        async with httpx.AsyncClient() as client:
            queue = NotifyQueue(
                DiscordWebhook(url, client), monotonic=time.monotonic, sleep=time.sleep
            )
            queue.post("daily P&L")
            await queue.deliver_one()
    assert (queue.sent, queue.failed) == (0, 1)


def test_discord_refuses_a_plain_http_webhook() -> None:
    with pytest.raises(ValueError, match="DISCORD_WEBHOOK_URL"):
        DiscordWebhook("http://example.org/hook", httpx.AsyncClient())


def test_threshold_is_converted_and_missing_rates_fail_closed(clock: FakeClock) -> None:
    gate = LargeOrderGate(rates=RATES, now=clock.now, post=[], audit=lambda *_: None)
    assert not gate.needs_confirmation(Money(Decimal(5_000_000), Currency.KRW))
    assert gate.needs_confirmation(Money(Decimal("5000001"), Currency.KRW))
    assert not gate.needs_confirmation(Money(Decimal(3500), Currency.USD))  # 4.9M KRW
    assert gate.needs_confirmation(Money(Decimal(3600), Currency.USD))  # 5.04M KRW
    assert gate.needs_confirmation(Money(Decimal(540_000), Currency.JPY))  # 5.04M KRW
    assert gate.needs_confirmation(Money(Decimal(1), Currency.HKD))  # no rate: ask


async def _settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_yes_on_telegram_buttons_sends_the_order_and_is_audited(
    store: Engine, clock: FakeClock
) -> None:
    time = FakeTime()
    with bot_api() as (api, url):
        bot = make_bot(TelegramConfig("123:TEST", OWNER, base_url=url))
        await bot.initialize()
        queue = NotifyQueue(TelegramChannel(bot, OWNER), monotonic=time.monotonic, sleep=time.sleep)
        gate = LargeOrderGate(
            rates=RATES,
            now=clock.now,
            post=[queue.post],
            audit=store_audit(OperatorActions(store, clock.now), "default"),
        )
        poll = TelegramCommands(bot, OWNER, _no_commands, gate.on_button)
        big = asyncio.create_task(
            gate.confirm("BUY 100 AAPL.NASDAQ", Money(Decimal(20_000), Currency.USD))
        )
        await _settle()
        # another market's small order is not held up by the pending question
        small = await gate.confirm("BUY 1 005930.KRX", Money(Decimal(70_000), Currency.KRW))
        assert small.approved
        assert small.answer is Answer.NOT_NEEDED
        await queue.deliver_one()
        question = api.sent()[0]
        markup = (
            json.loads(question["reply_markup"])
            if isinstance(question["reply_markup"], str)
            else question["reply_markup"]
        )
        yes = markup["inline_keyboard"][0][0]["callback_data"]
        assert yes.endswith(":yes")
        api.press(yes, chat=STRANGER)
        await poll.poll_once()
        assert not big.done()  # a stranger's yes does not count
        api.press(yes)
        await poll.poll_once()
        verdict = await big
        assert verdict.approved
        assert verdict.by == f"telegram:{OWNER}"
        toasts = [b.get("text") for b in api.sent("answerCallbackQuery")]
        assert toasts == ["not allowed", "order will be sent"]
    types = [e.event.type for e in EventStore(store).read(event_type=None)][-2:]
    assert types == ["operator.large_order_requested", "operator.large_order_approved"]


async def test_no_answer_or_no_means_not_sent(store: Engine, clock: FakeClock) -> None:
    posted: list[str] = []
    gate = LargeOrderGate(
        rates=RATES,
        now=clock.now,
        post=[lambda text, _b: posted.append(text)],
        audit=store_audit(OperatorActions(store, clock.now), "default"),
        timeout=timedelta(seconds=60),
    )
    value = Money(Decimal(10_000_000), Currency.KRW)
    waiting = asyncio.create_task(gate.confirm("BUY 150 005930.KRX", value))
    declined = asyncio.create_task(gate.confirm("BUY 9 000660.KRX", value))
    await _settle()
    first, second = gate.pending
    clock.t += timedelta(seconds=59)
    assert gate.expire() == 0
    assert gate.answer(second if second else first, False, "telegram:123")
    clock.t += timedelta(seconds=1)
    assert gate.expire() == 1
    results = {(await waiting).answer, (await declined).answer}
    assert results == {Answer.TIMEOUT, Answer.NO}
    assert not (await waiting).approved
    assert not (await declined).approved
    assert "Answer within 60 s" in posted[0]
    assert await gate.on_button(f"confirm:{first}:yes", "telegram:123") == (
        "this question is no longer open"
    )
    types = {e.event.type for e in EventStore(store).read(event_type=None)}
    assert {"operator.large_order_expired", "operator.large_order_declined"} <= types


async def _no_commands(_command: str, _args: object) -> str:
    return ""
