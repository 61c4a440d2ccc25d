"""Helpers to point the KIS adapter at a sandbox (used by tests, benchmarks and demos).

Test suites wrap these in their own pytest fixtures, e.g.::

    @pytest.fixture
    def kis_sandbox():
        with KisSandbox(SandboxConfig(rate_limit=0)) as sandbox:
            yield sandbox
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from ouroboros.brokers.kis.adapter import KisBroker, store_account
from ouroboros.brokers.kis.client import KisClient, RetryPolicy
from ouroboros.brokers.kis.config import KisSettings, load_kis_settings
from ouroboros.brokers.kis.orderstore import OrderStore
from ouroboros.clock import LiveClock
from ouroboros.domain.ids import Venue
from ouroboros.sandbox.kis.server import KisSandbox
from ouroboros.store import make_engine, upgrade
from ouroboros.store.session import Bind

_WALL = LiveClock()


def settings_for(sandbox: KisSandbox, directory: Path, **overrides: Any) -> KisSettings:
    """Settings whose credentials, URLs and state directories point at ``sandbox``."""
    app = sandbox.app_credentials
    values: dict[str, Any] = {
        "app_key": app.app_key,
        "app_secret": app.app_secret,
        "account_no": app.accounts[0],
        "virtual": app.virtual,
        "base_url": sandbox.base_url,
        "ws_url": sandbox.ws_url,
        "hts_id": app.hts_id,
        "token_dir": directory / "tokens",
        "rate_limit": 0,
        "timeout": 5.0,
    }
    values.update(overrides)
    return load_kis_settings(**values)


def sandbox_database(directory: Path) -> Bind:
    """The migrated SQLite database ``directory/ouroboros.db`` (created on first use)."""
    directory.mkdir(parents=True, exist_ok=True)
    engine = make_engine(f"sqlite:///{directory / 'ouroboros.db'}")
    upgrade(engine)
    return engine


def broker_for(
    sandbox: KisSandbox,
    directory: Path,
    venues: frozenset[Venue] = frozenset({Venue.KRX}),
    *,
    now: Callable[[], datetime] = _WALL.now,
    retry: RetryPolicy | None = None,
    resend_after: timedelta = timedelta(seconds=1),
    database: Bind | None = None,
    **overrides: Any,
) -> KisBroker:
    """A fresh adapter instance (a "process") sharing ``directory``'s durable state: its order
    store is in ``database`` (default: the migrated SQLite file ``directory/ouroboros.db``)."""
    settings = settings_for(sandbox, directory, **overrides)
    client = KisClient(settings, now=now, retry=retry)
    store = OrderStore(database or sandbox_database(directory), store_account(settings), now)
    return KisBroker(
        client,
        settings.account,
        store,
        venues=venues,
        now=now,
        slippage=settings.market_slippage,
        resend_after=resend_after,
    )
