"""A chunk renders each stage once (a draft with tokens) and fills in each person: the same email."""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest
import time_machine

from conftest import make_user
from rollout import composer
from rollout.models import Delivery, RolloutStage
from rollout.tests.engine import GO_LIVE

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def still_clock():
    """The unsubscribe link is signed with the time in seconds: both builds sign in the same second."""
    with time_machine.travel(GO_LIVE, tick=False):
        yield


BODY = (
    "Hello {{ first_name }},\n\n{{ concept }} — see {{ inbox_url }}.\n"
    "Go-live {{ go_live }}; {{ details }}\n\n<b>{{ first_name }}</b> &amp; friends: {{ explainer_url }}"
)
SUBJECT = "{{ campaign_title }} for {{ first_name }}"
TRICKY_NAMES = [
    "<script>alert(1)</script>",
    "&amp; &lt;b&gt;",
    'O\'Brien "Bo"',
    "{{ details }} {% if x %}",
    "Zoë 日本語 😀",
    "\u202e\u05e2\u05d1\u05e8\u05d9\u05ea\u202c",
    "x" * 150,
    "Mary\xa0Ann  Lee",
    "Eve\r\nBcc: victim@example.com",
    "bob.example.com",
    "mail@example.com",
    "javascript:alert(1)",
    " padded ",
    "Line\n\nbreak",
]


def stage_with(campaign, body: str = BODY, subject: str = SUBJECT) -> RolloutStage:
    return RolloutStage.objects.create(
        campaign=campaign, offset_minutes=0, channels=["email"], subject=subject, body=body
    )


def person(username: str, first_name: str, zone: str = "Europe/London"):
    return make_user(username, first_name=first_name, department="Sales", time_zone=zone)


def built_both_ways(chunk: composer.ChunkComposer, stage: RolloutStage, recipient) -> tuple:
    delivery = Delivery.objects.create(stage=stage, recipient=recipient, channel="email")
    ours = chunk.build(stage, recipient, delivery=delivery, at=GO_LIVE)
    theirs = composer.build_email(stage, recipient, delivery=delivery, at=GO_LIVE)
    return ours, theirs


def assert_same_email(ours, theirs) -> None:
    assert ours.subject == theirs.subject
    assert ours.body == theirs.body
    assert ours.to == theirs.to
    assert ours.extra_headers == theirs.extra_headers
    assert [tuple(a) for a in ours.alternatives] == [tuple(a) for a in theirs.alternatives]
    assert_bytes_read_the_same(ours, theirs)


def parsed(email):
    return message_from_bytes(email.message().as_bytes(linesep="\r\n"), policy=policy.default)


def assert_bytes_read_the_same(ours, theirs) -> None:
    ours_msg, theirs_msg = parsed(ours), parsed(theirs)
    for header in ("Subject", "From", "To", "Message-ID", "List-Unsubscribe", "List-Unsubscribe-Post"):
        assert str(ours_msg[header]).strip() == str(theirs_msg[header]).strip(), header
    assert [p.get_content() for p in ours_msg.iter_parts()] == [
        p.get_content() for p in theirs_msg.iter_parts()
    ]


@pytest.mark.parametrize("name", TRICKY_NAMES)
def test_a_chunk_email_is_exactly_the_full_render_whatever_the_name(running, employee, name):
    stage = stage_with(running)
    chunk = composer.ChunkComposer()
    built_both_ways(chunk, stage, employee)  # Emma's message makes the draft
    assert chunk.drafts[(stage.pk, "Europe/London")] is not None
    ours, theirs = built_both_ways(chunk, stage, person("tricky", name))
    assert_same_email(ours, theirs)


def test_a_name_that_is_the_drafts_own_token_is_not_replaced_again(running, employee):
    stage = stage_with(running)
    chunk = composer.ChunkComposer()
    built_both_ways(chunk, stage, employee)
    draft = chunk.drafts[(stage.pk, "Europe/London")]
    for token in draft.tokens:
        ours, theirs = built_both_ways(chunk, stage, person(f"t{token[-6:]}", token))
        assert_same_email(ours, theirs)


def test_a_chunk_renders_and_sanitises_a_stage_once_not_per_person(running, employee, monkeypatch):
    stage = stage_with(running)
    people = [person(f"p{i}", f"Person {i}") for i in range(20)]
    sanitised = []
    real = composer.sanitise_html
    monkeypatch.setattr(composer, "sanitise_html", lambda html: sanitised.append(1) or real(html))
    chunk = composer.ChunkComposer()
    for recipient in people:
        delivery = Delivery.objects.create(stage=stage, recipient=recipient, channel="email")
        email = chunk.build(stage, recipient, delivery=delivery, at=GO_LIVE)
        assert f"Hello {recipient.first_name}," in email.body
        assert f"/inbox/{delivery.pk}/" in email.alternatives[0].content
    assert len(sanitised) <= 3  # the draft, its probe and the check against the first full render


def test_each_time_zone_gets_its_own_dates(running, employee, employee_ny):
    stage = stage_with(running)
    chunk = composer.ChunkComposer()
    for recipient in (employee, employee_ny, person("lisa", "Lisa", "America/New_York")):
        ours, theirs = built_both_ways(chunk, stage, recipient)
        assert_same_email(ours, theirs)
    assert set(chunk.drafts) == {(stage.pk, "Europe/London"), (stage.pk, "America/New_York")}


@pytest.mark.parametrize(
    "body",
    [
        "Hi {{ first_name|upper }}",
        "{% if first_name %}Hi {{ first_name }}{% endif %}",
        "{{ inbox_url|truncatechars:20 }}",
        '<a href="{{ first_name }}">you</a>',
        "www.{{ first_name }}.com",
        "<xmp>{{ first_name }}</xmp>",
    ],
)
def test_a_stage_the_draft_cannot_reproduce_is_rendered_per_person(running, employee, body):
    stage = stage_with(running, body=body)
    chunk = composer.ChunkComposer()
    built_both_ways(chunk, stage, employee)
    assert chunk.drafts[(stage.pk, "Europe/London")] is None
    for name in ("javascript:alert(1)", "<b>x</b>", "a.com"):
        ours, theirs = built_both_ways(chunk, stage, person(f"n{len(name)}", name))
        assert_same_email(ours, theirs)


def test_no_name_injects_markup_or_headers(running, employee):
    stage = stage_with(running)
    chunk = composer.ChunkComposer()
    built_both_ways(chunk, stage, employee)
    evil = person("evil", '<img src=x onerror="alert(1)">\r\nBcc: victim@example.com')
    ours, _ = built_both_ways(chunk, stage, evil)
    raw = ours.message().as_bytes(linesep="\r\n")
    message = message_from_bytes(raw, policy=policy.default)
    assert message["Bcc"] is None
    assert "\n" not in str(message["Subject"])
    html = ours.alternatives[0].content
    assert "<img" not in html
    assert "&lt;img src=x onerror=" in html
