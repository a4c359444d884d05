"""Journey 1: marketing signs in and logs a campaign with an affected audience, by keyboard alone.

axe-core checks every page visited.
"""

from __future__ import annotations

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from campaigns.models import Campaign, Impact
from tests.browser.conftest import BROWSER, assert_accessible, sign_in_with_keyboard, tab_to
from tests.browser.journey_helpers import choose, local_input, type_into

pytestmark = BROWSER


def test_marketing_logs_a_campaign_with_the_keyboard(page, live_server, marketing, sales):
    base = live_server.url
    sign_in_with_keyboard(page, base, "mia")
    assert_accessible(page)
    page.goto(f"{base}/campaigns/new/")
    assert_accessible(page)

    type_into(page, page.get_by_role("textbox", name="Title", exact=True), "Family Savings")
    type_into(
        page, page.get_by_role("textbox", name="Concept", exact=True), "A fresh look at savings for families."
    )
    type_into(
        page, page.get_by_role("textbox", name="Details", exact=True), "Rates drop to 1.9% for new customers."
    )
    go_live = page.get_by_role("textbox", name="Go-live", exact=True)
    tab_to(page, go_live)
    go_live.fill(
        local_input(timezone.now() + timedelta(days=30))
    )  # the date widget takes its value as typed text
    audience = page.locator("#impacts").get_by_role("combobox", name="Audience", exact=True).first
    tab_to(page, audience)
    choose(audience, "Sales")
    level = page.locator("#impacts").get_by_role("combobox", name="Level", exact=True).first
    tab_to(page, level)
    level.select_option("high")
    type_into(
        page,
        page.locator("#impacts").get_by_role("textbox", name=re.compile("What changes")).first,
        "New rates to explain",
    )
    tab_to(page, page.get_by_role("button", name="Save as draft"))
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1, name="Family Savings")).to_be_visible()
    assert_accessible(page)
    campaign = Campaign.objects.get(title="Family Savings")
    assert campaign.owner == marketing
    assert Impact.objects.filter(campaign=campaign, audience=sales, level="high").exists()

    tab_to(page, page.get_by_role("button", name="Submit to IC"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("Campaign is now submitted")).to_be_visible()
    assert_accessible(page)
