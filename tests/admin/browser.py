"""The back office in a real headless Chromium (Debian's, driven by Playwright) against a real HTTP server."""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
TIMEOUT_MS = 30_000


@pytest.fixture(scope="session")
def chromium_installed() -> str:
    """Debian's chromium; scripts/frontend.sh --browser installs it when missing (the project's own setup)."""
    if not Path(CHROMIUM).exists():
        subprocess.run(["bash", "scripts/frontend.sh", "--browser"], cwd=ROOT, check=True, timeout=1800)
    assert Path(CHROMIUM).exists(), "scripts/frontend.sh --browser did not install chromium"
    return CHROMIUM


@pytest.fixture(scope="module")
def browser(chromium_installed):
    """One headless Chromium per test module (Playwright's sync API allows one instance at a time per thread,
    and other modules start their own)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=chromium_installed, args=CHROMIUM_ARGS, headless=True, timeout=TIMEOUT_MS
        )
        yield instance
        instance.close()


@pytest.fixture
def live_server(app, free_port, monkeypatch):
    """The app behind a real threaded HTTP server on loopback; no internet basemap (the tests run offline)."""
    monkeypatch.setitem(app.config, "MAP_BASEMAP_URL", "")
    server = make_server("127.0.0.1", free_port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="admin-test-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{free_port}"
    server.shutdown()
    thread.join(10)


class PageProblems:
    """What went wrong in a page: failed requests, HTTP errors, CSP violations and script errors."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def watch(self, page) -> None:
        """Record the page's problems from now on (a page answered 409/422 on purpose is not one)."""
        page.on("requestfailed", self._failed)
        page.on("pageerror", lambda error: self.items.append(f"script error {error}"))
        page.on("response", self._response)
        page.on("console", self._console)

    def _failed(self, request) -> None:
        # A click that leaves the page aborts what it was still loading: not a fault of the page.
        if request.failure != "net::ERR_ABORTED":
            self.items.append(f"failed {request.url} ({request.failure})")

    def _response(self, response) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            self.items.append(f"{response.status} {response.url}")

    def _console(self, message) -> None:
        # "Failed to load resource" duplicates the responses above; CSP violations and script errors stay.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.items.append(f"console {message.text}")


def new_page(context, problems: PageProblems | None = None):
    """A page with bounded waits whose problems are recorded."""
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    if problems is not None:
        problems.watch(page)
    return page


def log_in(page, base: str, email: str, password: str, *, path: str = "/admin/") -> None:
    """Open `path`, get sent to the login page, log in and come back to `path`."""
    page.goto(base + path)
    page.wait_for_url(lambda url: "/admin/login" in url)
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("#login-submit")
    page.wait_for_url(base + path + "*")


@contextmanager
def map_page(browser, base: str, user, path: str, problems: PageProblems, locale: str) -> Iterator:
    """A logged-in page at `path` once its map is ready (the browser context closed afterwards)."""
    from tests.factories import DEFAULT_PASSWORD

    context = browser.new_context(locale=locale, viewport={"width": 1400, "height": 1100})
    try:
        page = new_page(context, problems)
        log_in(page, base, user.email, DEFAULT_PASSWORD, path=path)
        page.wait_for_selector(".up-map[data-ready=true]")
        yield page
    finally:
        context.close()
