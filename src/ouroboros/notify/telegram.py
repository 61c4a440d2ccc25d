"""Telegram through python-telegram-bot: a channel for notifications and a command poller.

Only the configured chat (``TELEGRAM_CHAT_ID``) is obeyed; a stranger's messages and button
presses are logged and ignored. An unreachable Bot API is logged and retried on the next poll;
it never raises into the caller. ``base_url`` (tests, a local Bot API server) must end in
``/bot``: the token is appended to it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from ouroboros.notify.port import Button

log = logging.getLogger(__name__)
DEFAULT_BASE_URL = "https://api.telegram.org/bot"
MAX_TEXT = 4096

CommandHandler = Callable[[str, Sequence[str]], Awaitable[str]]
"""(command without the slash, arguments) -> the reply."""
CallbackHandler = Callable[[str, str], Awaitable[str]]
"""(button data, who pressed) -> the toast shown to the person."""


@dataclass(frozen=True, slots=True)
class TelegramConfig:
    token: str
    chat_id: int
    commands: bool = True
    polling_interval: float = 2.0
    base_url: str = DEFAULT_BASE_URL

    def __repr__(self) -> str:  # never print the token
        return f"TelegramConfig(chat_id={self.chat_id}, commands={self.commands})"


def config_from_env(env: Mapping[str, str]) -> TelegramConfig | None:
    """The Telegram settings, or ``None`` (disabled) without a token and chat id or with
    ``TELEGRAM_ENABLED=false``. A malformed chat id is refused with its name."""
    if env.get("TELEGRAM_ENABLED", "true").lower() in ("0", "false", "no", "off"):
        return None
    token, chat = env.get("TELEGRAM_BOT_TOKEN", ""), env.get("TELEGRAM_CHAT_ID", "")
    if not token or not chat:
        return None
    try:
        chat_id = int(chat)
        interval = float(env.get("TELEGRAM_POLLING_INTERVAL", "2"))
    except ValueError:
        raise ValueError(
            "TELEGRAM_CHAT_ID must be an integer and TELEGRAM_POLLING_INTERVAL a number"
        ) from None
    commands = env.get("TELEGRAM_COMMANDS_ENABLED", "true").lower() not in ("0", "false", "no")
    base = env.get("TELEGRAM_API_URL", DEFAULT_BASE_URL)
    if not base.endswith("/bot"):
        raise ValueError(f"TELEGRAM_API_URL must end in /bot, was {base!r}")
    return TelegramConfig(token, chat_id, commands, interval, base)


def make_bot(config: TelegramConfig) -> Bot:
    file_url = config.base_url[: -len("/bot")] + "/file/bot"
    return Bot(config.token, base_url=config.base_url, base_file_url=file_url)


class TelegramChannel:
    """Sends to the configured chat; used by :class:`~ouroboros.notify.queue.NotifyQueue`."""

    name = "telegram"

    def __init__(self, bot: Bot, chat_id: int) -> None:
        self._bot = bot
        self._chat_id = chat_id

    async def send(self, text: str, buttons: Sequence[Button] = ()) -> None:
        markup = (
            InlineKeyboardMarkup(
                [[InlineKeyboardButton(b.label, callback_data=b.data) for b in buttons]]
            )
            if buttons
            else None
        )
        await self._bot.send_message(self._chat_id, text[:MAX_TEXT], reply_markup=markup)


class TelegramCommands:
    """Polls ``getUpdates`` and answers the configured chat's commands and button presses."""

    def __init__(
        self,
        bot: Bot,
        chat_id: int,
        on_command: CommandHandler,
        on_button: CallbackHandler | None = None,
    ) -> None:
        self._bot = bot
        self._chat_id = chat_id
        self._on_command = on_command
        self._on_button = on_button
        self._offset: int | None = None
        self.ignored = 0
        self.errors = 0

    async def poll_once(self, timeout: int = 0) -> int:
        """Handle one batch of updates; returns how many were handled. Never raises for an
        unreachable or failing Bot API (it is logged and counted)."""
        try:
            updates = await self._bot.get_updates(
                offset=self._offset,
                timeout=timeout,
                allowed_updates=["message", "callback_query"],
            )
        except TelegramError as exc:
            self.errors += 1
            log.warning("telegram getUpdates failed: %s", exc)
            return 0
        handled = 0
        for update in updates:
            self._offset = update.update_id + 1
            try:
                handled += await self._handle(update)
            except TelegramError as exc:
                self.errors += 1
                log.warning("telegram reply failed: %s", exc)
        return handled

    async def _handle(self, update: Update) -> int:
        message, query = update.message, update.callback_query
        if message is not None and message.text:
            if message.chat.id != self._chat_id:
                return self._ignore("message", message.chat.id)
            if not message.text.startswith("/"):
                return 0
            head, *args = message.text.split()
            command = head[1:].split("@", 1)[0].lower()
            reply = await self._on_command(command, args)
            await self._bot.send_message(self._chat_id, reply[:MAX_TEXT])
            return 1
        if query is not None and query.data and self._on_button is not None:
            chat = query.message.chat.id if query.message is not None else None
            if chat != self._chat_id:
                await self._bot.answer_callback_query(query.id, text="not allowed")
                return self._ignore("button", chat)
            toast = await self._on_button(query.data, f"telegram:{query.from_user.id}")
            await self._bot.answer_callback_query(query.id, text=toast[:200])
            return 1
        return 0

    def _ignore(self, what: str, chat: int | None) -> int:
        self.ignored += 1
        log.warning("telegram: ignored a %s from chat %s (not TELEGRAM_CHAT_ID)", what, chat)
        return 0


async def poll_forever(
    commands: TelegramCommands,
    interval: float,
    sleep: Callable[[float], Awaitable[None]],
) -> None:
    """Poll until cancelled; a failing poll is already logged by :meth:`poll_once`."""
    while True:
        await commands.poll_once()
        await sleep(interval)
