"""Turn a rollout stage into the message one person receives (in-app and email).

A stage's subject and body are Django templates with a fixed set of placeholders (PLACEHOLDERS).
They render in a bare template engine that knows nothing but strings: no loaders, no objects
with methods, so an IC-authored body can only print what we hand it.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlparse

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context, Engine, TemplateSyntaxError
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import linebreaks

from people.models import user_zone
from rollout.models import Delivery, RolloutStage

PLACEHOLDERS = (
    "first_name",
    "campaign_title",
    "concept",
    "details",
    "go_live",
    "embargo_until",
    "explainer_url",
    "briefings_url",
    "inbox_url",
)
DATE_FORMAT = "%A %-d %B %Y, %H:%M %Z"
# `{{ details }}`, `{{ details|upper }}`, `{% if details %}`: any use of the embargoed text.
_DETAILS_RE = re.compile(r"({{|{%)[^}%]*\bdetails\b")

_engine = Engine(debug=False, loaders=[("django.template.loaders.locmem.Loader", {})])

AttachmentProvider = Callable[[RolloutStage, object], list[tuple[str, bytes | str, str]]]
_attachment_providers: list[AttachmentProvider] = []


@dataclass(frozen=True)
class RenderedMessage:
    """The stage as one person sees it: subject, plain text and HTML of the message itself."""

    subject: str
    text: str
    html: str


def register_attachment_provider(fn: AttachmentProvider) -> None:
    """fn(stage, recipient) -> [(filename, content, mimetype)]; briefings attaches its .ics this way."""
    if fn not in _attachment_providers:
        _attachment_providers.append(fn)


def stage_reveals_details(stage: RolloutStage) -> bool:
    """Does the stage's subject or body use the campaign's embargoed details?"""
    return bool(_DETAILS_RE.search(stage.subject or "") or _DETAILS_RE.search(stage.body or ""))


def check_template(source: str) -> str:
    """Compile a stage subject/body; raise TemplateSyntaxError with a readable message if it is broken."""
    _engine.from_string(source)
    return source


def site_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _format(at: datetime, zone: zoneinfo.ZoneInfo) -> str:
    return at.astimezone(zone).strftime(DATE_FORMAT)


def _campaign_links(stage: RolloutStage) -> dict:
    """Per-stage values, looked up once and kept on the stage instance (a chunk renders many people)."""
    cached = getattr(stage, "_composer_links", None)
    if cached is None:
        campaign = stage.campaign
        explainer = getattr(campaign, "explainer", None)  # a missing one-to-one raises AttributeError
        cached = {
            "explainer_url": site_url(explainer.get_absolute_url()) if explainer else site_url("/inbox/"),
            "briefings_url": site_url("/briefings/"),
        }
        stage._composer_links = cached
    return cached


def placeholder_context(stage: RolloutStage, recipient, *, at: datetime | None = None, delivery=None) -> dict:
    """The placeholder values for this person; details only once the embargo has lifted at `at`."""
    at = at or timezone.now()
    campaign = stage.campaign
    zone = user_zone(recipient)
    embargo_text = _format(campaign.embargo_until, zone)
    details = campaign.details if not campaign.is_embargoed(at) else f"(More detail on {embargo_text}.)"
    return {
        "first_name": recipient.first_name or recipient.get_username(),
        "campaign_title": campaign.title,
        "concept": campaign.concept,
        "details": details,
        "go_live": _format(campaign.go_live_at, zone),
        "embargo_until": embargo_text,
        "inbox_url": site_url(f"/inbox/{delivery.pk}/" if delivery is not None else "/inbox/"),
        **_campaign_links(stage),
    }


def render_stage(
    stage: RolloutStage, recipient, *, at: datetime | None = None, delivery=None
) -> RenderedMessage:
    """The stage's subject, text and HTML for one person, as it reads at `at` (default now)."""
    values = placeholder_context(stage, recipient, at=at, delivery=delivery)
    subject = _engine.from_string(stage.subject).render(Context(values, autoescape=False))
    text = _engine.from_string(stage.body).render(Context(values, autoescape=False)).strip()
    html = linebreaks(_engine.from_string(stage.body).render(Context(values, autoescape=True)).strip())
    return RenderedMessage(subject=" ".join(subject.split()), text=text, html=html)


def message_id(delivery_uuid) -> str:
    host = urlparse(settings.SITE_URL).hostname or "campaignhub.localhost"
    return f"<{delivery_uuid}@{host}>"


def build_email(
    stage: RolloutStage,
    recipient,
    *,
    delivery: Delivery | None = None,
    at: datetime | None = None,
    test=False,
) -> EmailMultiAlternatives:
    """The multipart email for one delivery (or a test send when delivery is None)."""
    import uuid

    rendered = render_stage(stage, recipient, at=at, delivery=delivery)
    context = {
        "message": rendered,
        "stage": stage,
        "campaign_title": stage.campaign.title,
        "inbox_url": site_url(f"/inbox/{delivery.pk}/" if delivery is not None else "/inbox/"),
        "is_test": test,
        "recipient_name": recipient.first_name or recipient.get_username(),
    }
    subject = render_to_string("rollout/email/stage_subject.txt", context).strip()
    email = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=render_to_string("rollout/email/stage_body.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
        headers={"Message-ID": message_id(delivery.message_id if delivery else uuid.uuid4())},
    )
    email.attach_alternative(render_to_string("rollout/email/stage_body.html", context), "text/html")
    for provider in _attachment_providers:
        for filename, content, mimetype in provider(stage, recipient) or []:
            email.attach(filename, content, mimetype)
    return email


__all__ = [
    "PLACEHOLDERS",
    "RenderedMessage",
    "TemplateSyntaxError",
    "build_email",
    "check_template",
    "register_attachment_provider",
    "render_stage",
    "stage_reveals_details",
]
