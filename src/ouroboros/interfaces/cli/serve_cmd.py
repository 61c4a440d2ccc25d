"""``ouroboros serve``: the operator's HTTP API and dashboard over a store a run has written."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Coroutine
from typing import Any

import httpx
import typer
from sqlalchemy.engine import Engine

from ouroboros.clock import LiveClock
from ouroboros.errors import ConfigError
from ouroboros.interfaces.api import ApiSecurity, check_bind, create_app
from ouroboros.interfaces.cli.db_cmd import DB_ENV, open_database
from ouroboros.interfaces.cli.output import err_console
from ouroboros.notify import telegram
from ouroboros.notify.commands import OperatorCommands
from ouroboros.notify.discord import DiscordWebhook
from ouroboros.notify.queue import NotifyQueue
from ouroboros.notify.relay import EventRelay, relay_forever
from ouroboros.services import OperatorActions, ReadService
from ouroboros.store import DEFAULT_URL

TOKEN_ENV = "API_TOKEN"


def serve(
    db: str = typer.Option(DEFAULT_URL, "--db", envvar=DB_ENV, help="database URL"),
    host: str = typer.Option(
        "127.0.0.1", "--host", envvar="DASHBOARD_HOST", help="address to listen on"
    ),
    port: int = typer.Option(8080, "--port", envvar="DASHBOARD_PORT", min=1, max=65535),
    protect_reads: bool = typer.Option(
        False, "--protect-reads", help="read routes need the token too"
    ),
) -> None:
    """Serve the HTTP API, /metrics and the dashboard over a store (API_TOKEN guards actions)."""
    import uvicorn

    token = os.environ.get(TOKEN_ENV) or None
    try:
        check_bind(host, token)
    except ConfigError as exc:
        err_console.print(f"[red]error:[/red] {exc}", markup=True, highlight=False)
        raise typer.Exit(2) from None
    if token is None:
        err_console.print(
            f"note: {TOKEN_ENV} is not set: every state-changing route answers 401",
            highlight=False,
        )
    clock = LiveClock()
    with open_database(db) as engine:
        background = _telegram_jobs(engine, clock, f"http://{host}:{port}/")
        background += _notify_jobs(engine)
        app = create_app(
            engine,
            security=ApiSecurity(token, protect_reads=protect_reads),
            now=clock.now,
            background=background,
        )
        uvicorn.run(app, host=host, port=port, log_level="info", access_log=False)


def _telegram_jobs(
    engine: Engine, clock: LiveClock, dashboard_url: str
) -> list[Callable[[], Coroutine[Any, Any, None]]]:
    """The Telegram command poller, when TELEGRAM_BOT_TOKEN and TELEGRAM_CHAT_ID are set (and
    TELEGRAM_COMMANDS_ENABLED is not false); nothing otherwise."""
    try:
        config = telegram.config_from_env(os.environ)
    except ValueError as exc:
        err_console.print(f"[red]error:[/red] {exc}", markup=True, highlight=False)
        raise typer.Exit(2) from None
    if config is None or not config.commands:
        return []
    commands = OperatorCommands(
        ReadService(engine),
        OperatorActions(engine, clock.now),
        who=str(config.chat_id),
        dashboard_url=dashboard_url,
    )

    async def poll() -> None:
        bot = telegram.make_bot(config)
        await bot.initialize()
        poller = telegram.TelegramCommands(bot, config.chat_id, commands.handle)
        await telegram.poll_forever(poller, config.polling_interval, asyncio.sleep)

    err_console.print(f"Telegram commands on for chat {config.chat_id}", highlight=False)
    return [poll]


def _notify_jobs(engine: Engine) -> list[Callable[[], Coroutine[Any, Any, None]]]:
    """Notifications tailed from the store's event log, to Telegram (TELEGRAM_BOT_TOKEN +
    TELEGRAM_CHAT_ID) and Discord (DISCORD_WEBHOOK_URL), each behind a 1 msg/s queue."""
    config = telegram.config_from_env(os.environ)
    discord_url = os.environ.get("DISCORD_WEBHOOK_URL", "")
    if config is None and not discord_url:
        return []

    async def run() -> None:
        loop = asyncio.get_running_loop()
        queues: list[NotifyQueue] = []
        async with httpx.AsyncClient(timeout=10) as client:
            if config is not None:
                bot = telegram.make_bot(config)
                await bot.initialize()
                channel = telegram.TelegramChannel(bot, config.chat_id)
                queues.append(NotifyQueue(channel, monotonic=loop.time))
            if discord_url:
                queues.append(NotifyQueue(DiscordWebhook(discord_url, client), monotonic=loop.time))
            relay = EventRelay(ReadService(engine), [q.post for q in queues])
            workers = [asyncio.create_task(q.run()) for q in queues]
            try:
                await relay_forever(relay, 2.0, asyncio.sleep)
            finally:
                for worker in workers:
                    worker.cancel()

    return [run]
