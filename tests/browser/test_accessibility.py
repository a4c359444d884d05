"""axe-core on every page of the app, per role, on a desktop and a phone-sized viewport.

Add a page: append (username or None, path builder) to PAGES. Each page also gets the checks axe
cannot make alone: one h1 and no skipped heading level, a working skip link, a visible focus
ring, and no sideways scrolling at 390 px. Screenshots land in var/screenshots/ for review.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from campaigns.models import Campaign, KeyMessage
from conftest import add_impact, make_campaign
from explainers.models import Explainer
from explainers.tests.conftest import deliver, make_stage
from identity.models import SignInLink
from people.models import MarcomTeam
from tests.browser.conftest import BROWSER, SCREENSHOTS, axe_problems, sign_in

pytestmark = BROWSER

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def site(marketing, ic, employee, employee_ny, sales, support):
    """Two campaigns: one embargoed (teaser), one whose explainer is published."""
    upcoming = make_campaign(marketing, title="Family Savings", status=Campaign.Status.APPROVED)
    add_impact(upcoming, sales, what_changes="New rates", what_to_do="Read the explainer")
    add_impact(upcoming, support, "medium")
    Explainer.objects.create(campaign=upcoming, slug=upcoming.slug, publishes_at_embargo=True)
    live = make_campaign(
        marketing,
        title="Faster Payments",
        status=Campaign.Status.LIVE,
        go_live_in=timedelta(days=-1),
        embargo_until=timezone.now() - timedelta(days=2),
    )
    add_impact(live, sales)
    KeyMessage.objects.create(campaign=live, position=1, text="Money arrives in seconds")
    live.assets.create(kind="video", url="https://vimeo.com/1", caption="Launch film")
    live.assets.create(kind="pdf", url="https://example.com/guide.pdf", caption="Guide")
    explainer = Explainer.objects.create(
        campaign=live,
        slug=live.slug,
        what_and_why="Payments now arrive in **seconds**.\n\n# Why now\n\nCustomers asked for it.",
        behaviours="- Mention it at every review\n- Point to the app",
        training="- [Payments course](https://learn.example.com/payments)",
        faq="## Is there a fee?\n\nNo.",
        publishes_at_embargo=True,
    )
    explainer.variants.create(audience=sales, body="Tell customers at every review.")
    explainer.variants.create(audience=support, body="Expect calls about timing.")
    for i, situation in enumerate(["A customer asks if it costs more", "A customer asks when it starts"]):
        explainer.scenarios.create(position=i, situation=situation, response="You explain it is free.")
    warning = deliver(make_stage(upcoming, subject="Coming soon: {{ campaign_title }}"), employee)
    ack = deliver(
        make_stage(
            live, subject="Live: {{ campaign_title }}", body="{{ details }}", requires_acknowledgement=True
        ),
        employee,
    )
    site = {"upcoming": upcoming, "live": live, "warning": warning, "ack": ack}
    add_workplan(site, marketing)
    try:
        briefing_model = apps.get_model("briefings", "Briefing")
    except LookupError:
        return site
    starts = timezone.now() + timedelta(days=2)
    briefing = briefing_model.objects.create(
        campaign=live,
        title="Faster Payments team briefing",
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        presenter=ic,
    )
    briefing.audiences.add(sales)
    apps.get_model("briefings", "Invitation").objects.create(briefing=briefing, user=employee)
    site["briefing"] = briefing
    return site


def add_workplan(site, marketing) -> None:
    """A brief and one deliverable of Mia's Content team on the live campaign."""
    try:
        workstream_model = apps.get_model("workplan", "Workstream")
    except LookupError:
        return
    live = site["live"]
    content = MarcomTeam.objects.get(slug="content")
    live.teams.add(content)
    apps.get_model("workplan", "CampaignBrief").objects.create(
        campaign=live, positioning="Payments in seconds", main_message="Money moves now"
    )
    site["deliverable"] = apps.get_model("workplan", "Deliverable").objects.create(
        workstream=workstream_model.objects.create(campaign=live, team=content),
        title="Launch blog post",
        type="blog_post",
        channel="owned",
        offset_days=-3,
        owner=marketing,
    )


def named(username: str, name: str, *args) -> list[tuple[str, str]]:
    """A page by its route name, for this user (a renamed or missing route fails the test)."""
    return [(username, reverse(name, args=args))]


def sign_in_pages() -> list[tuple[str | None, str]]:
    """The emailed sign-in link, password reset and account pages (identity)."""
    emma = User.objects.get(username="emma")
    _, token = SignInLink.issue(emma)
    reset = [urlsafe_base64_encode(force_bytes(emma.pk)), default_token_generator.make_token(emma)]
    return [
        *named(None, "signin_link_request"),
        *named(None, "signin_link_sent"),
        *named(None, "signin_link", token),
        *named(None, "signin_link", "not-a-real-token"),
        *named(None, "password_reset"),
        *named(None, "password_reset_done"),
        *named(None, "password_reset_confirm", *reset),  # redirects to the new-password form
        *named(None, "password_reset_confirm", "bad", "link"),
        *named(None, "password_reset_complete"),
        *named("emma", "account"),
        *named("emma", "password_change"),
    ]


def pages_for(site) -> list[tuple[str | None, str]]:
    up, live = site["upcoming"], site["live"]
    audience = live.impacts.first().audience_id
    stage = live.stages.first()
    briefing = site.get("briefing")
    pages = [
        (None, "/accounts/login/"),
        *sign_in_pages(),
        ("emma", "/"),
        ("emma", "/inbox/"),
        ("emma", f"/inbox/{site['warning'].pk}/"),
        ("emma", f"/inbox/{site['ack'].pk}/"),
        ("emma", "/explainers/"),
        ("emma", f"/explainers/{up.slug}/"),
        ("emma", f"/explainers/{live.slug}/"),
        ("emma", "/campaigns/"),  # 403 page
        ("emma", "/explainers/no-such-thing/"),  # 404 page
        *named("emma", "briefing_list"),
        *named("emma", "calendar_settings"),
        ("mia", "/"),
        ("mia", "/campaigns/"),
        ("mia", f"/campaigns/{up.pk}/"),
        ("mia", f"/campaigns/{live.pk}/explainer/preview/"),
        *named("mia", "campaign_create"),
        *named("mia", "campaign_edit", up.pk),
        *named("mia", "campaign_history", up.pk),
        ("ian", "/"),
        ("ian", "/campaigns/"),
        ("ian", f"/campaigns/{live.pk}/"),
        ("ian", f"/campaigns/{live.pk}/explainer/"),
        ("ian", f"/campaigns/{up.pk}/explainer/"),
        ("ian", f"/campaigns/{live.pk}/explainer/preview/?audience={audience}"),
        *named("ian", "audience_list"),
        *named("ian", "audience_detail", audience),
        *named("ian", "audience_create"),
        *named("ian", "audience_import"),
        *named("ian", "stage_add", live.pk),
        *named("ian", "briefing_new", live.pk),
    ]
    if stage is not None:
        pages += named("ian", "stage_edit", live.pk, stage.pk) + named(
            "ian", "stage_preview", live.pk, stage.pk
        )
        pages += named("ian", "stage_delete", live.pk, stage.pk)  # asks first (or says why it stays)
    if briefing is not None:
        pages += named("emma", "briefing_detail", briefing.pk)
        for name in (
            "briefing_detail",
            "briefing_edit",
            "briefing_pack",
            "briefing_pack_edit",
            "briefing_attendance",
        ):
            pages += named("ian", name, briefing.pk)
        pages += named("ian", "feedback_summary", live.pk)
    for name in ("calendar", "planning_load", "comms_item_list", "comms_item_create", "readiness"):
        pages += named("ian", name)
    pages += named("ian", "readiness_targets", live.pk)
    # The campaign at a glance and its charts, the notification centre, search, the asset library
    pages += named("ian", "campaign_charts", live.pk) + named("ian", "campaign_charts", up.pk)
    pages += named("ian", "notification_list") + named("emma", "notification_list")
    pages += [("ian", reverse("search") + "?q=Payments"), ("emma", reverse("search") + "?q=Payments")]
    pages += named("mia", "asset_library")
    if site.get("deliverable") is not None:
        for name in ("workplan", "brief", "brief_edit", "deliverable_add"):
            pages += named("mia", name, live.pk)
        pages += named("mia", "deliverable_edit", live.pk, site["deliverable"].pk)
        pages += named("ian", "workplan", live.pk) + named("mia", "my_work") + named("ian", "my_work")
    return pages


HEADING_PROBLEMS = """() => {
  const hs = [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].filter(h => h.offsetParent !== null);
  const out = [];
  if (document.querySelectorAll('h1').length !== 1) out.push('expected one h1');
  let last = 0;
  for (const h of hs) {
    const level = +h.tagName[1];
    if (last && level > last + 1) out.push(`h${last} then h${level}: ${h.textContent.trim().slice(0, 40)}`);
    last = level;
  }
  return out;
}"""


def page_problems(page) -> list[str]:
    problems = axe_problems(page)
    problems += [f"{page.url}: {p}" for p in page.evaluate(HEADING_PROBLEMS)]
    # Signed-out pages (/accounts/...) have no menu: only <main> is required there.
    for selector in ("header", "nav", "main", "footer") if "/accounts/" not in page.url else ("main",):
        if page.locator(selector).count() == 0:
            problems.append(f"{page.url}: no <{selector}> landmark")
    return problems


def test_every_page_passes_axe_and_structure_checks_on_desktop_and_phone(browser, live_server, site):
    problems: list[str] = []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for viewport_name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        signed_in = None
        for username, path in pages_for(site):
            if username != signed_in:
                context.clear_cookies()
                if username:
                    sign_in(page, live_server.url, username)
                signed_in = username
            page.goto(live_server.url + path)
            problems += [f"{p} (asked for {path})" for p in page_problems(page)]
            if viewport_name == "phone":
                overflow = page.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth"
                )
                if overflow > 0:
                    problems.append(f"{page.url}: scrolls sideways by {overflow}px at 390px wide")
        context.close()
    assert problems == [], "\n".join(problems)


def test_skip_link_is_first_and_moves_focus_to_main(page, live_server, site):
    sign_in(page, live_server.url, "emma")
    page.goto(live_server.url + "/inbox/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    assert page.evaluate("getComputedStyle(document.activeElement).left") != "-999px"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_focus_is_visible_on_links_buttons_and_fields(page, live_server, site):
    page.goto(live_server.url + "/accounts/login/")
    seen = []
    # Round the whole page once (it has several forms: password, sign-in link): every stop is checked.
    for _ in range(12):
        page.keyboard.press("Tab")
        tag, outline, width = page.evaluate(
            "(() => { const e = document.activeElement, s = getComputedStyle(e);"
            " return [e.tagName + (e.name ? '[' + e.name + ']' : ''), s.outlineStyle, s.outlineWidth]; })()"
        )
        seen.append(tag)
        if tag == "BODY":  # a fresh page: the first Tab may only bring focus into the document
            continue
        assert outline != "none" and width != "0px", (tag, outline, width)
    assert {"INPUT[username]", "INPUT[password]", "BUTTON"} <= set(seen), seen


SHOTS = [
    ("emma", "inbox", "/inbox/"),
    ("emma", "teaser", "/explainers/{up}/"),
    ("emma", "explainer", "/explainers/{live}/"),
    ("emma", "inbox-item", "/inbox/{ack}/"),
    ("ian", "campaign", "/campaigns/{live_pk}/"),
    ("ian", "explainer-editor", "/campaigns/{live_pk}/explainer/"),
]


def test_screenshots_for_review(browser, live_server, site):
    """Not an assertion of looks: writes PNGs that a person reviews (var/screenshots/)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    values = {
        "up": site["upcoming"].slug,
        "live": site["live"].slug,
        "ack": site["ack"].pk,
        "live_pk": site["live"].pk,
    }
    for viewport_name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        signed_in = None
        for username, name, path in SHOTS:
            if username != signed_in:
                context.clear_cookies()
                sign_in(page, live_server.url, username)
                signed_in = username
            page.goto(live_server.url + path.format(**values))
            target = SCREENSHOTS / f"{name}-{viewport_name}.png"
            page.screenshot(path=str(target), full_page=True)
            assert target.stat().st_size > 0
        context.close()
