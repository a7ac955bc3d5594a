"""Browser tests: the system Chromium driven by Playwright against pytest-django's live_server.

`playwright install` is never run (no network): Playwright's bundled driver launches
/usr/bin/chromium with flags that keep it off the closed network.
"""

import os

import pytest

from tests.conftest import CHROMIUM

# Playwright's sync API runs an event loop in this thread; Django must still allow ORM calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {"width": 360, "height": 740}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        # The e2e marker's check (tests/conftest.py) fails or skips before we get here.
        pytest.skip(f"needs Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def phone_page(browser, live_server):
    """A page on a 360 px wide phone screen, with the live server's base URL."""
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_server.url
    yield page
    context.close()


def assert_fits_phone(page) -> None:
    """No horizontal scroll at 360 px, and every visible control is at least 44 × 44 px."""
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"page scrolls sideways by {overflow}px"
    small = page.evaluate(
        """() => [...document.querySelectorAll(
                'a, button, select, input:not([type=hidden]), textarea')]
            .filter(el => el.offsetParent !== null && !el.classList.contains('skip-link'))
            .map(el => ({el: el.outerHTML.slice(0, 80), box: el.getBoundingClientRect()}))
            .filter(({box}) => box.width < 44 || box.height < 44)
            .map(({el, box}) => `${el} ${Math.round(box.width)}x${Math.round(box.height)}`)"""
    )
    assert small == [], "tap targets under 44 px:\n" + "\n".join(small)
