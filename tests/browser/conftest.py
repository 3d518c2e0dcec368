"""Chromium, driven by Playwright, against pytest-django's live server.

The live server runs on a transactional database: create data inside the test
(the `article` fixture, MemberFactory), never in a session-scoped fixture.
"""

import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings as django_settings
from playwright.sync_api import sync_playwright

# Playwright's sync API keeps an event loop running in the main thread, so Django
# would raise SynchronousOnlyOperation for the test body's ORM calls. Nothing here
# shares a connection across threads, so the documented escape hatch is safe.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
SCREENSHOT_DIR = django_settings.BASE_DIR / "docs" / "screenshots"
BLOCKING_IMPACTS = {"serious", "critical"}


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = "Chromium not found: apt-get install chromium"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    playwright = sync_playwright().start()
    # An explicit binary: Playwright must never try to download its own.
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def new_context(browser, live_server):
    """Open browser contexts on the live server; all are closed after the test."""
    contexts = []

    def open_context(**options):
        options.setdefault("viewport", DESKTOP)
        # Bootstrap scrolls smoothly to anchors unless motion is reduced; tests wait on each scroll.
        options.setdefault("reduced_motion", "reduce")
        context = browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    return new_context().new_page()


def check_accessibility(page):
    """Fail the test if axe finds a serious or critical violation on the page."""
    violations = Axe().run(page).response["violations"]
    blocking = [violation for violation in violations if violation["impact"] in BLOCKING_IMPACTS]
    if blocking:
        lines = [f"{len(blocking)} serious or critical accessibility violation(s) on {page.url}:"]
        for violation in blocking:
            targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:3])
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} [{targets}]")
        pytest.fail("\n".join(lines), pytrace=False)


def save_screenshot(page, name):
    """Save a full-page PNG to docs/screenshots/<name>.png when SCREENSHOTS=1."""
    if os.environ.get("SCREENSHOTS") != "1":
        return
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / f"{name}.png"), full_page=True)


@pytest.fixture
def axe_check():
    """`axe_check(page)`: fail on serious or critical accessibility violations."""
    return check_accessibility


@pytest.fixture
def screenshot():
    """`screenshot(page, name)`: docs/screenshots/<name>.png, only when SCREENSHOTS=1."""
    return save_screenshot
