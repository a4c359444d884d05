"""Role homes, the campaign page at a glance, the charts and the phone layout, in Chromium: each
role's journey, axe (0 serious/critical) at 1280 px and 390 px on every page these touch, no
sideways scrolling on a phone, and screenshots for a person to review (GLANCE_SHOTS, default
/tmp/shots/glance/)."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from briefings.models import Briefing, Invitation
from campaigns.models import Campaign, Impact
from conftest import add_impact, make_campaign
from explainers.models import Explainer
from planning.tests.conftest import make_briefing, make_stage
from rollout.models import Delivery
from tests.browser.conftest import BROWSER, axe_problems, sign_in, tab_to

pytestmark = BROWSER

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SHOTS = Path(os.environ.get("GLANCE_SHOTS", "/tmp/shots/glance"))


@pytest.fixture
def world(marketing, ic, presenter, employee, employee_ny, sales, support):
    """Mia's campaign live-ish: warned a week ago, a session Pat presents in two days that Emma is
    invited to, a past one with attendance to take; a second campaign Ian must review."""
    now = timezone.now()
    c = make_campaign(
        marketing, title="Faster Payments", status=Campaign.Status.APPROVED, go_live_in=timedelta(days=9)
    )
    add_impact(c, sales, what_changes="New rates", what_to_do="Read the explainer")
    add_impact(c, support, Impact.Level.LOW)
    Explainer.objects.create(campaign=c, slug=c.slug, publishes_at_embargo=True)
    warning = c.stages.get(kind="early_warning")
    sent_at = now - timedelta(days=5)
    type(warning).objects.filter(pk=warning.pk).update(state="sent", sent_at=sent_at, send_at=sent_at)
    for person, read in ((employee, True), (presenter, False)):
        Delivery.objects.create(
            stage=warning,
            recipient=person,
            channel="in_app",
            status="sent",
            sent_at=sent_at,
            read_at=sent_at + timedelta(days=1) if read else None,
        )
    session = make_briefing(
        c,
        now + timedelta(days=2),
        [sales],
        presenter=presenter,
        capacity=20,
        title="Faster Payments: Sales North",
    )
    Invitation.objects.create(briefing=session, user=employee)
    make_briefing(c, now - timedelta(days=1), [sales], presenter=presenter, title="Faster Payments: pilot")
    review = make_campaign(marketing, title="Winter Mortgages", status=Campaign.Status.SUBMITTED)
    add_impact(review, support, Impact.Level.MEDIUM)
    for hours in range(4):  # one audience week over the cap, for IC's load warning
        make_stage(review, now + timedelta(days=1, hours=hours), [support])
    return {"campaign": c, "session": session, "review": review}


def pages(world) -> list[tuple[str, str, str]]:
    c = world["campaign"]
    return [
        ("emma", "home-employee", "/"),
        ("pat", "home-presenter", "/"),
        ("mia", "home-marketing", "/"),
        ("mia", "campaign-marketing", f"/campaigns/{c.pk}/"),
        ("ian", "home-ic", "/"),
        ("ian", "campaign-ic", f"/campaigns/{c.pk}/"),
        ("ian", "charts", f"/campaigns/{c.pk}/charts/"),
        ("ian", "readiness", "/campaigns/readiness/"),
        ("ian", "load", "/calendar/load/"),
        ("ian", "calendar-month", "/calendar/"),
    ]


def test_every_touched_page_passes_axe_on_desktop_and_phone_and_fits_a_phone(browser, live_server, world):
    problems: list[str] = []
    SHOTS.mkdir(parents=True, exist_ok=True)
    for viewport_name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        context = browser.new_context(viewport=viewport, locale="en-GB")
        page = context.new_page()
        signed_in = None
        for username, name, path in pages(world):
            if username != signed_in:
                context.clear_cookies()
                sign_in(page, live_server.url, username)
                signed_in = username
            page.goto(live_server.url + path)
            problems += [f"{p} ({viewport_name})" for p in axe_problems(page)]
            if viewport_name == "phone":
                overflow = page.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth"
                )
                if overflow > 0:
                    problems.append(f"{path} as {username}: scrolls sideways by {overflow}px at 390px")
            page.screenshot(path=str(SHOTS / f"{name}-{viewport_name}.png"), full_page=True)
            page.screenshot(path=str(SHOTS / f"{name}-{viewport_name}-top.png"))
            for part in (".timeline-figure", ".funnel-grid", "#trend-h", "#reach-h"):
                found = page.locator(part).first
                if found.count():
                    target = found if part.startswith(".") else found.locator("xpath=..")
                    target.screenshot(path=str(SHOTS / f"{name}-{viewport_name}-{part.strip('.#')}.png"))
        context.close()
    assert problems == [], "\n".join(problems)


def test_on_a_phone_the_menu_folds_and_opens_without_script(browser, live_server, world):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    sign_in(page, live_server.url, "ian")
    inbox = page.get_by_role("link", name="Calendar")
    assert not inbox.is_visible()
    page.get_by_text("Menu", exact=True).click()
    assert inbox.is_visible()
    context.close()


def test_on_a_desktop_the_menu_is_open_with_no_toggle(page, live_server, world):
    sign_in(page, live_server.url, "ian")
    assert page.get_by_role("link", name="Calendar").is_visible()
    assert not page.get_by_text("Menu", exact=True).is_visible()


def test_the_calendar_month_is_an_agenda_on_a_phone(browser, live_server, world):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    sign_in(page, live_server.url, "ian")
    page.goto(live_server.url + "/calendar/")
    assert not page.locator(".cal-month thead").is_visible()  # no seven-column grid
    first_day = page.locator(".cal-month td:not(.cal-empty):not(.cal-out)").first
    box = first_day.bounding_box()
    assert box["width"] > 300  # a day is a full-width row
    context.close()


def test_employee_answers_a_briefing_from_home_in_one_tap(page, live_server, world):
    sign_in(page, live_server.url, "emma")
    page.get_by_role("button", name="Yes to Faster Payments: Sales North").click()
    page.wait_for_url(f"{live_server.url}/")
    assert "your answer for “Faster Payments: Sales North” is “Yes”" in page.content()
    assert (
        page.get_by_role("button", name="Yes to Faster Payments: Sales North").get_attribute("aria-pressed")
        == "true"
    )
    assert Invitation.objects.get(briefing=world["session"]).rsvp == "yes"


def test_presenter_goes_from_home_to_taking_attendance(page, live_server, world):
    sign_in(page, live_server.url, "pat")
    assert "1 invited" in page.locator("#sessions-h").locator("xpath=..").locator("..").inner_text()
    page.get_by_role("link", name="Take attendance for Faster Payments: pilot").click()
    assert "/attendance/" in page.url
    assert Briefing.objects.filter(title="Faster Payments: pilot").exists()


def test_marketing_reaches_a_stage_from_the_timeline_picture_with_the_keyboard(page, live_server, world):
    sign_in(page, live_server.url, "mia")
    page.get_by_role("link", name="Faster Payments").first.click()
    marker = page.locator(".timeline-chart a").first
    tab_to(page, marker, limit=120)
    page.keyboard.press("Enter")
    target = page.evaluate("location.hash")
    assert target.startswith("#stage-")
    assert page.locator(target).is_visible()


def test_ic_sees_review_queue_readiness_and_load_then_opens_the_charts(page, live_server, world):
    sign_in(page, live_server.url, "ian")
    body = page.locator("main").inner_text()
    assert "Winter Mortgages" in body and "over cap" in body
    page.get_by_role("link", name="Faster Payments", exact=True).first.click()
    page.get_by_role("link", name="Charts: trend and reach").click()
    assert page.locator("svg[role=img]").count() >= 3
