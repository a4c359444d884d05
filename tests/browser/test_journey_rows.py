"""Journeys for forms that fit the work: several rows in one go, asking before removing, busy buttons.

Marketing adds two impacts, two key messages and an asset before the first save (with script:
rows come from the page's <template>s); IC removes a rollout stage through its confirmation page.
axe-core at desktop (1280 px) and phone (390 px) width on the pages that changed.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from campaigns.models import Campaign
from conftest import make_campaign
from rollout.models import RolloutStage
from tests.browser.conftest import BROWSER, assert_accessible, sign_in
from tests.browser.journey_helpers import choose, local_input

pytestmark = BROWSER
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def assert_accessible_at_both_widths(page) -> None:
    assert_accessible(page)
    page.set_viewport_size(PHONE)
    assert_accessible(page)
    page.set_viewport_size(DESKTOP)


def focused_id(page) -> str:
    return page.evaluate("document.activeElement.id")


def test_marketing_adds_several_rows_before_the_first_save(page, live_server, marketing, sales, support):
    base = live_server.url
    sign_in(page, base, "mia")
    page.goto(f"{base}/campaigns/new/")
    page.get_by_role("textbox", name="Title", exact=True).fill("Family Savings")
    page.get_by_role("textbox", name="Concept", exact=True).fill("Savings for families.")
    page.get_by_role("textbox", name="Go-live", exact=True).fill(
        local_input(timezone.now() + timedelta(days=30))
    )

    messages = page.locator("#messages")
    messages.get_by_role("textbox", name="Key message").first.fill("Rates drop to 1.9%")
    page.get_by_role("button", name="Add another key message").click()
    assert focused_id(page) == "id_messages-1-text"  # the new row, ready to type into
    page.keyboard.type("Existing customers keep their rate")

    impacts = page.locator("#impacts")
    choose(impacts.get_by_role("combobox", name="Audience", exact=True).first, "Sales")
    impacts.get_by_role("combobox", name="Level", exact=True).first.select_option("high")
    page.get_by_role("button", name="Add another impact").click()
    assert focused_id(page) == "id_impacts-1-audience"
    choose(impacts.get_by_role("combobox", name="Audience", exact=True).nth(1), "Support")
    impacts.get_by_role("combobox", name="Level", exact=True).nth(1).select_option("low")

    assets = page.locator("#assets")
    assets.get_by_role("textbox", name="Caption").first.fill("Rates page")
    assets.get_by_role("textbox", name="or a link").first.fill("https://example.com/rates")
    assert_accessible_at_both_widths(page)

    page.get_by_role("button", name="Save as draft").click()
    expect(page.get_by_role("heading", level=1, name="Family Savings")).to_be_visible()
    campaign = Campaign.objects.get(title="Family Savings")
    assert campaign.ordered_key_messages() == ["Rates drop to 1.9%", "Existing customers keep their rate"]
    assert {(i.audience.name, i.level) for i in campaign.impacts.all()} == {
        ("Sales", "high"),
        ("Support", "low"),
    }
    assert list(campaign.assets.values_list("caption", flat=True)) == ["Rates page"]


def test_a_busy_button_says_so_and_still_sends_its_value(page, live_server, marketing):
    base = live_server.url
    sign_in(page, base, "mia")
    page.goto(f"{base}/campaigns/new/")
    page.get_by_role("textbox", name="Title", exact=True).fill("Quick Launch")
    page.get_by_role("textbox", name="Concept", exact=True).fill("Quick.")
    page.get_by_role("textbox", name="Go-live", exact=True).fill(
        local_input(timezone.now() + timedelta(days=30))
    )
    # Stop the page from leaving after forms.js has run (a listener added later runs later), so
    # the busy state can be looked at.
    page.evaluate("document.addEventListener('submit', (event) => event.preventDefault())")
    page.get_by_role("button", name="Save and submit to IC").click()
    busy = page.locator("button[aria-disabled=true]")
    expect(busy).to_have_text("Sending…")
    expect(busy).to_be_disabled()
    # The disabled button is not posted: its name and value travel in a hidden input, once.
    assert page.locator('input[type=hidden][name="submit_to_ic"][value="1"]').count() == 1

    # Back/forward cache: shown again, the button works again and the copy is gone.
    page.evaluate("window.dispatchEvent(new PageTransitionEvent('pageshow', {persisted: true}))")
    again = page.get_by_role("button", name="Save and submit to IC")
    expect(again).to_be_enabled()
    assert page.locator('input[type=hidden][name="submit_to_ic"]').count() == 0


def test_ic_removes_a_stage_through_the_confirmation(page, live_server, marketing, ic):
    base = live_server.url
    campaign = make_campaign(marketing, title="Family Savings", status=Campaign.Status.APPROVED)
    stage = RolloutStage(
        campaign=campaign,
        kind=RolloutStage.Kind.REMINDER,
        offset_minutes=-2 * 24 * 60,
        subject="Reminder: {{ campaign_title }}",
        body="{{ concept }}",
        channels=["in_app"],
    )
    stage.save()
    sign_in(page, base, "ian")
    page.goto(f"{base}{campaign.get_absolute_url()}")
    page.locator(f"#stage-{stage.pk}").get_by_role("link", name="Remove Reminder").click()
    expect(page.get_by_role("heading", level=1, name="Remove the stage “Reminder”?")).to_be_visible()
    assert RolloutStage.objects.filter(pk=stage.pk).exists()  # opening the page removed nothing
    assert_accessible_at_both_widths(page)

    page.get_by_role("button", name="Remove this stage").click()
    expect(page.get_by_text("Stage “Reminder” removed.")).to_be_visible()
    assert not RolloutStage.objects.filter(pk=stage.pk).exists()
    assert_accessible(page)
