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
import quopri
import re
import secrets
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email import message_from_bytes
from email.header import Header
from email.utils import formatdate
from urllib.parse import urlparse

from django.conf import settings
from django.core.mail import BadHeaderError, EmailMultiAlternatives
from django.core.mail.message import RFC5322_EMAIL_LINE_LENGTH_LIMIT, sanitize_address
from django.template import Context, Engine, Library, TemplateSyntaxError, defaultfilters, defaulttags
from django.template.base import Lexer, TokenType
from django.template.loader import get_template
from django.utils import timezone
from django.utils.html import linebreaks, urlize
from django.utils.safestring import SafeString

from core.markup import sanitise_html
from identity.unsubscribe import unsubscribe_headers, unsubscribe_url
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


@dataclass(frozen=True)
class EmailTemplates:
    """The three templates around every stage email (subject, plain text, HTML), fetched and compiled
    once: a chunk builds hundreds of messages with one set (ChunkComposer)."""

    subject: object
    text: object
    html: object

    @classmethod
    def load(cls) -> EmailTemplates:
        return cls(
            get_template("rollout/email/stage_subject.txt"),
            get_template("rollout/email/stage_body.txt"),
            get_template("rollout/email/stage_body.html"),
        )


def build_email(
    stage: RolloutStage,
    recipient,
    *,
    delivery: Delivery | None = None,
    at: datetime | None = None,
    test=False,
    templates: EmailTemplates | None = None,
) -> PreparedEmail:
    """The multipart email for one delivery (or a test send when delivery is None)."""
    import uuid

    templates = templates or EmailTemplates.load()
    rendered = render_stage(stage, recipient, at=at, delivery=delivery)
    context = {
        "message": rendered,
        "stage": stage,
        "campaign_title": stage.campaign.title,
        "inbox_url": site_url(f"/inbox/{delivery.pk}/" if delivery is not None else "/inbox/"),
        "is_test": test,
        "unsubscribe_url": "" if test else unsubscribe_url(recipient),
        "recipient_name": recipient.first_name or recipient.get_username(),
    }
    subject = templates.subject.render(context).strip()
    email = PreparedEmail(
        subject=" ".join(subject.split()),
        body=templates.text.render(context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
        headers={"Message-ID": message_id(delivery.message_id if delivery else uuid.uuid4())}
        | (
            {} if test else unsubscribe_headers(recipient)
        ),  # announcements by email are optional (Account page)
    )
    email.attach_alternative(templates.html.render(context), "text/html")
    for provider in _attachment_providers:
        for filename, content, mimetype in provider(stage, recipient) or []:
            email.attach(filename, content, mimetype)
    return email


class ChunkComposer:
    """Builds the emails of one chunk: the email templates compiled once for all of its messages
    (each stage's own subject and body are compiled once per process, _compiled)."""

    def __init__(self) -> None:
        self.templates = EmailTemplates.load()

    def build(self, stage: RolloutStage, recipient, *, delivery: Delivery, at: datetime) -> PreparedEmail:
        return build_email(stage, recipient, delivery=delivery, at=at, templates=self.templates)


# --- Writing the message straight to bytes ---------------------------------------------------------
# Django's EmailMessage.message() builds a tree of email.mime objects and runs the standard library's
# generator over it: about two thirds of a message's cost in a chunk, more than talking SMTP. A stage
# email is always the same shape (multipart/alternative: text and HTML, in UTF-8, six headers), so
# PreparedEmail writes that shape directly, with the same encodings Django chooses. Anything else
# (attachments such as a briefing's .ics, Cc, Reply-To, other headers) goes through Django as before.
_SIMPLE_ADDRESS_RE = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+")
_LINE_BREAK_RE = re.compile(r"\r\n|\r|\n")
_HEADER_LIMIT = 78  # RFC 5322's "SHOULD" for a header line; longer ones are folded


def _header(name: str, value: str) -> str:
    """One header line (folded and RFC 2047-encoded as Django would when needed); never a newline."""
    if _LINE_BREAK_RE.search(value):
        raise BadHeaderError(f"Header values can't contain newlines (got {value!r} for header {name!r})")
    if value.isascii() and len(name) + 2 + len(value) <= _HEADER_LIMIT:
        return f"{name}: {value}"
    charset = "us-ascii" if value.isascii() else "utf-8"
    return f"{name}: " + Header(value, charset, header_name=name).encode(linesep="\n")


def _address(address: str) -> str:
    if _SIMPLE_ADDRESS_RE.fullmatch(address):
        return address
    return sanitize_address(address, "utf-8")


def _text_part(content: str, subtype: str) -> str:
    """A UTF-8 text part: 7bit or 8bit as written, quoted-printable when a line is too long for SMTP."""
    lines = _LINE_BREAK_RE.split(content)
    if any(len(line.encode(errors="surrogateescape")) > RFC5322_EMAIL_LINE_LENGTH_LIMIT for line in lines):
        encoding = "quoted-printable"
        payload = quopri.encodestring(content.encode(errors="surrogateescape")).decode("ascii")
        payload = "\n".join(_LINE_BREAK_RE.split(payload))
    else:
        encoding = "7bit" if content.isascii() else "8bit"
        payload = "\n".join(lines)
    return (
        f'Content-Type: text/{subtype}; charset="utf-8"\nMIME-Version: 1.0\n'
        f"Content-Transfer-Encoding: {encoding}\n\n{payload}"
    )


class PreparedMessage:
    """A message already written as bytes, standing in for the email.message.Message that Django's
    mail backends serialise (as_bytes); reading a header parses it (only tests and the console do)."""

    def __init__(self, data: bytes) -> None:
        self.data = data  # lines end in \n, as the standard library's generator writes by default

    def as_bytes(self, unixfrom: bool = False, linesep: str = "\n") -> bytes:
        return self.data if linesep == "\n" else self.data.replace(b"\n", linesep.encode())

    def as_string(self, unixfrom: bool = False, maxheaderlen: int = 0, policy=None) -> str:
        return self.data.decode(errors="surrogateescape")

    def get_charset(self):
        return None

    @functools.cached_property
    def parsed(self):
        return message_from_bytes(self.data)

    def __getitem__(self, name: str):
        return self.parsed[name]

    def __getattr__(self, name: str):
        return getattr(self.parsed, name)


class PreparedEmail(EmailMultiAlternatives):
    """A stage email whose message() is written straight to bytes when it has the usual shape."""

    def message(self):
        plain = (
            not self.attachments
            and not (self.cc or self.bcc or self.reply_to)
            and set(self.extra_headers) == {"Message-ID"}
            and (self.encoding or settings.DEFAULT_CHARSET).lower() in ("utf-8", "utf8")
            and [a.mimetype for a in self.alternatives] == ["text/html"]
            and self.content_subtype == "plain"
        )
        if not plain:
            return super().message()
        boundary = "===============" + secrets.token_hex(10) + "=="
        html = self.alternatives[0].content
        while boundary in self.body or boundary in html:  # as the standard library does, never in practice
            boundary = "===============" + secrets.token_hex(10) + "=="
        head = [
            f'Content-Type: multipart/alternative;\n boundary="{boundary}"',
            "MIME-Version: 1.0",
            _header("Subject", self.subject),
            _header("From", _address(self.from_email)),
            _header("To", ", ".join(_address(a) for a in self.to)),
            _header("Date", formatdate(localtime=settings.EMAIL_USE_LOCALTIME)),
            _header("Message-ID", self.extra_headers["Message-ID"]),
        ]
        text = "\n".join(
            [
                *head,
                "",
                f"--{boundary}",
                _text_part(self.body, "plain"),
                f"--{boundary}",
                _text_part(html, "html"),
                f"--{boundary}--",
                "",
            ]
        )
        return PreparedMessage(text.encode("utf-8", errors="surrogateescape"))


__all__ = [
    "PLACEHOLDERS",
    "ChunkComposer",
    "EmailTemplates",
    "PreparedEmail",
    "RenderedMessage",
    "TemplateSyntaxError",
    "build_email",
    "check_template",
    "placeholders_used",
    "register_attachment_provider",
    "render_stage",
    "stage_reveals_details",
]
