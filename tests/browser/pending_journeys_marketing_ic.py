"""Journeys 1 and 2: marketing logs a campaign; IC approves it, edits its rollout, schedules a briefing.

PENDING: rename to test_journeys_marketing_ic.py once feat/foundation-ui (campaign form and
status moves), feat/engine (rollout panel and stage editor) and feat/briefings (briefing form) are
in main. Both journeys pass against a local merge of those branches with feat/employee.

Journey 1 is done with the keyboard alone; journey 2 with the mouse. axe-core on every page.
"""

from __future__ import annotations

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from campaigns.models import Campaign, Impact, RolloutStage
from conftest import make_campaign
from tests.browser.conftest import BROWSER, assert_accessible, sign_in, sign_in_with_keyboard, tab_to

pytestmark = BROWSER


def local_input(dt) -> str:
    """A datetime-local value in Europe/London (the personas' zone)."""
    return timezone.localtime(dt, timezone.get_fixed_timezone(0)).strftime("%Y-%m-%dT%H:%M")


def choose(select, text: str) -> None:
    """Pick the option whose label contains `text` (labels may carry counts or roles)."""
    label = select.locator("option", has_text=text).first.text_content().strip()
    select.select_option(label=label)


def type_into(page, locator, text: str) -> None:
    tab_to(page, locator)
    page.keyboard.type(text)


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


def test_ic_approves_edits_the_rollout_and_schedules_a_briefing(
    page, live_server, marketing, ic, presenter, sales
):
    base = live_server.url
    campaign = make_campaign(marketing, title="Family Savings", status=Campaign.Status.SUBMITTED)
    Impact.objects.create(campaign=campaign, audience=sales, level="high")
    sign_in(page, base, "ian")
    assert_accessible(page)
    page.get_by_role("link", name="Family Savings").first.click()
    assert_accessible(page)

    page.get_by_role("button", name="Approve the internal plan").click()
    expect(page.get_by_text("Campaign is now approved")).to_be_visible()
    assert_accessible(page)

    # Edit the first stage of the default rollout plan.
    rollout = page.get_by_role("region", name="Rollout timeline")
    rollout.get_by_role("link", name=re.compile(r"^Edit ")).first.click()
    assert_accessible(page)
    page.get_by_role("textbox", name="Subject", exact=True).fill("Heads up: {{ campaign_title }} is coming")
    page.get_by_role("button", name="Save stage").click()
    expect(page.get_by_role("heading", level=1, name="Family Savings")).to_be_visible()
    assert RolloutStage.objects.filter(
        campaign=campaign, subject="Heads up: {{ campaign_title }} is coming"
    ).exists()
    assert_accessible(page)

    # Schedule a briefing.
    page.get_by_role("link", name="Schedule a briefing").click()
    assert_accessible(page)
    starts = campaign.go_live_at + timedelta(hours=2)
    page.get_by_role("textbox", name="Title", exact=True).fill("Family Savings for Sales")
    page.get_by_role("combobox", name="Time zone", exact=True).select_option("Europe/London")
    page.get_by_role("textbox", name="Starts", exact=True).fill(local_input(starts))
    page.get_by_role("textbox", name="Ends", exact=True).fill(local_input(starts + timedelta(hours=1)))
    page.get_by_role("textbox", name="Place", exact=True).fill("Room 4")
    choose(page.get_by_role("combobox", name="Presenter", exact=True), "Pat")
    page.get_by_role("checkbox", name="Sales", exact=True).check()
    page.get_by_role("button", name="Schedule", exact=True).click()
    expect(page.get_by_role("heading", level=1, name=re.compile("Family Savings for Sales"))).to_be_visible()
    assert_accessible(page)
    assert campaign.briefings.filter(title="Family Savings for Sales").exists()
