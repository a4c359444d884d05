"""Journey 2: IC approves a campaign, edits its rollout plan and schedules a briefing (mouse).

PENDING: rename to test_journey_ic.py once feat/engine (rollout panel and stage editor) is in main;
it passes against a local merge of feat/engine with this branch. axe-core on every page visited.
"""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect

from campaigns.models import Campaign, Impact
from conftest import make_campaign
from rollout.models import RolloutStage
from tests.browser.conftest import BROWSER, assert_accessible, sign_in
from tests.browser.journey_helpers import choose, local_input

pytestmark = BROWSER


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
