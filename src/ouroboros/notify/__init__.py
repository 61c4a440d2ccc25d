"""Notifications and chat commands: Telegram (python-telegram-bot), Discord webhooks, the
rate-limited queue in front of them, and the large-order confirmation.

Nothing here may block trading: messages go through :class:`NotifyQueue`, whose failures are
logged and dropped. Channels are off unless their credentials are set.
"""

from ouroboros.notify.port import Button, Channel
from ouroboros.notify.queue import NotifyQueue

__all__ = ["Button", "Channel", "NotifyQueue"]
