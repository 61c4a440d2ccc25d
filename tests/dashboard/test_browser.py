"""The dashboard in a real browser: headless Debian Chromium driven by Playwright, against
``ouroboros serve``'s app (uvicorn on a loopback port) over a store real runs wrote.

Skipped, with the reason, when /usr/bin/chromium or Playwright is missing (scripts/test.sh
installs both: scripts/ensure-browser.sh). Screenshots go to tests/dashboard/artifacts/
(gitignored).
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy.engine import Engine

from ouroboros.interfaces.api import ApiSecurity, create_app
from ouroboros.services import ReadService
from tests.services.run_store import FakeClock

playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian chromium missing: run scripts/ensure-browser.sh"
)
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).parent / "artifacts"
TOKEN = "browser-test-token"
PAGES = {
    "/": "Overview",
    "/positions": "Positions",
    "/orders": "Orders & fills",
    "/playbooks": "Playbooks",
    "/decisions": "Decisions",
    "/trades": "Trades",
    "/runs": "Runs",
    "/safety": "Breaker & kill switch",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(store: Engine, clock: FakeClock) -> Iterator[str]:
    app = create_app(store, security=ApiSecurity(TOKEN), now=clock.now)
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    started = threading.Event()
    for _ in range(2000):
        if srv.started:
            started.set()
            break
        started.wait(0.01)
    assert srv.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def browser_page(server: str) -> Iterator[tuple[object, list[str]]]:
    ARTIFACTS.mkdir(exist_ok=True)
    errors: list[str] = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on(
            "request",
            lambda r: (
                errors.append(f"external request {r.url}")
                if not r.url.startswith((server, "data:"))
                else None
            ),
        )
        yield page, errors
        browser.close()


def test_pages_render_with_run_data_and_navigation_works(
    server: str, store: Engine, browser_page: tuple[object, list[str]]
) -> None:
    page, errors = browser_page
    reads = ReadService(store)
    counts = reads.status()["counts"]
    assert counts["orders"] > 0
    assert counts["fills"] > 0
    page.goto(server + "/")  # type: ignore[attr-defined]
    for path, title in PAGES.items():
        page.click(f"nav a[href='{path}']")  # type: ignore[attr-defined]
        page.wait_for_url(server + path)  # type: ignore[attr-defined]
        assert page.text_content("h1") == title  # type: ignore[attr-defined]
        name = "overview" if path == "/" else path.strip("/")
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]
    page.goto(server + "/")  # type: ignore[attr-defined]
    page.wait_for_selector(".chart .uplot canvas")  # type: ignore[attr-defined]
    assert page.locator(".chart .uplot").count() == 2  # type: ignore[attr-defined]
    assert "replay" in page.text_content("#run-card")  # type: ignore[attr-defined]
    page.goto(server + "/orders")  # type: ignore[attr-defined]
    assert page.locator("#orders tbody tr").count() == counts["orders"]  # type: ignore[attr-defined]
    assert page.locator("#fills tbody tr").count() == counts["fills"]  # type: ignore[attr-defined]
    page.goto(server + "/playbooks?date=2013-02-28")  # type: ignore[attr-defined]
    assert page.locator("article.playbook").count() == 3  # type: ignore[attr-defined]
    assert "한국거래소" in page.text_content("article[data-market='KR'] h2")  # type: ignore[attr-defined]
    assert "東京証券取引所" in page.text_content("article[data-market='JP'] h2")  # type: ignore[attr-defined]
    page.screenshot(path=str(ARTIFACTS / "playbooks-2013-02-28.png"), full_page=True)  # type: ignore[attr-defined]
    page.goto(server + "/decisions")  # type: ignore[attr-defined]
    assert page.locator("#decisions tbody tr").count() == counts["decisions"]  # type: ignore[attr-defined]
    page.goto(server + "/positions")  # type: ignore[attr-defined]
    assert page.locator("#positions tbody tr").count() == len(reads.positions())  # type: ignore[attr-defined]
    assert errors == []


def test_stop_needs_the_token_and_stops_trading_with_it(
    server: str, store: Engine, browser_page: tuple[object, list[str]]
) -> None:
    page, errors = browser_page
    reads = ReadService(store)
    page.goto(server + "/safety")  # type: ignore[attr-defined]
    page.fill("#reason", "browser drill")  # type: ignore[attr-defined]
    page.click("#stop")  # type: ignore[attr-defined]
    page.wait_for_selector("#action-result.error")  # type: ignore[attr-defined]
    assert page.text_content("#action-result").startswith("401")  # type: ignore[attr-defined]
    assert reads.safety("default")["trading_enabled"] is True
    page.fill("#token", "wrong-token")  # type: ignore[attr-defined]
    page.click("#stop")  # type: ignore[attr-defined]
    page.wait_for_function("document.querySelector('#action-result').textContent.length > 0")  # type: ignore[attr-defined]
    assert reads.safety("default")["trading_enabled"] is True
    page.fill("#token", TOKEN)  # type: ignore[attr-defined]
    with page.expect_navigation():  # type: ignore[attr-defined]
        page.click("#stop")  # type: ignore[attr-defined]
    page.wait_for_selector("tr[data-account='default'] td.trading.off")  # type: ignore[attr-defined]
    assert reads.safety("default")["trading_enabled"] is False
    assert reads.safety("default")["trading_reason"] == "browser drill"
    page.screenshot(path=str(ARTIFACTS / "safety-stopped.png"), full_page=True)  # type: ignore[attr-defined]
    page.fill("#token", TOKEN)  # type: ignore[attr-defined]
    with page.expect_navigation():  # type: ignore[attr-defined]
        page.click("#resume")  # type: ignore[attr-defined]
    page.wait_for_selector("tr[data-account='default'] td.trading.on")  # type: ignore[attr-defined]
    assert reads.safety("default")["trading_enabled"] is True
    # the 401s above are expected answers, logged by the browser as failed resources
    assert [e for e in errors if "401" not in e] == []
