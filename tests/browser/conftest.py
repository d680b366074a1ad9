"""A headless chromium, driven by Playwright, against pytest-django's live server.

Without chromium or Playwright the browser tests are skipped with the reason; CI sets
CHIBO_REQUIRE_BROWSER=1 so that a missing browser fails the run instead of passing it silently.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.conf import settings
from django.db import connections

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page
    from pytest_django.live_server_helper import LiveServer

CHROMIUM = Path(os.environ.get("CHIBO_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# A 360 px Android phone, the smallest screen chibo supports.
PHONE = {
    "viewport": {"width": 360, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "vi-VN",
    "timezone_id": "Asia/Ho_Chi_Minh",
}
DESKTOP = {
    "viewport": {"width": 1280, "height": 800},
    "locale": "vi-VN",
    "timezone_id": "Asia/Ho_Chi_Minh",
}
OUTPUT = Path(settings.BASE_DIR) / "test-output"


def _unavailable(reason: str) -> None:
    if os.environ.get("CHIBO_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (CHIBO_REQUIRE_BROWSER=1 requires the browser tests)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def browser(live_server: LiveServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[Browser]:
    """Chromium, started for each test rather than once per session.

    Playwright's sync API marks an event loop as running in the test thread between its calls.
    Django then refuses ORM calls there (SynchronousOnlyOperation) unless
    DJANGO_ALLOW_ASYNC_UNSAFE is set, the documented escape hatch, for tests only; and it gives
    the thread a second database connection. Stopping Playwright after each test, once that
    connection is closed, leaves the rest of the test session as it was.
    """
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed: pip install -r requirements-dev.txt")
    if not os.access(CHROMIUM, os.X_OK):
        _unavailable(f"no chromium at {CHROMIUM} (apt install chromium, or set CHIBO_CHROMIUM)")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
        except Error as error:
            _unavailable(f"chromium at {CHROMIUM} does not start: {error.message.splitlines()[0]}")
        try:
            yield chromium
        finally:
            chromium.close()
            connections.close_all()


@contextmanager
def _context(browser: Browser, options: dict[str, Any]) -> Iterator[BrowserContext]:
    context = browser.new_context(**options)
    context.set_default_timeout(10_000)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    """A fresh page on a 360×740 phone (no cookies from earlier tests)."""
    with _context(browser, PHONE) as context:
        yield context.new_page()


@pytest.fixture
def desktop(browser: Browser) -> Iterator[Page]:
    with _context(browser, DESKTOP) as context:
        yield context.new_page()


@pytest.fixture
def output() -> Path:
    """test-output/, git-ignored, for screenshots a person can look at after the run."""
    OUTPUT.mkdir(exist_ok=True)
    return OUTPUT
