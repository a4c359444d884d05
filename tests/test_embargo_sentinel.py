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
from django.core.management import call_command, get_commands
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone

from campaigns.models import (
    Campaign,
    Delivery,
    EmployeeProfile,
    Explainer,
    KeyMessage,
    RolloutStage,
)
from conftest import add_impact, make_campaign

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


@employee_urls
def core_pages(world: World):
    yield "/"
    yield "/campaigns/"
    yield f"/campaigns/{world.campaign.pk}/"
    yield f"/campaigns/{world.campaign.pk}/explainer/"
    yield f"/campaigns/{world.campaign.pk}/explainer/preview/"


@employee_urls
def inbox_pages(world: World):
    yield "/inbox/"
    for d in world.deliveries:
        yield f"/inbox/{d.pk}/"
        yield f"/api/v1/inbox/{d.pk}/"
    yield "/api/v1/inbox/"


@employee_urls
def explainer_pages(world: World):
    yield "/explainers/"
    yield f"/explainers/{world.explainer.slug}/"
    yield "/api/v1/explainers/"
    yield f"/api/v1/explainers/{world.explainer.slug}/"


@employee_urls
def api_pages(world: World):
    yield "/api/v1/"
    yield "/healthz"


# Routes employees never reach by design (prefixes of Django's `route` strings) ...
EXCUSED_PREFIXES = ("admin/", "accounts/", "api/schema/", "api/docs/", "static/", "media/")
# ... and POST-only actions, which return no content of their own (their page tests cover them).
EXCUSED_PARTS = ("/acknowledge/", "/helpful/", "/progress/", "/questions/")


def is_excused(route: str) -> bool:
    return (
        route.startswith(EXCUSED_PREFIXES)
        or any(part in route for part in EXCUSED_PARTS)
        or "(?P<format>" in route  # DRF's ".json" duplicates of covered routes
        or "<drf_format_suffix:" in route
    )


def world_with_sentinels(marketing, sales) -> World:
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
    stages = []
    for kind, subject, body in [
        (RolloutStage.Kind.EARLY_WARNING, "Coming: {{ campaign_title }}", "{{ concept }} / {{ details }}"),
        (RolloutStage.Kind.REMINDER, "About {{ details }}", "Read more at {{ explainer_url }}"),
    ]:
        stage = RolloutStage(
            campaign=campaign,
            kind=kind,
            offset_minutes=-7 * 24 * 60,
            subject=subject,
            body=body,
            channels=[EmployeeProfile.Channel.IN_APP, EmployeeProfile.Channel.EMAIL],
            requires_acknowledgement=True,
        )
        stage.send_at = timezone.now() - timedelta(minutes=5)
        stage.save()
        stage.audiences.add(sales)
        stages.append(stage)
    return World(campaign=campaign, explainer=explainer, stages=stages)


def send_due_announcements(world: World, recipients) -> None:
    """Send what is due the way production does (dispatch_due); by hand until the engine lands."""
    if "dispatch_due" in get_commands():
        call_command("dispatch_due")
    else:  # TODO(employee): remove once engine's dispatch_due is in main
        for stage in world.stages:
            for user in recipients:
                for channel in stage.channels:
                    Delivery.objects.create(
                        stage=stage, recipient=user, channel=channel, status="sent", sent_at=timezone.now()
                    )
            stage.state = RolloutStage.State.SENT
            stage.save(update_fields=["state"])
    world.deliveries = list(Delivery.objects.filter(stage__in=world.stages, channel="in_app"))


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
def world(marketing, sales, employee, employee_ny) -> World:
    w = world_with_sentinels(marketing, sales)
    send_due_announcements(w, [employee])
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
    assert f"/inbox/{world.deliveries[0].pk}/" in shown  # {{ details }} renders once the embargo lifts


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
