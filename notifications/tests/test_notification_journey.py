"""Browser journey: IC sees the bell count, opens the list, marks one and then all read; axe on desktop and phone.

Screenshots of the bell and the list go to SHOTS (default /tmp/shots/notify/) to be looked at.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from campaigns.models import Campaign
from conftest import make_campaign
from explainers.models import Explainer, ExplainerQuestion
from tests.browser.conftest import BROWSER, assert_accessible, sign_in

pytestmark = BROWSER
SHOTS = Path(os.environ.get("NOTIFY_SHOTS", "/tmp/shots/notify"))


@pytest.fixture
def ic_with_news(ic, marketing, employee):
    """Three things for Ian: two submissions and a question on an explainer."""
    for title in ("Family Savings", "Green Mortgages"):
        make_campaign(marketing, title=title).move_to(Campaign.Status.SUBMITTED, marketing)
    explainer = Explainer.for_campaign(make_campaign(marketing, title="Travel Card"))
    ExplainerQuestion.ask(
        explainer,
        employee,
        text="Does the new card replace my current one, or do customers keep both until it expires?",
        is_anonymous=True,
    )
    return ic


def bell(page):
    return page.get_by_role("link", name=re.compile(r"^Notifications"))


def shoot(page, name: str, *, header_only: bool = False) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    target = page.locator(".site-header") if header_only else page
    target.screenshot(path=str(SHOTS / f"{name}.png"), **({} if header_only else {"full_page": True}))


def test_bell_list_and_mark_read(page, live_server, ic_with_news):
    base = live_server.url
    sign_in(page, base, "ian")
    expect(bell(page)).to_have_accessible_name("Notifications (3 unread)")
    shoot(page, "bell-desktop", header_only=True)

    bell(page).click()
    expect(page.get_by_role("heading", level=1, name="Notifications")).to_be_visible()
    expect(page.locator(".notification-row.is-unread")).to_have_count(3)
    assert_accessible(page)
    shoot(page, "list-desktop")

    page.get_by_role("button", name=re.compile("Mark as read.*Family Savings")).click()
    expect(bell(page)).to_have_accessible_name("Notifications (2 unread)")
    expect(page.locator(".notification-row.is-unread")).to_have_count(2)

    page.get_by_role("link", name=re.compile("New question on the explainer")).click()
    page.wait_for_url(re.compile(r"/campaigns/\d+/#explainer-panel-h$"))
    expect(bell(page)).to_have_accessible_name("Notifications (1 unread)")

    bell(page).click()
    page.get_by_role("button", name="Mark all as read").click()
    expect(page.get_by_text("1 notification marked as read.")).to_be_visible()
    expect(bell(page)).to_have_accessible_name("Notifications")
    expect(page.locator(".notification-row.is-unread")).to_have_count(0)
    assert_accessible(page)


def test_the_list_on_a_phone(page, live_server, ic_with_news):
    base = live_server.url
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, base, "ian")
    shoot(page, "bell-phone", header_only=True)
    # On a phone the menu folds away, but the bell stays in the header bar: one tap, with its count
    expect(page.locator(".site-menu")).not_to_have_attribute("open", "")
    expect(bell(page)).to_be_visible()
    expect(bell(page)).to_have_accessible_name("Notifications (3 unread)")
    box = bell(page).bounding_box()
    assert box["width"] >= 24 and box["height"] >= 24  # WCAG 2.2 target size
    bell(page).click()
    expect(page.locator(".notification-row")).to_have_count(3)
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the screen
    shoot(page, "list-phone")
