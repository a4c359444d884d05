"""Rendering a stage for one person: placeholders, their zone, embargo-safe details, multipart email."""

from __future__ import annotations

from datetime import timedelta

import pytest

from rollout import composer
from rollout.models import Delivery, RolloutStage
from rollout.tests.engine import GO_LIVE, stage_of

pytestmark = pytest.mark.django_db


def custom_stage(
    campaign, body: str, subject: str = "Hi {{ first_name }}", offset_minutes: int = 0
) -> RolloutStage:
    return RolloutStage.objects.create(
        campaign=campaign, offset_minutes=offset_minutes, channels=["email"], subject=subject, body=body
    )


def test_placeholders_render_for_the_recipient(running, employee):
    stage = custom_stage(running, "{{ first_name }}: {{ campaign_title }} — {{ concept }}")
    rendered = composer.render_stage(stage, employee, at=GO_LIVE)
    assert rendered.subject == "Hi Emma"
    assert rendered.text == f"Emma: {running.title} — {running.concept}"


def test_dates_are_in_the_recipients_zone(running, employee, employee_ny):
    stage = custom_stage(running, "{{ go_live }}")
    assert composer.render_stage(stage, employee).text == "Monday 1 June 2026, 10:00 BST"
    assert composer.render_stage(stage, employee_ny).text == "Monday 1 June 2026, 05:00 EDT"


def test_details_are_withheld_while_embargoed(running, employee):
    stage = custom_stage(running, "{{ details }}")
    before = composer.render_stage(stage, employee, at=GO_LIVE - timedelta(minutes=1)).text
    assert running.details not in before
    assert "More detail on" in before
    assert composer.render_stage(stage, employee, at=GO_LIVE).text == running.details


@pytest.mark.parametrize(
    "body", ["{{ details }}", "{{details|upper}}", "{% if details %}x{% endif %}", "Hi {{ details }}"]
)
def test_any_use_of_details_reveals_details(running, body):
    assert composer.stage_reveals_details(custom_stage(running, body))


def test_the_word_details_in_plain_text_does_not_reveal_details(running):
    assert not composer.stage_reveals_details(custom_stage(running, "More details follow. {{ concept }}"))


def test_html_part_escapes_campaign_text(running, employee):
    running.concept = "<script>alert(1)</script>"
    running.save()
    html = composer.render_stage(custom_stage(running, "{{ concept }}"), employee).html
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_template_cannot_reach_beyond_its_placeholders(running, employee):
    stage = custom_stage(running, "{{ user.password }}{% include 'base.html' %}")
    with pytest.raises(Exception):  # noqa: B017 - no loader: include fails instead of reading files
        composer.render_stage(stage, employee)


def test_email_is_multipart_with_stable_message_id_and_inbox_link(running, employee, settings):
    settings.SITE_URL = "https://hub.example.com"
    stage = stage_of(running, RolloutStage.Kind.EARLY_WARNING)
    delivery = Delivery.objects.create(stage=stage, recipient=employee, channel="email")
    email = composer.build_email(stage, employee, delivery=delivery, at=GO_LIVE)
    assert email.extra_headers["Message-ID"] == f"<{delivery.message_id}@hub.example.com>"
    assert email.alternatives[0].mimetype == "text/html"
    assert f"https://hub.example.com/inbox/{delivery.pk}/" in email.body
    assert f"https://hub.example.com/inbox/{delivery.pk}/" in email.alternatives[0].content
    assert email.subject == f"Coming soon: {running.title}"
    assert email.from_email == "campaignhub@localhost"


def test_early_warning_says_when_more_detail_follows(running, employee):
    text = composer.render_stage(stage_of(running, RolloutStage.Kind.EARLY_WARNING), employee).text
    assert "More detail follows on Monday 1 June 2026, 10:00 BST" in text
    assert running.concept in text


def test_attachment_providers_add_files(running, employee, monkeypatch):
    monkeypatch.setattr(composer, "_attachment_providers", [])
    composer.register_attachment_provider(
        lambda stage, person: [("invite.ics", "BEGIN:VCALENDAR", "text/calendar")]
    )
    email = composer.build_email(stage_of(running, RolloutStage.Kind.BRIEFING_INVITATION), employee)
    assert email.attachments[0][0] == "invite.ics"


def django_and_prepared(email) -> tuple:
    """The same email as Django's own MIME objects write it and as PreparedEmail writes it, both parsed."""
    from email import message_from_bytes, policy

    from django.core.mail import EmailMultiAlternatives

    theirs = EmailMultiAlternatives.message(email).as_bytes(linesep="\r\n")
    ours = email.message().as_bytes(linesep="\r\n")
    return message_from_bytes(theirs, policy=policy.default), message_from_bytes(ours, policy=policy.default)


def assert_reads_the_same(theirs, ours) -> None:
    for header in ("Subject", "From", "To", "Message-ID", "MIME-Version", "Content-Type"):
        # (Django folds an encoded subject onto a second line, so it reads back with a leading space.)
        assert str(ours[header]).split(";")[0].strip() == str(theirs[header]).split(";")[0].strip(), header
    theirs_parts = [(p.get_content_type(), p.get_content()) for p in theirs.iter_parts()]
    ours_parts = [(p.get_content_type(), p.get_content()) for p in ours.iter_parts()]
    assert ours_parts == theirs_parts


def test_prepared_email_reads_exactly_as_djangos_message(running, employee):
    stage = custom_stage(running, "Hello {{ first_name }}\n\n{{ concept }}", subject="{{ campaign_title }}")
    delivery = Delivery.objects.create(stage=stage, recipient=employee, channel="email")
    theirs, ours = django_and_prepared(composer.build_email(stage, employee, delivery=delivery, at=GO_LIVE))
    assert_reads_the_same(theirs, ours)
    assert ours["Message-ID"] == composer.message_id(delivery.message_id)


def test_prepared_email_encodes_accents_long_subjects_and_long_lines_as_django_does(running, employee):
    running.title = (
        "Café crème in Zürich: a very long campaign title that will not fit on one header line at all"
    )
    running.concept = "Ünïcödé " + "x" * 1200  # one line longer than SMTP allows: quoted-printable
    running.save(update_fields=["title", "concept"])
    employee.first_name = "Zoë"
    employee.save(update_fields=["first_name"])
    stage = custom_stage(running, "Hi {{ first_name }}\r\n{{ concept }}\rend", subject="{{ campaign_title }}")
    delivery = Delivery.objects.create(stage=stage, recipient=employee, channel="email")
    email = composer.build_email(stage, employee, delivery=delivery, at=GO_LIVE)
    theirs, ours = django_and_prepared(email)
    assert_reads_the_same(theirs, ours)
    raw = email.message().as_bytes(linesep="\r\n")
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998
    assert b"Content-Transfer-Encoding: quoted-printable" in raw
    assert b"\n" not in raw.replace(b"\r\n", b"")  # every line ends in CRLF, none bare


def test_an_email_with_an_attachment_is_written_by_django(running, employee, monkeypatch):
    monkeypatch.setattr(composer, "_attachment_providers", [])
    composer.register_attachment_provider(
        lambda stage, person: [("invite.ics", "BEGIN:VCALENDAR", "text/calendar")]
    )
    email = composer.build_email(stage_of(running, RolloutStage.Kind.BRIEFING_INVITATION), employee)
    message = email.message()
    assert not isinstance(message, composer.PreparedMessage)
    assert message.get_content_type() == "multipart/mixed"


def test_chunk_composer_fetches_the_email_templates_once(running, employee, monkeypatch):
    fetched = []
    real = composer.get_template
    monkeypatch.setattr(composer, "get_template", lambda name: fetched.append(name) or real(name))
    stage = custom_stage(running, "Hello {{ first_name }}")
    chunk = composer.ChunkComposer()
    for _ in range(5):
        delivery = Delivery.objects.create(stage=stage, recipient=employee, channel="email")
        chunk.build(stage, employee, delivery=delivery, at=GO_LIVE)
        delivery.delete()
    assert len(fetched) == 3
