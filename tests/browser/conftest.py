"""Playwright (sync API) against pytest-django's live server, with axe-core on every page.

Debian's Chromium (/usr/bin/chromium, installed by .ci/run or `make browser`). The live server
runs in this process, so tests move time by changing data through the ORM.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, sync_playwright

from conftest import PASSWORD

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
BLOCKING_IMPACTS = {"serious", "critical"}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
_axe = Axe()


# Each module here starts with: pytestmark = BROWSER
BROWSER = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def browser():
    """One Chromium per module. Playwright's sync API runs an event loop in this thread, so the
    ORM calls beside it (and the database flush after each test) need DJANGO_ALLOW_ASYNC_UNSAFE;
    it is set only while a browser runs (`check --deploy` rejects it)."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            chromium = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser) -> Page:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(10_000)
    pg = context.new_page()
    yield pg
    context.close()


def axe_problems(page: Page) -> list[str]:
    """Serious or critical axe-core violations on the current page, one readable line each."""
    results = _axe.run(page)
    return [
        f"{page.url}: {v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(" ".join(n["target"]) for n in v["nodes"][:5])
        for v in results.response["violations"]
        if v["impact"] in BLOCKING_IMPACTS
    ]


def assert_accessible(page: Page) -> None:
    problems = axe_problems(page)
    assert problems == [], "\n".join(problems)


def tab_to(page: Page, locator, *, limit: int = 60) -> None:
    """Press Tab until `locator` has focus, as a keyboard user would; fail if it never does."""
    target = locator.element_handle()
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("el => el === document.activeElement", target):
            return
    raise AssertionError(f"could not reach {locator} with the Tab key on {page.url}")


def sign_in_with_keyboard(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    assert_accessible(page)
    tab_to(page, page.get_by_label("Username"))
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base_url}/")


def sign_in(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base_url}/")
