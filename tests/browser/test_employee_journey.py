"""Journey 3: an employee is warned, reads the teaser, and after the embargo reads and acknowledges.

Done with the keyboard alone (Tab and Enter), with axe-core on every page visited.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from campaigns.models import Campaign
from conftest import add_impact, make_campaign
from explainers.models import Explainer, ExplainerRead
from explainers.tests.conftest import deliver, make_stage
from rollout.models import Delivery, RolloutStage
from tests.browser.conftest import BROWSER, assert_accessible, sign_in_with_keyboard, tab_to

pytestmark = BROWSER


@pytest.fixture
def warned_employee(marketing, employee, sales):
    campaign = make_campaign(marketing, title="Family Savings", status=Campaign.Status.APPROVED)
    add_impact(campaign, sales)
    explainer = Explainer.objects.create(
        campaign=campaign,
        slug=campaign.slug,
        what_and_why="We are **lowering rates** for families.",
        publishes_at_embargo=True,
    )
    explainer.variants.create(audience=sales, body="Explain the new rate at every review.")
    explainer.scenarios.create(situation="A customer asks if their rate changes", response="You say no.")
    deliver(make_stage(campaign, subject="Coming soon: {{ campaign_title }}"), employee)
    return campaign


def press_enter_on(page, locator):
    tab_to(page, locator)
    page.keyboard.press("Enter")


def test_employee_journey_with_the_keyboard(page, live_server, employee, warned_employee):
    base = live_server.url
    campaign = warned_employee
    sign_in_with_keyboard(page, base, "emma")
    assert_accessible(page)

    # The unread badge is in the navigation; the inbox shows the early warning.
    inbox_link = page.get_by_role("link", name=re.compile(r"^Inbox"))
    expect(inbox_link).to_contain_text("1")
    press_enter_on(page, inbox_link)
    expect(page.get_by_role("heading", level=1, name="Inbox")).to_be_visible()
    assert_accessible(page)
    item = page.get_by_role("link", name=re.compile("Coming soon: Family Savings"))
    expect(item).to_contain_text("Unread")
    press_enter_on(page, item)
    expect(page.get_by_role("heading", level=1)).to_have_text("Coming soon: Family Savings")
    assert_accessible(page)

    # The teaser: the concept and the date, nothing embargoed.
    press_enter_on(page, page.get_by_role("link", name="Read the explainer"))
    expect(page.get_by_text("More detail on")).to_be_visible()
    assert campaign.details not in page.content()
    assert "lowering rates" not in page.content()
    assert_accessible(page)

    # The embargo lifts and the go-live announcement asks for an acknowledgement.
    Campaign.objects.filter(pk=campaign.pk).update(embargo_until=timezone.now() - timedelta(minutes=1))
    golive = deliver(
        make_stage(campaign, kind=RolloutStage.Kind.GO_LIVE, offset_days=0, subject="Live today: {{ campaign_title }}",
                   body="{{ details }}", requires_acknowledgement=True),
        employee,
    )  # fmt: skip
    with page.expect_response(re.compile(r"/progress/$")) as progress:  # read tracking from the page
        page.reload()
    assert progress.value.status == 204
    expect(page.get_by_role("heading", level=2, name="What it means for you")).to_be_visible()
    read = ExplainerRead.objects.get(user=employee)
    assert 0 < read.progress <= 100
    expect(page.get_by_text("lowering rates")).to_be_visible()
    expect(page.get_by_text("A customer asks if their rate changes")).to_be_visible()
    assert_accessible(page)

    press_enter_on(page, page.get_by_role("link", name=re.compile(r"^Inbox")))
    press_enter_on(page, page.get_by_role("link", name=re.compile("Live today: Family Savings")))
    expect(page.get_by_text(campaign.details)).to_be_visible()
    assert_accessible(page)
    press_enter_on(page, page.get_by_role("button", name="I understand what this means for me"))
    expect(page.get_by_text("your acknowledgement is recorded")).to_be_visible()
    assert_accessible(page)
    assert Delivery.objects.get(pk=golive.pk).acknowledged_at is not None
