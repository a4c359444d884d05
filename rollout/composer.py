"""Turn a rollout stage into the message one person receives (in-app and email).

A stage's subject and body are Django templates with a fixed set of placeholders (PLACEHOLDERS).
They render in a bare template engine that knows nothing but strings: no loaders, no objects
with methods, and only the tags and filters in STAGE_TAGS / STAGE_FILTERS (no {% load %},
{% include %}, {% debug %}, {% url %}, {% autoescape %} or |safe), so an IC-authored body can only
print what we hand it. Its HTML is sanitised with the explainers' nh3 allow-list in one place,
_body_html(), so literal HTML typed into a body never reaches a browser or mail client as written.
"""

from __future__ import annotations

import functools
import re
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlparse

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context, Engine, Library, TemplateSyntaxError, defaultfilters, defaulttags
from django.template.base import Lexer, TokenType
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import linebreaks, urlize
from django.utils.safestring import SafeString

from core.markup import sanitise_html
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

# What a stage text may use besides placeholders: conditions and comments, and text-only filters.
STAGE_TAGS = ("if", "comment", "verbatim")  # verbatim: briefings pastes user text into bodies in it
_CLOSING_TAGS = {"elif", "else", "endif", "endcomment", "endverbatim"}
STAGE_FILTERS = ("capfirst", "default", "lower", "title", "truncatechars", "truncatewords", "upper")


def _stage_library() -> Library:
    library = Library()
    for name in STAGE_TAGS:
        library.tag(name, defaulttags.register.tags[name])
    for name in STAGE_FILTERS:
        library.filter(name, defaultfilters.register.filters[name])
    return library


_engine = Engine(debug=False, loaders=[("django.template.loaders.locmem.Loader", {})])
# Replace Django's built-in tags and filters with the short list above; no libraries to {% load %}.
_engine.template_builtins = [_stage_library()]


@functools.lru_cache(maxsize=256)
def _compiled(source: str):
    """A stage text compiled once and rendered for every recipient (a chunk renders hundreds)."""
    return _engine.from_string(source)


# In a {{ }} or {% if %}: filter names (dropped first), quoted strings, and the words of conditions.
_FILTER_RE = re.compile(r"\|\s*(\w+)")
_STRING_RE = re.compile(r"'[^']*'|\"[^\"]*\"")
_NAME_RE = re.compile(r"(?<![\w.])[A-Za-z_]\w*(?:\.\w+)*")
_CONDITION_WORDS = {"and", "or", "not", "in", "is", "None", "True", "False"}
_TAG_OR_LINK_RE = re.compile(r"(<a\b.*?</a>|<[^>]*>)", re.IGNORECASE | re.DOTALL)

AttachmentProvider = Callable[[RolloutStage, object], list[tuple[str, bytes | str, str]]]
_attachment_providers: list[AttachmentProvider] = []


@dataclass(frozen=True)
class RenderedMessage:
    """The stage as one person sees it: subject, plain text and HTML of the message itself."""

    subject: str  # plain text, one line: escape it where HTML shows it, never in a mail header
    text: str  # plain text, as typed: for text/plain and JSON, escaped wherever HTML shows it
    html: SafeString  # made only by _body_html(): nh3-sanitised, so templates print it as it is


def register_attachment_provider(fn: AttachmentProvider) -> None:
    """fn(stage, recipient) -> [(filename, content, mimetype)]; briefings attaches its .ics this way."""
    if fn not in _attachment_providers:
        _attachment_providers.append(fn)


def stage_reveals_details(stage: RolloutStage) -> bool:
    """Does the stage's subject or body use the campaign's embargoed details?"""
    return bool(_DETAILS_RE.search(stage.subject or "") or _DETAILS_RE.search(stage.body or ""))


def _tokens(source: str):
    """The {{ }} and {% %} parts of a stage text, strings blanked, as (kind, tag name, contents)."""
    for token in Lexer(source).tokenize():
        contents = _STRING_RE.sub("''", token.contents)
        if token.token_type == TokenType.VAR:
            yield "var", "", contents
        elif token.token_type == TokenType.BLOCK:
            tag, rest = [*contents.split(None, 1), "", ""][:2]
            yield "block", tag, rest


def placeholders_used(source: str) -> set[str]:
    """Every name a stage text looks up ("first_name", "recipient.password"), in {{ }} and {% if %}."""
    names = set()
    for kind, tag, contents in _tokens(source):
        if kind == "var" or tag in ("if", "elif"):
            words = _NAME_RE.findall(_FILTER_RE.sub("|", contents))
            names.update(w for w in words if w not in _CONDITION_WORDS)
    return names


def check_template(source: str) -> str:
    """Compile a stage subject/body; raise TemplateSyntaxError with a readable message if it is broken.

    Tags and filters outside the short allow-list, and names that are not placeholders, are errors.
    """
    for kind, tag, contents in _tokens(source):
        if kind == "block" and tag not in STAGE_TAGS and tag not in _CLOSING_TAGS:
            raise TemplateSyntaxError(
                f"{{% {tag} %}} is not allowed in a stage. Use placeholders, {{% if %}} … {{% endif %}} "
                "and {% comment %} … {% endcomment %}."
            )
        for name in _FILTER_RE.findall(contents):
            if name not in STAGE_FILTERS:
                raise TemplateSyntaxError(
                    f"The filter |{name} is not allowed in a stage. Use one of: "
                    + ", ".join(f"|{f}" for f in STAGE_FILTERS)
                    + "."
                )
    unknown = sorted(placeholders_used(source) - set(PLACEHOLDERS))
    if unknown:
        raise TemplateSyntaxError(
            "Unknown placeholder: "
            + ", ".join(f"{{{{ {u} }}}}" for u in unknown)
            + ". Use one of: "
            + ", ".join(PLACEHOLDERS)
            + "."
        )
    _compiled(source)
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
    subject = _compiled(stage.subject).render(Context(values, autoescape=False))
    text = _compiled(stage.body).render(Context(values, autoescape=False))
    return RenderedMessage(
        subject=" ".join(subject.split()),  # one line: a newline in a header would start a new header
        text=str.strip(text),  # a plain str, not the engine's SafeString: escaped wherever it is shown
        html=_body_html(stage.body, values),
    )


def render_subject(stage: RolloutStage, recipient, *, at: datetime | None = None) -> str:
    """Only the subject, as `recipient` reads it at `at`: what the timeline shows for a sample
    recipient instead of `{{ campaign_title }}` (details stay masked until the embargo lifts at `at`)."""
    values = placeholder_context(stage, recipient, at=at)
    return " ".join(_compiled(stage.subject).render(Context(values, autoescape=False)).split())


def _body_html(body: str, values: dict) -> SafeString:
    """The one place a stage's HTML is made: placeholders escaped, links made, then nh3's allow-list."""
    rendered = _compiled(body).render(Context(values, autoescape=True)).strip()
    return sanitise_html(_link_bare_urls(linebreaks(rendered)))


def _link_bare_urls(html: str) -> str:
    """Make typed URLs clickable: urlize only the text between tags, never inside an <a> someone wrote."""
    parts = _TAG_OR_LINK_RE.split(html)  # odd items are the tags and links themselves
    return "".join(part if i % 2 else urlize(part, autoescape=False) for i, part in enumerate(parts))


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
    "placeholders_used",
    "register_attachment_provider",
    "render_stage",
    "stage_reveals_details",
]
