"""IC approves a campaign whose early warning is already overdue: the page says what goes out, then sends."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from campaigns.models import Campaign, Impact
from conftest import make_campaign
from tests.browser.conftest import BROWSER, assert_accessible, sign_in

pytestmark = BROWSER


def test_ic_is_asked_before_approving_sends_an_overdue_early_warning(
    page, live_server, marketing, ic, sales, employee
):
    base = live_server.url
    campaign = make_campaign(
        marketing,
        title="Quick Switch",
        status=Campaign.Status.SUBMITTED,
        go_live_at=timezone.now() + timedelta(days=10),
    )
    Impact.objects.create(campaign=campaign, audience=sales, level="high")
    sign_in(page, base, "ian")
    page.goto(base + campaign.get_absolute_url())
    expect(page.get_by_text("Overdue: sends at the next tick once approved").first).to_be_visible()

    page.get_by_role("button", name="Approve the internal plan").click()
    expect(page.get_by_text("Sends now: Early warning to 1 person, in-app and email")).to_be_visible()
    assert_accessible(page)
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SUBMITTED

    page.get_by_role("button", name="Approve and send now").click()
    expect(page.get_by_text("Campaign is now approved")).to_be_visible()
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.APPROVED
