"""Journey: Omar (Events) plans work on Mia's launch, is told Content already plans the same thing,
and shares it instead of making a copy; then saves different work anyway. axe-core on every page.
"""

from __future__ import annotations

from playwright.sync_api import expect

from conftest import make_campaign
from people.models import MarcomTeam
from tests.browser.conftest import BROWSER, SCREENSHOTS, assert_accessible, sign_in
from workplan.models import Deliverable, Workstream

pytestmark = BROWSER


def test_a_marketer_shares_a_duplicate_instead_of_making_it(page, live_server, marketing, other_marketing):
    base = live_server.url
    launch = make_campaign(marketing, title="Aurora launch")
    content, events = MarcomTeam.objects.get(slug="content"), MarcomTeam.objects.get(slug="events")
    launch.teams.add(content, events)
    theirs = Deliverable.objects.create(
        workstream=Workstream.for_team(launch, content),
        title="Launch press release",
        description="Announce the Aurora app to national press",
        type="press_release",
        channel="press",
        offset_days=-7,
        owner=marketing,
    )

    sign_in(page, base, "omar")
    page.goto(f"{base}/campaigns/{launch.pk}/")
    page.get_by_role("link", name="Open the workplan").click()
    expect(page.get_by_role("heading", level=1, name="Workplan: Aurora launch")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Add a deliverable", exact=True).click()
    assert_accessible(page)
    page.get_by_label("Title").fill("Press release for the Aurora launch")
    page.get_by_label("Description").fill("National press announcement of the Aurora app")
    page.get_by_label("Type").select_option("press_release")
    page.get_by_label("Channel").select_option("press")
    page.get_by_label("Due (days from go-live)").fill("-5")
    page.get_by_role("button", name="Save deliverable").click()

    warning = page.get_by_role("alert")
    expect(warning).to_contain_text("This looks like work another team already plans")
    expect(warning).to_contain_text("Launch press release — Content, owner Mia Tester")
    assert_accessible(page)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(SCREENSHOTS / "workplan-duplicate-phone.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name="Same work: share it (Launch press release) with Events").click()

    expect(page.get_by_text("Events now shares “Launch press release” with Content.")).to_be_visible()
    theirs.refresh_from_db()
    assert theirs.shared_with == events
    assert Deliverable.objects.count() == 1

    # Different work that reads alike is saved anyway, with one more click.
    page.get_by_role("link", name="Add a deliverable", exact=True).click()
    page.get_by_label("Title").fill("Launch press release")
    page.get_by_label("Description").fill("Announce the Aurora app to national press")
    page.get_by_label("Type").select_option("press_release")
    page.get_by_label("Channel").select_option("press")
    page.get_by_label("Due (days from go-live)").fill("-7")
    page.get_by_role("button", name="Save deliverable").click()
    page.get_by_role("button", name="Different: save anyway").click()
    expect(page.get_by_role("heading", level=1, name="Workplan: Aurora launch")).to_be_visible()
    assert Deliverable.objects.filter(workstream__team=events).count() == 1

    page.get_by_role("link", name="My work").click()
    expect(page.get_by_role("heading", level=2, name="Launch press release")).to_be_visible()
    assert_accessible(page)
