"""``ouroboros serve`` as a real process: refuses an open bind without a token; serves the API,
answers Telegram commands and notifies audited actions (against a local Bot API) over a store
real runs wrote."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.notify.fakes import OWNER, bot_api
from tests.services.run_store import copy_store

SRC = str(Path(__file__).parents[2] / "src")


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("API_TOKEN", "TELEGRAM"))}
    return {**env, "PYTHONPATH": SRC, **extra}


def test_refuses_a_non_loopback_bind_without_a_token(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "ouroboros",
            "serve",
            "--host",
            "0.0.0.0",
            "--db",
            f"sqlite:///{tmp_path / 'x.db'}",
        ],
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert "--host 0.0.0.0: refusing to listen beyond loopback without API_TOKEN" in done.stderr


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serves_the_api_and_telegram_commands(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    url = copy_store(tmp_path_factory, tmp_path)
    port = _port()
    with bot_api() as (api, base):
        api.message("/status")
        env = _env(
            API_TOKEN="cli-token",
            TELEGRAM_BOT_TOKEN="123:TEST",
            TELEGRAM_CHAT_ID=str(OWNER),
            TELEGRAM_API_URL=base,
            TELEGRAM_POLLING_INTERVAL="0.05",
        )
        proc = subprocess.Popen(
            [sys.executable, "-m", "ouroboros", "serve", "--db", url, "--port", str(port)],
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert proc.stderr is not None
            seen = []
            for line in proc.stderr:
                seen.append(line)
                if "Uvicorn running" in line:
                    break
            else:
                pytest.fail("serve exited: " + "".join(seen))
            base_url = f"http://127.0.0.1:{port}"
            assert httpx.get(base_url + "/health").json()["status"] == "ok"
            assert httpx.post(base_url + "/api/system/trading/disable").status_code == 401
            stopped = httpx.post(
                base_url + "/api/system/trading/disable",
                headers={"Authorization": "Bearer cli-token"},
            )
            assert stopped.status_code == 200
            assert api.wait_for_text("Run r", 60), "the Telegram poller never answered /status"
            # the relay tails the event log: the stop above is notified
            assert api.wait_for_text("Trading STOPPED for default by api:token-holder", 60)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
            if proc.stderr is not None:
                proc.stderr.close()
