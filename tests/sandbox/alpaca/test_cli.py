"""``ouroboros alpaca-sandbox`` prints the exports that point Ouroboros and alpaca-py at it."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from ouroboros.interfaces.cli.app import app
from ouroboros.sandbox.alpaca import AlpacaSandbox


def test_prints_the_exports_then_serves(monkeypatch: pytest.MonkeyPatch) -> None:
    served: list[AlpacaSandbox] = []
    monkeypatch.setattr(AlpacaSandbox, "serve_forever", lambda self: served.append(self))
    result = CliRunner().invoke(app, ["alpaca-sandbox", "--port", "29999", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "export ALPACA_BASE_URL=http://127.0.0.1:29999" in result.output
    assert "export ALPACA_STREAM_URL=ws://127.0.0.1:29999/stream" in result.output
    assert "export ALPACA_API_KEY=SANDBOXKEY" in result.output
    [box] = served
    assert box.config.seed == 3
    assert box.config.rate_limit_per_minute == 200


def test_a_naive_start_is_refused() -> None:
    result = CliRunner().invoke(app, ["alpaca-sandbox", "--start", "2026-01-05T15:00:00"])
    assert result.exit_code == 2
    assert "UTC offset" in result.output
