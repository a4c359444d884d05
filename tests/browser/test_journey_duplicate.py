"""Duplicating a campaign in Chromium: from the campaign page by keyboard to a new draft, with axe and
no sideways scroll at desktop (1280 px) and phone (390 px) widths. Screenshots: /tmp/shots/duplicate/."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from django.urls import reverse
from django.utils import timezone

from campaigns.models import Campaign
from conftest import add_impact, make_campaign
from tests.browser.conftest import BROWSER, axe_problems, sign_in, tab_to
from tests.browser.journey_helpers import local_input

pytestmark = BROWSER

SHOTS = Path("/tmp/shots/duplicate")
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def test_marketing_duplicates_a_campaign_from_its_page(browser, live_server, marketing, sales):
    source = make_campaign(marketing, title="Family Savings", status=Campaign.Status.APPROVED)
    add_impact(source, sales)
    SHOTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    for name, viewport in VIEWPORTS.items():
        context = browser.new_context(viewport=viewport, locale="en-GB")
        page = context.new_page()
        sign_in(page, live_server.url, "mia")
        for path in (
            reverse("campaign_duplicate", args=[source.pk]),
            reverse("campaign_start_from_earlier"),
        ):
            page.goto(live_server.url + path)
            problems += [f"{p} ({name})" for p in axe_problems(page)]
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            if overflow > 0:
                problems.append(f"{path}: scrolls sideways by {overflow}px at {viewport['width']}px")
            page.screenshot(
                path=str(SHOTS / f"{path.strip('/').replace('/', '-')}-{name}.png"), full_page=True
            )
        context.close()
    assert problems == [], "\n".join(problems)

    context = browser.new_context(viewport=VIEWPORTS["desktop"], locale="en-GB")
    page = context.new_page()
    sign_in(page, live_server.url, "mia")
    page.goto(live_server.url + source.get_absolute_url())
    duplicate = page.get_by_role("link", name="Duplicate Family Savings")
    tab_to(page, duplicate)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{reverse('campaign_duplicate', args=[source.pk])}")
    page.get_by_label("Title of the new campaign").fill("Family Savings 2027")
    page.get_by_label("Go-live").fill(local_input(timezone.now() + timedelta(days=90)))
    page.get_by_role("button", name="Create the draft").click()
    page.wait_for_selector("h1:has-text('Family Savings 2027')")
    page.get_by_role("link", name="Change history of Family Savings 2027").click()
    page.wait_for_selector("text=Duplicated from “Family Savings”")
    context.close()
    copy = Campaign.objects.get(title="Family Savings 2027")
    assert copy.status == Campaign.Status.DRAFT and copy.owner == marketing
