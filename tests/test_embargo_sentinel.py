"""Nothing embargoed reaches an employee before `embargo_until`, through any door.

A sentinel string goes into every embargoed field; every employee-facing URL is requested as
an employee (warned and in the audience, and one who is neither) before the embargo lifts, and
every email sent to them is read. The sentinel must never appear. After the embargo it must
appear where employees are meant to read it (the explainer).

To extend: add a function decorated with `@employee_urls` that yields the URLs of your pages for
the `World` built below (put your objects in `World.extra`), and put the sentinel into any new
embargoed field in `world_with_sentinels()`. `test_every_route_is_checked_or_excused` fails when a
route exists that no URL here reaches and that is not excused (admin, auth, POST-only actions).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
import time_machine
from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from campaigns.models import Asset, Campaign, KeyMessage
from conftest import add_impact, make_campaign
from explainers.models import Explainer
from people.models import EmployeeProfile
from rollout.models import Delivery, RolloutStage

pytestmark = pytest.mark.django_db

SENTINEL = "SNTNL-embargoed-7f3a9c"


@dataclass
class World:
    campaign: Campaign
    explainer: Explainer
    stages: list[RolloutStage]
    deliveries: list[Delivery] = field(default_factory=list)
    extra: dict = field(default_factory=dict)  # other areas' objects (briefings, ...)


# --- the URL list: one function per area, each yields URLs for a World ----------------------
employee_url_sources: list[Callable[[World], Iterable[str]]] = []


def employee_urls(fn: Callable[[World], Iterable[str]]):
    employee_url_sources.append(fn)
    return fn


def urls(*pairs) -> list[str]:
    """The routes named in pairs of (name, *args); a renamed or missing route fails the test."""
    return [reverse(name, args=args) for name, *args in pairs]


@employee_urls
def campaign_pages(world: World):
    c = world.campaign.pk
    yield from urls(
        ("home",),
        ("campaign_list",),
        ("campaign_create",),
        ("campaign_detail", c),
        ("campaign_edit", c),
        ("campaign_history", c),
        ("campaign_duplicate", c),
        ("campaign_start_from_earlier",),
        ("explainer_edit", c),
        ("explainer_preview", c),
        ("audience_list",),
        ("audience_create",),
        ("audience_import",),
    )
    for audience in world.campaign.impacts.values_list("audience_id", flat=True):
        yield from urls(("audience_detail", audience), ("audience_edit", audience))
    for stage in world.stages:
        yield from urls(("stage_edit", c, stage.pk), ("stage_preview", c, stage.pk))
    yield from urls(("stage_add", c))
    for asset in world.campaign.assets.exclude(file=""):
        yield from urls(("asset_file", c, asset.pk))


@employee_urls
def import_job_pages(world: World):
    from people.models import ImportJob

    job = ImportJob.objects.create(
        file_name="people.csv", status=ImportJob.Status.DONE, rows_total=1, rows_done=1
    )
    yield from urls(("import_job", job.pk), ("import_job_progress", job.pk), ("import_job_errors", job.pk))


@employee_urls
def inbox_pages(world: World):
    yield "/inbox/"
    yield "/api/v1/inbox/"
    for d in world.deliveries:
        yield f"/inbox/{d.pk}/"
        yield f"/api/v1/inbox/{d.pk}/"
    for d in Delivery.objects.filter(stage__in=world.stages, channel="email"):
        yield f"/inbox/{d.pk}/"  # the link in the email


@employee_urls
def explainer_pages(world: World):
    yield "/explainers/"
    yield f"/explainers/{world.explainer.slug}/"
    yield "/api/v1/explainers/"
    yield f"/api/v1/explainers/{world.explainer.slug}/"


@employee_urls
def search_pages(world: World):
    # Words beside the sentinel in embargoed fields: a leaking hit would show it in its snippet. (Not
    # the sentinel itself: the page repeats what was searched for.)
    search = reverse("search")
    for word in [*world.campaign.title.split(), "Details", "Behaviours", "Training", "FAQ", "Variant"]:
        yield f"{search}?q={word}"


@employee_urls
def briefing_pages(world: World):
    briefing = world.extra.get("briefing")
    if briefing is None:
        return
    b, c = briefing.pk, world.campaign.pk
    yield from urls(
        ("briefing_list",),
        ("briefing_new", c),
        ("briefing_detail", b),
        ("briefing_ics", b),
        ("briefing_edit", b),
        ("briefing_pack", b),
        ("briefing_pack_edit", b),
        ("briefing_pack_print", b),
        ("briefing_presenter", b),
        ("briefing_attendance", b),
        ("briefing_feedback", b),
        ("feedback_summary", c),
        ("feedback_csv", c),
        ("calendar_settings",),
    )
    if world.extra.get("feed_token"):
        yield from urls(("briefing_feed", world.extra["feed_token"]))


@employee_urls
def planning_pages(world: World):
    yield from urls(
        ("calendar",),
        ("calendar_ics",),
        ("planning_load",),
        ("comms_item_list",),
        ("comms_item_create",),
        ("readiness",),
        ("readiness_targets", world.campaign.pk),
        ("campaign_charts", world.campaign.pk),
    )
    item = world.extra.get("comms_item")
    if item is not None:
        yield from urls(("comms_item_detail", item.pk), ("comms_item_edit", item.pk))


@employee_urls
def workplan_pages(world: World):
    """The workplan is for marketing and IC only: employees get 403 on every page and API route."""
    deliverable = world.extra.get("deliverable")
    if deliverable is None:
        return
    c = world.campaign.pk
    yield from urls(
        ("workplan", c),
        ("brief", c),
        ("brief_edit", c),
        ("deliverable_add", c),
        ("deliverable_edit", c, deliverable.pk),
        ("my_work",),
        ("workstream-list",),
        ("workstream-detail", deliverable.workstream_id),
        ("deliverable-list",),
        ("deliverable-detail", deliverable.pk),
    )


@employee_urls
def api_pages(world: World):
    yield "/api/v1/"
    yield "/healthz"
    c = world.campaign.pk
    for prefix in ("campaigns", "audiences", "briefings"):
        yield reverse(f"{prefix[:-1]}-list")
    yield from urls(("campaign-detail", c))
    if world.extra.get("briefing"):
        yield from urls(("briefing-detail", world.extra["briefing"].pk))
    for audience in world.campaign.impacts.values_list("audience_id", flat=True):
        yield from urls(("audience-detail", audience))


@employee_urls
def asset_library_pages(world: World):
    """The library and its API (marketing and IC only), and every door to an asset reused elsewhere."""
    yield from urls(("asset_library",), ("asset-list",))
    for asset in Asset.objects.filter(campaign=world.campaign):
        yield from urls(
            ("asset_detail", asset.pk),
            ("asset-detail", asset.pk),
            ("asset_file", world.campaign.pk, asset.pk),
        )
        yield reverse("asset_library") + f"?q={SENTINEL}"
        yield reverse("asset-list") + f"?q={SENTINEL}"
    public = world.extra.get("public_campaign")
    if public is not None:
        yield f"/explainers/{public.slug}/"
        yield f"/api/v1/explainers/{public.slug}/"
        yield from urls(("campaign_detail", public.pk), ("readiness_targets", public.pk))
        briefing = world.extra.get("public_briefing")
        yield from urls(
            ("briefing_detail", briefing.pk), ("briefing_pack", briefing.pk), ("briefing_ics", briefing.pk)
        )


@employee_urls
def sign_in_pages(world: World):
    """Single sign-on (identity/oidc.py): off in this test, so both answer 404 and show nothing."""
    yield from urls(("oidc_authentication_init",), ("oidc_authentication_callback",))


@employee_urls
def identity_pages(world: World):
    yield from urls(
        ("account",),
        ("signin_link_request",),
        ("signin_link_sent",),
        ("signin_link", "not-a-real-token"),
        ("password_reset",),
    )


@employee_urls
def scim_pages(world: World):
    """Machine endpoints for the identity provider: a session gets 401; with the token, only people and groups."""
    audience = world.campaign.impacts.values_list("audience_id", flat=True).first()
    recipient = world.deliveries[0].recipient_id if world.deliveries else 1
    yield from urls(("scim:root",), ("scim:search",), ("scim:me",), ("scim:bulk",))
    yield from urls(("scim:users",), ("scim:users", recipient), ("scim:users-search",))
    yield from urls(("scim:groups",), ("scim:groups", audience), ("scim:groups-search",))
    yield from urls(("scim:service-provider-config",), ("scim:resource-types",), ("scim:schemas",))
    yield reverse("scim:resource-types", kwargs={"uuid": "User"})
    yield reverse("scim:schemas", kwargs={"uuid": "urn:ietf:params:scim:schemas:core:2.0:User"})


@employee_urls
def notification_pages(world: World):
    """The warned employee's notifications (an answer to a briefing and an explainer question, both
    written with the sentinel) and their emails, sent now: before the embargo neither says it."""
    from django.contrib.auth.models import User

    from explainers.models import ExplainerQuestion
    from identity.unsubscribe import unsubscribe_url
    from notifications.emails import send_notification_emails
    from notifications.models import Notification
    from notifications.tick import notification_tick

    employee = User.objects.get(pk=world.deliveries[0].recipient_id)
    owner = world.campaign.owner
    briefing = world.extra.get("briefing")
    if briefing is not None:
        apps.get_model("briefings", "Invitation").objects.filter(briefing=briefing, user=employee).update(
            attended_at=timezone.now()
        )
        feedback = apps.get_model("briefings", "Feedback").submit(
            briefing, employee, feeling=4, support="", question="When?", is_anonymous=True
        )
        feedback.answer_with(f"Answer {SENTINEL}", owner)
    question = ExplainerQuestion.ask(world.explainer, employee, text="What changes?", is_anonymous=True)
    question.answer_with(f"Answer {SENTINEL}", owner)
    notification_tick(timezone.now())
    mine = Notification.objects.filter(recipient=employee)
    assert mine.exists()
    send_notification_emails(list(mine.values_list("pk", flat=True)))
    yield from urls(("notification_list",))
    yield from (reverse("notification_open", args=[n.pk]) for n in mine)
    yield unsubscribe_url(employee).removeprefix(settings.SITE_URL)


# Routes employees never reach by design (prefixes of Django's `route` strings) ...
EXCUSED_PREFIXES = ("admin/", "accounts/", "api/schema/", "api/docs/", "static/")
# ... and POST-only actions, which return no content of their own (their page tests cover them).
EXCUSED_PARTS = (
    "/acknowledge/",
    "/helpful/",
    "/progress/",
    "/questions/",
    "/move/",
    "/rsvp/",
    "/invite/",
    "/cancel/",
    "/delivered/",
    "/release/",
    "/delete/",
    "/answer/",
    "/regenerate/",
    "/revoke/",
    "/reset/",
    "/share/",
    "/pause/",
    "/resume/",
    "/test/",
    "/reuse/",
    "/read/",
    "/read-all/",
    "/run-again/",
    "<slug:action>",
)


def is_excused(route: str) -> bool:
    return (
        route.startswith(EXCUSED_PREFIXES)
        or any(part in route for part in EXCUSED_PARTS)
        or "(?P<format>" in route  # DRF's ".json" duplicates of covered routes
        or "<drf_format_suffix:" in route
    )


def world_with_sentinels(marketing, sales, employee) -> World:
    """An approved campaign 10 days before its embargo, the sentinel in every embargoed field."""
    campaign = make_campaign(
        marketing,
        title="Sentinel Savings",
        status=Campaign.Status.APPROVED,
        details=f"Details {SENTINEL}",
        go_live_in=timedelta(days=10),
    )
    add_impact(campaign, sales)
    KeyMessage.objects.create(campaign=campaign, position=1, text="Families save more")
    explainer = Explainer.objects.create(
        campaign=campaign,
        slug=campaign.slug,
        what_and_why=f"Why {SENTINEL}",
        behaviours=f"Behaviours {SENTINEL}",
        training=f"Training {SENTINEL}",
        faq=f"FAQ {SENTINEL}",
        publishes_at_embargo=True,
        published_at=timezone.now() - timedelta(days=1),  # a publish date before the embargo must not leak
    )
    explainer.variants.create(audience=sales, body=f"Variant {SENTINEL}")
    explainer.scenarios.create(situation=f"Situation {SENTINEL}", response=f"Response {SENTINEL}")
    # An uploaded file is embargoed material too: its bytes carry the sentinel.
    poster = Asset(campaign=campaign, kind=Asset.Kind.PDF, caption="Launch poster")
    poster.file.save("poster.pdf", ContentFile(f"%PDF-1.4 {SENTINEL}".encode()), save=True)
    world = World(campaign=campaign, explainer=explainer, stages=[])
    add_briefing(world, sales, employee)
    add_comms_item(world, sales)
    add_workplan(world, poster)
    add_reused_asset(world, marketing, sales, employee)
    return world


def add_workplan(world: World, poster: Asset) -> None:
    """The brief and a deliverable, the sentinel in every text field, the poster as their creative."""
    try:
        brief_model = apps.get_model("workplan", "CampaignBrief")
    except LookupError:
        return
    brief = brief_model.objects.create(
        campaign=world.campaign,
        positioning=f"Positioning {SENTINEL}",
        main_message=f"Message {SENTINEL}",
        target_customers=f"Customers {SENTINEL}",
    )
    brief.creatives.add(poster)
    brief.objectives.create(description=f"Objective {SENTINEL}", metric=f"Metric {SENTINEL}", target=100)
    brief.channels.create(kind="paid", name=f"Channel {SENTINEL}", budget_cap=1000, pricing="cpm", rate=5)
    workstream = apps.get_model("workplan", "Workstream").objects.create(campaign=world.campaign)
    deliverable = apps.get_model("workplan", "Deliverable").objects.create(
        workstream=workstream,
        title=f"Deliverable {SENTINEL}",
        description=f"Description {SENTINEL}",
        type="internal_announcement",
        channel="internal",
        offset_days=-2,
        owner=world.campaign.owner,
    )
    deliverable.assets.add(poster)
    world.extra["deliverable"] = deliverable


def add_reused_asset(world: World, marketing, audience, employee) -> None:
    """An embargoed library asset (sentinel in title, description and file name) reused where
    employees already read: a public campaign's page, its published explainer and a briefing pack."""
    secret = Asset(
        campaign=world.campaign,
        kind=Asset.Kind.PDF,
        caption=f"Price sheet {SENTINEL}",
        description=f"Rates {SENTINEL}",
    )
    secret.file.save(f"{SENTINEL}.pdf", ContentFile(f"%PDF-1.4 {SENTINEL}".encode()), save=True)
    secret.set_tags([SENTINEL.lower()])
    past = timezone.now() - timedelta(days=2)
    public = make_campaign(
        marketing, title="Open Doors", go_live_at=past, embargo_until=past, status=Campaign.Status.LIVE
    )
    add_impact(public, audience)
    secret.reuse_in(public, marketing)
    explainer = Explainer.objects.create(campaign=public, slug=public.slug, publishes_at_embargo=True)
    explainer.assets.add(secret)
    world.extra["public_campaign"] = public
    try:
        briefing_model = apps.get_model("briefings", "Briefing")
    except LookupError:
        return
    starts = timezone.now() + timedelta(days=1)
    briefing = briefing_model.objects.create(
        campaign=public, title="Open Doors briefing", starts_at=starts, ends_at=starts + timedelta(hours=1)
    )
    briefing.audiences.add(audience)
    briefing.pack_assets.add(secret)
    apps.get_model("briefings", "Invitation").objects.create(briefing=briefing, user=employee)
    world.extra["public_briefing"] = briefing


def add_comms_item(world: World, audience) -> None:
    try:
        item_model = apps.get_model("planning", "CommsItem")
    except LookupError:
        return
    item = item_model.objects.create(title="Payroll change", starts_at=world.campaign.go_live_at)
    item.audiences.add(audience)
    world.extra["comms_item"] = item


# The warning the employee gets, then a stage that uses {{ details }}: the engine holds that one
# while the embargo lasts; the inbox must not show details even for one that went out anyway.
STAGES = [
    (RolloutStage.Kind.EARLY_WARNING, -11 * 24 * 60, "Coming: {{ campaign_title }}", "{{ concept }} More on {{ embargo_until }}."),
    (RolloutStage.Kind.REMINDER, -10 * 24 * 60 - 60, "About {{ details }}", "{{ details }} {{ explainer_url }}"),
]  # fmt: skip


def add_briefing(world: World, audience, employee) -> None:
    """A briefing with the sentinel in every pack field this branch's Briefing model has."""
    try:
        briefing_model = apps.get_model("briefings", "Briefing")
    except LookupError:
        return
    names = {f.name for f in briefing_model._meta.get_fields()}
    pack = {
        f: f"{f} {SENTINEL}"
        for f in ("why", "expected", "background", "key_messages", "faq", "speaker_notes")
    }
    starts = world.campaign.go_live_at + timedelta(hours=1)
    briefing = briefing_model.objects.create(
        campaign=world.campaign,
        title="Sentinel briefing",
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        **{k: v for k, v in pack.items() if k in names},
    )
    briefing.audiences.add(audience)
    apps.get_model("briefings", "Invitation").objects.create(briefing=briefing, user=employee)
    world.extra["briefing"] = briefing
    feed_model = apps.get_model("people", "CalendarFeed")
    world.extra["feed_token"] = feed_model.regenerate(employee, feed_model.Kind.BRIEFINGS).token


def send_due_announcements(world: World, recipients, sales) -> None:
    """Send the stages the way production does: one dispatch tick after each is planned."""
    for kind, offset, subject, body in STAGES:
        stage = RolloutStage(
            campaign=world.campaign,
            kind=kind,
            offset_minutes=offset,
            subject=subject,
            body=body,
            channels=[EmployeeProfile.Channel.IN_APP, EmployeeProfile.Channel.EMAIL],
            requires_acknowledgement=True,
        )
        stage.send_at = stage.compute_send_at()
        stage.save()
        stage.audiences.add(sales)
        world.stages.append(stage)
        call_command("dispatch_due")
    # A {{ details }} stage that was sent when the embargo was earlier (it moved later since).
    moved = RolloutStage.objects.create(
        campaign=world.campaign,
        kind=RolloutStage.Kind.CUSTOM,
        offset_minutes=-10 * 24 * 60 - 30,
        send_at=timezone.now() - timedelta(minutes=30),
        subject="Now public: {{ details }}",
        body="{{ details }}",
        channels=[EmployeeProfile.Channel.IN_APP],
        requires_acknowledgement=True,
        state=RolloutStage.State.SENT,
    )
    for user in recipients:
        Delivery.objects.create(
            stage=moved, recipient=user, channel="in_app", status="sent", sent_at=timezone.now()
        )
    world.extra["moved_stage"] = moved
    world.stages = list(RolloutStage.objects.filter(campaign=world.campaign))
    world.deliveries = list(
        Delivery.objects.filter(stage__campaign=world.campaign, channel="in_app", status="sent")
    )


def all_urls(world: World) -> list[str]:
    return [url for source in employee_url_sources for url in source(world)]


def fetch_all(client, world: World) -> dict[str, str]:
    pages = {}
    for url in all_urls(world):
        response = client.get(url, HTTP_ACCEPT="text/html,application/json")
        assert response.status_code < 500, (url, response.status_code)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        pages[url] = body.decode("utf-8", "replace")
    return pages


def email_texts(mailoutbox, user) -> list[str]:
    texts = []
    for message in mailoutbox:
        if user.email in message.to:
            texts.append(message.subject)
            texts.append(str(message.body))
            texts.extend(str(content) for content, _ in getattr(message, "alternatives", []))
            texts.extend(str(a) for a in message.attachments)
    return texts


@pytest.fixture
def world(marketing, sales, employee, employee_ny, settings, tmp_path) -> World:
    settings.MEDIA_ROOT = tmp_path
    w = world_with_sentinels(marketing, sales, employee)
    send_due_announcements(w, [employee], sales)
    return w


def test_sentinel_is_never_shown_to_an_employee_before_embargo(client, world, employee, mailoutbox):
    assert world.deliveries, "the employee should have been warned in-app"
    client.force_login(employee)
    leaks = [url for url, body in fetch_all(client, world).items() if SENTINEL in body]
    assert leaks == []
    assert [t for t in email_texts(mailoutbox, employee) if SENTINEL in t] == []


def test_sentinel_is_never_shown_to_an_unrelated_employee_before_embargo(client, world, employee_ny):
    client.force_login(employee_ny)
    assert [url for url, body in fetch_all(client, world).items() if SENTINEL in body] == []


def test_sentinel_reaches_the_employee_after_embargo(client, world, employee):
    with time_machine.travel(world.campaign.embargo_until + timedelta(minutes=1), tick=False):
        client.force_login(employee)
        pages = fetch_all(client, world)
    shown = {url for url, body in pages.items() if SENTINEL in body}
    assert f"/explainers/{world.explainer.slug}/" in shown
    assert f"/api/v1/explainers/{world.explainer.slug}/" in shown
    poster = world.campaign.assets.get(caption="Launch poster")
    assert f"/campaigns/{world.campaign.pk}/assets/{poster.pk}/file" in shown  # shown on the explainer
    # The reused library asset: on the public campaign's explainer (page and API), and its file.
    public = world.extra["public_campaign"]
    secret = world.campaign.assets.exclude(pk=poster.pk).get()
    assert f"/explainers/{public.slug}/" in shown
    assert f"/api/v1/explainers/{public.slug}/" in shown
    assert f"/campaigns/{world.campaign.pk}/assets/{secret.pk}/file" in shown
    moved = Delivery.objects.get(stage=world.extra["moved_stage"])
    assert f"/inbox/{moved.pk}/" in shown  # {{ details }} renders once the embargo lifts


def test_scim_never_serves_campaign_content_even_with_its_token(client, world, employee, settings):
    """SCIM is for the identity provider: people and groups only, with or without a session beside it."""
    settings.SCIM_TOKEN = "sentinel-scim-token-0123456789abcdefghij"
    client.force_login(employee)
    scim = [url for url in all_urls(world) if url.startswith("/scim/")]
    bodies = {}
    for url in scim:
        response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {settings.SCIM_TOKEN}")
        assert response.status_code < 500 or response.status_code == 501, (url, response.status_code)
        bodies[url] = response.content.decode()  # 501: not offered (/, .search, Me, Bulk; RFC 7644 §3.2)
    assert len(scim) > 10
    assert "emma" in bodies[reverse("scim:users")]  # the token did open it
    assert [url for url, body in bodies.items() if SENTINEL in body or "Sentinel Savings" in body] == []


def _routes(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _routes(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern)


def test_every_route_is_checked_or_excused(world):
    covered = {resolve(url.split("?")[0]).route for url in all_urls(world)}
    # resolve() reports regex routes without their leading "^"; do the same to compare.
    routes = {re.sub(r"(^|/)\^", r"\1", route) for route in _routes(get_resolver().url_patterns)}
    missing = sorted(route for route in routes if route not in covered and not is_excused(route))
    assert missing == [], "Add these routes to an @employee_urls source (or excuse them): " + ", ".join(
        missing
    )
