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
import logging
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
from django.utils.html import escape, linebreaks, urlize
from django.utils.safestring import SafeString

from core.markup import sanitise_html
from identity.unsubscribe import unsubscribe_headers, unsubscribe_url
from people.models import user_zone
from rollout.models import Delivery, RolloutStage

log = logging.getLogger(__name__)

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
    """Builds the emails of one chunk. Each stage (per time zone: the dates depend on it) is rendered
    and sanitised once, as a _Draft with tokens where the per-person values go, and each message is
    then the draft with this person's values put in (_Draft.build). A stage or a person the draft
    cannot reproduce exactly goes through build_email() as before (_Draft.fits)."""

    def __init__(self) -> None:
        self.templates = EmailTemplates.load()
        self.drafts: dict[tuple[int, str], _Draft | None] = {}

    def build(self, stage: RolloutStage, recipient, *, delivery: Delivery, at: datetime) -> PreparedEmail:
        if _attachment_providers_for(stage, recipient):
            return build_email(stage, recipient, delivery=delivery, at=at, templates=self.templates)
        key = (stage.pk, str(user_zone(recipient)))
        if key not in self.drafts:
            self.drafts[key] = _Draft.make(
                stage, recipient, delivery=delivery, at=at, templates=self.templates
            )
        draft = self.drafts[key]
        if draft is None or not _Draft.fits(recipient):
            return build_email(stage, recipient, delivery=delivery, at=at, templates=self.templates)
        return draft.build(recipient, delivery)


def _attachment_providers_for(stage: RolloutStage, recipient) -> bool:
    """Whether a provider attaches a file to this person's message (those go through build_email)."""
    return any(provider(stage, recipient) for provider in _attachment_providers)


# --- One render per stage, then per person only their values -----------------------------------------
# What differs from person to person in a stage email: their first name, the inbox link (the delivery
# id), the unsubscribe link and the headers (To, Message-ID, List-Unsubscribe). The dates and the
# embargo text differ by time zone, so a draft is made per stage and zone. The draft is the normal
# render of the stage and the email templates with a random token in place of each per-person value;
# a person's message is the draft with the tokens replaced in one pass (a value that contains a token
# is never replaced again), each value escaped for where it lands, as the template engine and nh3
# would have escaped it. The draft is only used where that is provably the same:
# - the stage uses first_name and inbox_url only as a bare {{ name }} (no filter, no {% if %});
# - in the body's HTML the name token sits in text, not in a tag, and in no word urlize would link;
# - the draft, filled in with a probe name full of characters that need escaping, reads exactly as
#   the stage rendered for that name, and the first person's message exactly as build_email's;
# - the person's name is "plain" (no line break or control character, no leading or trailing space,
#   no ".", "@" or ":" that urlize could make a link of); others get build_email(), same as before.
_PER_PERSON = ("first_name", "inbox_url")
_NOT_PLAIN_RE = re.compile(r"[.@:\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_URLIZE_WORD_RE = re.compile(r"""([\s<>"']+)""")  # how urlize splits text into words
_PROBE_NAME = 'Zoë O\'Brien & <b>"Bo"</b> \xa0 &amp; {{ x }} \u202eRTL'


def _html_text(value: str) -> str:
    """A value as nh3 writes it in HTML text (it decodes the template's escaping and re-encodes)."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\xa0", "&nbsp;")


def _uses_bare(source: str, names: tuple[str, ...]) -> bool:
    """Whether `source` uses each of `names` only as a bare {{ name }}: no filter and no condition."""
    for kind, _tag, contents in _tokens(source):
        if kind == "var" and contents.strip() in names:
            continue
        words = set(_NAME_RE.findall(_FILTER_RE.sub("|", contents)))
        if words & set(names):
            return False
    return True


class _Template:
    """A rendered text cut at its tokens: literal, token, literal, ...; filled in one pass."""

    def __init__(self, text: str, tokens: dict[str, str]) -> None:
        self.parts = re.split("(" + "|".join(map(re.escape, tokens)) + ")", text)
        self.keys = tokens

    def fill(self, values: dict[str, str]) -> str:
        parts = self.parts
        return "".join([parts[i] if i % 2 == 0 else values[self.keys[parts[i]]] for i in range(len(parts))])


class _Draft:
    def __init__(self, stage: RolloutStage, values: dict, templates: EmailTemplates) -> None:
        self.tokens = {f"chunk{secrets.token_hex(10)}": key for key in ("name", "subject", "text", "html")}
        self.tokens["".join(secrets.choice("123456789") for _ in range(20))] = "pk"  # digits, as an id is
        self.tokens[f"chunk{secrets.token_hex(10)}"] = "unsubscribe"
        token = {key: tok for tok, key in self.tokens.items()}
        self.stage = stage
        draft_values = values | {
            "first_name": token["name"],
            "inbox_url": site_url(f"/inbox/{token['pk']}/"),
        }
        subject = _compiled(stage.subject).render(Context(draft_values, autoescape=False))
        self.stage_subject = _Template(" ".join(subject.split()), self.tokens)
        text = _compiled(stage.body).render(Context(draft_values, autoescape=False))
        self.stage_text = _Template(text.strip(), self.tokens)
        self.html_ok = self._html_is_safe(stage.body, draft_values, token["name"])
        self.stage_html = _Template(_body_html(stage.body, draft_values), self.tokens)
        context = {
            "message": RenderedMessage(token["subject"], token["text"], SafeString(token["html"])),
            "stage": stage,
            "campaign_title": stage.campaign.title,
            "inbox_url": site_url(f"/inbox/{token['pk']}/"),
            "is_test": False,
            "unsubscribe_url": token["unsubscribe"],
            "recipient_name": token["name"],
        }
        self.subject = _Template(templates.subject.render(context), self.tokens)
        self.text = _Template(templates.text.render(context), self.tokens)
        self.html = _Template(templates.html.render(context), self.tokens)
        self.values = values

    @staticmethod
    def _html_is_safe(body: str, values: dict, name_token: str) -> bool:
        """The name token lands only in HTML text, in no word urlize would look at."""
        rendered = linebreaks(_compiled(body).render(Context(values, autoescape=True)).strip())
        for part in _TAG_OR_LINK_RE.split(rendered):
            if name_token in part and (part.startswith("<") or _in_a_link_word(part, name_token)):
                return False
        return True

    @classmethod
    def make(
        cls, stage: RolloutStage, recipient, *, delivery: Delivery, at: datetime, templates: EmailTemplates
    ) -> _Draft | None:
        """The stage's draft for this person's zone, or None where it would not read exactly the same."""
        source = (stage.subject or "") + (stage.body or "")
        if not _uses_bare(source, _PER_PERSON):
            return None
        try:
            draft = cls(stage, placeholder_context(stage, recipient, at=at), templates)
        except TemplateSyntaxError:
            return None  # build_email raises it for each person, and the mailer records it
        if not draft.html_ok or not draft._reads_as_rendered(_PROBE_NAME):
            return None
        if cls.fits(recipient) and not _same_email(
            draft.build(recipient, delivery),
            build_email(stage, recipient, delivery=delivery, at=at, templates=templates),
        ):
            log.warning("stage %s: the chunk's draft differs from a full render; rendering each", stage.pk)
            return None
        return draft

    def _reads_as_rendered(self, name: str) -> bool:
        """The stage's own subject, text and HTML for `name` read as the template engine and nh3 make them."""
        values = self.values | {"first_name": name, "inbox_url": site_url("/inbox/1234/")}
        filled = self._values(name, 1234, "")
        subject = " ".join(_compiled(self.stage.subject).render(Context(values, autoescape=False)).split())
        text = _compiled(self.stage.body).render(Context(values, autoescape=False)).strip()
        return (
            " ".join(self.stage_subject.fill(filled).split()) == subject
            and self.stage_text.fill(filled).strip() == text
            and self.stage_html.fill(filled | {"name": _html_text(name)})
            == _body_html(self.stage.body, values)
        )

    @staticmethod
    def fits(recipient) -> bool:
        """Whether this person's name reads the same put into the draft as rendered in full."""
        name = recipient.first_name or recipient.get_username()
        return bool(name) and name == name.strip() and not _NOT_PLAIN_RE.search(name)

    @staticmethod
    def _values(name: str, pk: int, unsubscribe: str) -> dict[str, str]:
        return {"name": name, "pk": str(pk), "unsubscribe": unsubscribe}

    def build(self, recipient, delivery: Delivery) -> PreparedEmail:
        name = recipient.first_name or recipient.get_username()
        headers = unsubscribe_headers(recipient)  # announcements by email are optional (Account page)
        values = self._values(name, delivery.pk, headers["List-Unsubscribe"][1:-1])
        subject = " ".join(self.stage_subject.fill(values).split())
        text = self.stage_text.fill(values).strip()
        html = self.stage_html.fill(values | {"name": _html_text(name)})
        layout_subject = self.subject.fill(values | {"subject": subject})
        email = PreparedEmail(
            subject=" ".join(layout_subject.split()),
            body=self.text.fill(values | {"text": text}),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[recipient.email],
            headers={"Message-ID": message_id(delivery.message_id)} | headers,
        )
        escaped = {key: escape(value) for key, value in values.items()}
        email.attach_alternative(
            self.html.fill(escaped | {"subject": escape(subject), "html": html}), "text/html"
        )
        return email


def _in_a_link_word(text: str, token: str) -> bool:
    return any(token in word and any(c in word for c in ".@:") for word in _URLIZE_WORD_RE.split(text))


def _same_email(ours: PreparedEmail, theirs: PreparedEmail) -> bool:
    """The same message, but for the unsubscribe link's signing time (it counts seconds)."""
    link, their_link = (e.extra_headers.get("List-Unsubscribe", "")[1:-1] for e in (ours, theirs))

    def same(a: str, b: str) -> bool:
        return (a.replace(link, their_link) if link else a) == b

    return (
        same(ours.subject, theirs.subject)
        and same(ours.body, theirs.body)
        and ours.to == theirs.to
        and all(same(v, theirs.extra_headers.get(k, "")) for k, v in ours.extra_headers.items())
        and set(ours.extra_headers) == set(theirs.extra_headers)
        and len(ours.alternatives) == len(theirs.alternatives)
        and all(
            same(a.content, b.content) and a.mimetype == b.mimetype
            for a, b in zip(ours.alternatives, theirs.alternatives, strict=True)
        )
    )


# --- Writing the message straight to bytes ---------------------------------------------------------
# Django's EmailMessage.message() builds a tree of email.mime objects and runs the standard library's
# generator over it: about two thirds of a message's cost in a chunk, more than talking SMTP. A stage
# email is always the same shape (multipart/alternative: text and HTML, in UTF-8, the usual headers and List-Unsubscribe), so
# PreparedEmail writes that shape directly, with the same encodings Django chooses. Anything else
# (attachments such as a briefing's .ics, Cc, Reply-To, other headers) goes through Django as before.
_SIMPLE_ADDRESS_RE = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+")
_LINE_BREAK_RE = re.compile(r"\r\n|\r|\n")
# Headers a stage email may carry besides the usual ones, written (in this order) as Django would.
_EXTRA_HEADERS = {"Message-ID", "List-Unsubscribe", "List-Unsubscribe-Post"}
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


def _envelope_address(address: str) -> str:
    if _SIMPLE_ADDRESS_RE.fullmatch(address):
        return address
    return _sanitised_address(address)


@functools.lru_cache(maxsize=64)  # the sender: one address for every message
def _sanitised_address(address: str) -> str:
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

    def _is_usual_shape(self) -> bool:
        return (
            not self.attachments
            and not (self.cc or self.bcc or self.reply_to)
            and "Message-ID" in self.extra_headers
            and set(self.extra_headers) <= _EXTRA_HEADERS
            and (self.encoding or settings.DEFAULT_CHARSET).lower() in ("utf-8", "utf8")
            and [a.mimetype for a in self.alternatives] == ["text/html"]
            and self.content_subtype == "plain"
        )

    def envelope(self) -> tuple[str, list[str]] | None:
        """The SMTP sender and recipients, as Django's SMTP backend would give them, for a message of
        the usual shape (None otherwise: Django's backend sends it)."""
        if not self._is_usual_shape() or not all(self.to):
            return None
        return _envelope_address(self.from_email), [_envelope_address(a) for a in self.to]

    def message(self):
        plain = self._is_usual_shape()
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
            *(_header(name, value) for name, value in self.extra_headers.items()),
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
